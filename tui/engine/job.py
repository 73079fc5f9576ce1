"""One install job, behind both front ends: the command line (tui/commands/) and the wizard
(tui/session.py and the flow screens) wrap it.

It holds what a run on one target needs and finds: the answers, where to connect and how
(`remote_shell`, handed in so that the UI's modules never import the WinRM stack), the
passwords of this run (in memory only, by MSI property), then the pre-flight, the install's
result and the checklist. Which passwords a run needs (`secret_needs`), what the pre-flight lets
it do (`preflight_gate`) and the report (`InstallJob.report`) are decided here only.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from tui.engine.checklist import Item
from tui.engine.endpoint import Endpoint
from tui.engine.events import Finished
from tui.engine.preflight import PreflightReport, PreflightRow
from tui.engine.state import InstallState
from tui.model.answers import AnswerFile
from tui.model.secrets import PROMPT, SecretRef, SecretUnavailable, resolve

RemoteShellType = Callable[[Endpoint], AbstractContextManager]
TARGET = "target"  # the `prop` of the install account's password (it is no MSI property)
TARGET_FIELD = "target.password"
TICKED = "Done: ticked by hand in the wizard."


# --- the passwords ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SecretNeed:
    """One password a run needs: the answer file's `field`, the MSI property it fills (`prop`;
    TARGET for the install account's logon), and where it comes from (`ref`)."""

    field: str
    prop: str
    ref: SecretRef
    label: str  # for prompts and messages: "Service account password (service_account.password)"

    def for_host(self, host: str) -> SecretNeed:
        """The same need, its label naming a fleet's host."""
        return dataclasses.replace(self, label=f"{self.label} [{host}]")


def secret_needs(answers: AnswerFile, *, install: bool = True) -> list[SecretNeed]:
    """The install account's password, then (with `install`) every password msiexec needs."""
    out = [logon_need(answers)]
    if install:
        from tui.model.msi import build_plan

        plan = build_plan(answers)
        source = {p.name: p.source for p in plan.properties}
        out += [SecretNeed(source[prop], prop, ref, _titled(source[prop]))
                for prop, ref in plan.secret_properties().items()]
    return out


def logon_need(answers: AnswerFile | None) -> SecretNeed:
    """The install account's password (to be asked when there are no answers to say where)."""
    ref = answers.target.password if answers is not None and answers.target else PROMPT
    return SecretNeed(TARGET_FIELD, TARGET, ref, _titled(TARGET_FIELD))


def _titled(path: str) -> str:
    """'service_account.password' as 'Service account password (service_account.password)'."""
    from tui.model.answers import section_types

    section, _, name = path.partition(".")
    model = section_types().get(section)
    title = next((m.title for m in model.fields() if m.name == name), None) if model else None
    return f"{title} ({path})" if title else path


def resolve_known(needs: list[SecretNeed], base_dir: Path, *, can_ask: bool = True
                  ) -> tuple[dict[SecretNeed, str], list[str]]:
    """The passwords that need no asking (environment, file, literal), and a sentence for each
    one that cannot be had; when nobody can ask (`can_ask` false), also for each set to be
    asked. Nothing is asked here."""
    values: dict[SecretNeed, str] = {}
    problems: list[str] = []
    for n in needs:
        if n.ref.kind == "prompt":
            if not can_ask:
                problems.append(f"{n.label} is set to be asked ({{ prompt = true }})")
            continue
        try:
            values[n] = resolve(n.ref, n.label, base_dir=base_dir).get_secret_value()
        except SecretUnavailable as exc:
            problems.append(str(exc))
    return values, problems


def by_prop(values: dict[SecretNeed, str]) -> dict[str, str]:
    """Resolved passwords keyed by MSI property (TARGET for the logon), as the job keeps them."""
    return {n.prop: v for n, v in values.items()}


# --- the pre-flight gate ------------------------------------------------------------------------


@dataclass(frozen=True)
class Gate:
    """What the pre-flight lets the install do: `go`; `confirm` (warnings only: go once the user
    accepts them); or `stop` (a row failed: the installer would fail)."""

    decision: Literal["go", "confirm", "stop"]
    failures: tuple[PreflightRow, ...] = ()
    warnings: tuple[PreflightRow, ...] = ()
    already_installed: bool = False  # stopped because MIM is there: the checklist is the way on


BUSY_CHECK = "install-running"  # another install holds Windows Installer: msiexec says 1618
BUSY_RETRIES, BUSY_WAIT = 3, 30.0  # as the install's own start waits on a 1618 (install.py)


def busy_only(gate: Gate) -> bool:
    """Does only another running install stop this one (a wait, not a fix, is the remedy)?"""
    return gate.decision == "stop" and all(r.id == BUSY_CHECK for r in gate.failures)


def preflight_gate(report: PreflightReport) -> Gate:
    failures, warnings = tuple(report.by_status("fail")), tuple(report.by_status("warn"))
    installed = report.get("mim-installed")
    already = installed is not None and installed.status == "fail"
    if failures:
        return Gate("stop", failures, warnings, already)
    return Gate("confirm" if warnings else "go", failures, warnings, already)


# --- the job ------------------------------------------------------------------------------------


def connection_endpoint(answers: AnswerFile, base_dir: Path, password: str = "",
                        **overrides) -> Endpoint:
    """The answer file's [target] (overridden by the command line's flags) as an Endpoint;
    raises ConnectionProblem for settings that cannot work, before anything is asked."""
    from tui.engine.connect import endpoint_for

    return endpoint_for(answers.target, password, base_dir, **overrides)


@dataclass
class InstallJob:
    answers: AnswerFile
    endpoint: Endpoint
    # tui.engine.shell.RemoteShell, handed in by the entry point (tui.commands), so that the UI's
    # modules never import the WinRM stack (import-linter checks it)
    remote_shell: RemoteShellType = field(repr=False)
    label: str  # what the screens, the printed lines and the report call the target
    answers_file: str | None = None
    secrets: dict[str, str] = field(default_factory=dict, repr=False)  # MSI property -> value
    time_scale: float = 1.0  # the simulated target replays the log faster than real time
    preflight: PreflightReport | None = None
    finished: Finished | None = None
    state: InstallState | None = None  # the running (or last) install
    checklist: list[Item] = field(default_factory=list)
    ticked: set[str] = field(default_factory=set)  # manual items the admin ticked

    # --- what the engine calls get --------------------------------------------------------------

    def shell(self) -> AbstractContextManager:
        """A WinRM shell on the target (a context manager)."""
        return self.remote_shell(self.endpoint)

    def open_shell(self) -> Callable[[], AbstractContextManager]:
        """The zero-argument shell factory the install engine takes."""
        endpoint, remote_shell = self.endpoint, self.remote_shell
        return lambda: remote_shell(endpoint)

    def phases(self) -> list[str]:
        from tui.engine.progress import phases_for

        return [str(p) for p in phases_for(self.answers.components.features())]

    def request(self):
        from tui.engine.install import InstallRequest

        return InstallRequest.for_answers(self.answers, self.endpoint, self.secrets,
                                          self.answers_file)

    def forget_install_secrets(self) -> None:
        """After the install: only the logon (for the checklist) stays in memory."""
        self.secrets.clear()

    # --- the steps' results ---------------------------------------------------------------------

    def run_preflight(self) -> PreflightReport:
        from tui.engine.preflight import count_connection, run_preflight

        with self.shell() as shell:
            self.preflight = run_preflight(shell, self.answers)
        count_connection(self.preflight, shell)  # after closing: the Delete counts too
        return self.preflight

    def preflight_waiting(self, notify: Callable[[str], None],
                          stop: threading.Event | None = None, retries: int = BUSY_RETRIES,
                          wait: float = BUSY_WAIT) -> PreflightReport:
        """The pre-flight; while its only failure is another install running, a wait said
        through `notify` and the pre-flight again, at most `retries` times (the simulated
        target's waits are shortened by its time scale)."""
        report = self.run_preflight()
        pause = wait / max(self.time_scale, 1.0)
        for attempt in range(1, retries + 1):
            if not busy_only(self.gate()):
                break
            notify(f"Another installation is running on the target (msiexec would stop with "
                   f"1618); waiting {pause:.0f} s, then the pre-flight again (try {attempt + 1} "
                   f"of {retries + 1}).")
            if (stop or threading.Event()).wait(pause):
                break
            report = self.run_preflight()
        return report

    def gate(self) -> Gate:
        assert self.preflight is not None, "the pre-flight has not run"
        return preflight_gate(self.preflight)

    def checklist_items(self) -> list[Item]:
        """The checklist as the report tells it: manual items ticked by hand say so."""
        return [
            dataclasses.replace(i, message=TICKED) if i.status == "manual" and i.id in self.ticked
            else i
            for i in self.checklist
        ]

    def report(self):
        """The report of what ran so far (tui.engine.report.Report)."""
        from tui.engine.report import Report, preflight_rows

        return Report(self.answers, self.answers_file, self.label,
                      preflight=preflight_rows(self.preflight), install=self.finished,
                      checklist=self.checklist_items())

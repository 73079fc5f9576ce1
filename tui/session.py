"""What the wizard's install flow carries from screen to screen: the answers being installed,
where to connect, the passwords of this run (in memory only, never written or shown), and what
each step found, for the report. No Textual here; only the engine's public API.

The wizard builds a session when Install is pressed (`needed_secrets`, `resolve_known`, then
`connect`), and the screens (screens/preflight.py, install.py, result.py, checklist.py) share it.
"""

from __future__ import annotations

import dataclasses
import secrets as random
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from tui.engine.checklist import Item
from tui.engine.connect import endpoint_for
from tui.engine.endpoint import Endpoint
from tui.engine.events import Finished
from tui.engine.preflight import PreflightReport
from tui.engine.state import InstallState
from tui.model.answers import AnswerFile
from tui.model.secrets import PROMPT, SecretRef, SecretUnavailable, resolve

RemoteShellType = Callable[[Endpoint], AbstractContextManager]
TARGET = "target"  # the `prop` of the install account's password (it is no MSI property)
TICKED = "Done: ticked by hand in the wizard."


@dataclass(frozen=True)
class Needed:
    """One password this install needs: `label` names its field, `prop` its MSI property
    (TARGET for the install account's), `ref` where it comes from."""

    label: str
    prop: str
    ref: SecretRef


@dataclass(frozen=True)
class DemoTarget:
    """The simulated server `mimsetup demo` points the wizard at: no password is asked."""

    endpoint: Endpoint
    label: str
    secrets: dict[str, str] = field(repr=False)  # MSI property -> throwaway value
    time_scale: float = 1.0
    scenario: str = "healthy"
    report: str | None = None  # `mimsetup demo --report FILE`: where the report is proposed


def needed_secrets(answers: AnswerFile) -> list[Needed]:
    """The install account's password, then every password msiexec needs."""
    from tui.model.msi import build_plan

    target_ref = answers.target.password if answers.target else PROMPT
    out = [Needed(_titled("target.password"), TARGET, target_ref)]
    plan = build_plan(answers)  # as `tui.commands.install.install_secrets`, by property
    source = {p.name: p.source for p in plan.properties}
    for prop, ref in plan.secret_properties().items():
        out.append(Needed(_titled(source[prop]), prop, ref))
    return out


def _titled(path: str) -> str:
    """'service_account.password' as 'Service account password (service_account.password)'."""
    from tui.model.answers import section_types

    section, _, name = path.partition(".")
    model = section_types().get(section)
    title = next((m.title for m in model.fields() if m.name == name), None) if model else None
    return f"{title} ({path})" if title else path


def resolve_known(needed: list[Needed], base_dir: Path) -> tuple[dict[str, str], list[str]]:
    """The passwords that need no asking (environment, file, literal), by `prop`, and a
    sentence for each one that cannot be had."""
    values: dict[str, str] = {}
    problems: list[str] = []
    for n in needed:
        if n.ref.kind == "prompt":
            continue
        try:
            values[n.prop] = resolve(n.ref, n.label, base_dir=base_dir).get_secret_value()
        except SecretUnavailable as exc:
            problems.append(str(exc))
    return values, problems


def check_target(answers: AnswerFile, base_dir: Path) -> Endpoint:
    """The endpoint without its password, to find what cannot work before asking for any
    (no [target] host, a missing CA bundle, Basic over HTTP). Raises ConnectionProblem."""
    return endpoint_for(answers.target, "", base_dir)


def demo_secrets_for(answers: AnswerFile, demo: DemoTarget, base_dir: Path) -> dict[str, str]:
    """The demo's passwords, plus a throwaway one for any the answers need that it lacks (a
    password portal added in the wizard); references to the environment or a file are read."""
    out: dict[str, str] = {}
    known, _ = resolve_known(needed_secrets(answers), base_dir)
    for n in needed_secrets(answers):
        if n.prop == TARGET:
            continue
        out[n.prop] = demo.secrets.get(n.prop) or known.get(n.prop) or (
            "demo-" + random.token_urlsafe(12))
    return out


@dataclass
class InstallSession:
    answers: AnswerFile
    endpoint: Endpoint
    # tui.engine.shell.RemoteShell, handed in by the entry point (tui.commands.wizard), so that
    # the UI's modules never import the WinRM stack (import-linter checks it)
    remote_shell: RemoteShellType = field(repr=False)
    label: str  # what the screens and the report call the target
    answers_file: str | None = None
    secrets: dict[str, str] = field(default_factory=dict, repr=False)  # MSI property -> value
    time_scale: float = 1.0
    demo: DemoTarget | None = None
    preflight: PreflightReport | None = None
    finished: Finished | None = None
    state: InstallState | None = None  # the running (or last) install
    checklist: list[Item] = field(default_factory=list)
    ticked: set[str] = field(default_factory=set)  # manual items the admin ticked
    engine_done: threading.Event | None = field(default=None, repr=False)  # the follower ended

    @classmethod
    def connect(cls, answers: AnswerFile, values: dict[str, str], base_dir: Path,
                answers_file: str | None, remote_shell: RemoteShellType) -> InstallSession:
        """A session for the answer file's [target] with the passwords in `values` (by prop).
        Raises ConnectionProblem for settings that cannot work."""
        endpoint = dataclasses.replace(check_target(answers, base_dir), password=values[TARGET])
        return cls(answers, endpoint, remote_shell, endpoint.url, answers_file,
                   {k: v for k, v in values.items() if k != TARGET})

    @classmethod
    def for_demo(cls, answers: AnswerFile, demo: DemoTarget, base_dir: Path,
                 answers_file: str | None, remote_shell: RemoteShellType) -> InstallSession:
        return cls(answers, demo.endpoint, remote_shell, demo.label, answers_file,
                   demo_secrets_for(answers, demo, base_dir), demo.time_scale, demo)

    @property
    def where(self) -> str:
        """The target in a few words, for titles."""
        if self.demo is not None:
            return f"the simulated server ({self.demo.scenario})"
        return self.endpoint.host

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

    # --- the report -----------------------------------------------------------------------------

    def checklist_items(self) -> list[Item]:
        """The checklist as the report tells it: manual items ticked by hand say so."""
        return [
            dataclasses.replace(i, message=TICKED) if i.status == "manual" and i.id in self.ticked
            else i
            for i in self.checklist
        ]

    def report(self):
        from tui.engine.report import Report

        preflight = ([c.__dict__ | {"title": c.title} for c in self.preflight.checks]
                     if self.preflight else [])
        return Report(self.answers, self.answers_file, self.label, preflight=preflight,
                      install=self.finished, checklist=self.checklist_items())

    def default_report_path(self) -> Path:
        """Where the report is proposed: `mimsetup demo --report FILE`'s FILE, or a name with
        the target and the time in the current folder."""
        if self.demo is not None and self.demo.report:
            return Path(self.demo.report).expanduser().resolve()
        return Path.cwd() / self.default_report_name()

    def default_report_name(self) -> str:
        import time

        host = "".join(ch if ch.isalnum() or ch in "-." else "-" for ch in self.endpoint.host)
        if self.demo is not None:
            host = "demo"
        return f"mimsetup-report-{host}-{time.strftime('%Y%m%d-%H%M')}.md"

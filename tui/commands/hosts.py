"""Fleet files wherever an answer file goes: which answers a command runs on (an answer file's,
every host of a fleet file, or the one `--host-name` names), the passwords of several hosts
(a reference shared by hosts is asked once), and running a fleet's install jobs (apply and demo
on a fleet file). Shared by the command modules, like common.py; never a command itself.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui.commands.common import (
    EXIT_DETACHED,
    EXIT_FAIL,
    EXIT_OK,
    EXIT_USAGE,
    UsageProblem,
    follow_in_thread,
    load_answers,
    resolve_secrets,
)
from tui.flags import HOST_NAME

if TYPE_CHECKING:
    import argparse
    import threading
    from collections.abc import Callable
    from pathlib import Path

    from tui.engine.events import Finished
    from tui.engine.job import InstallJob
    from tui.model.answers import AnswerFile
    from tui.model.fleet import Fleet

@dataclass
class Chosen:
    """What a command runs on: (host name, answers) pairs; the name is None for an answer
    file. `fleet` is the fleet file read, when it is one."""

    hosts: list[tuple[str | None, AnswerFile]]
    fleet: Fleet | None = None

    def label(self, name: str | None, where: str) -> str:
        return f"{name} ({where})" if name else where


def choose(path: str | Path, host_name: str | None = None) -> Chosen:
    """The answers of `path`, an answer file or a fleet file (all its hosts, or `host_name`);
    UsageProblem, in the words `validate` uses, when the file is not valid."""
    from tui.model.fleet import Fleet, read_any

    loaded = read_any(path)
    if not isinstance(loaded, Fleet):
        pick(loaded, path, host_name)  # --host-name on an answer file is refused
        return Chosen([(None, load_answers(path, loaded))])
    if not loaded.ok:
        lines = "\n".join(p.format() for p in loaded.problems)
        raise UsageProblem(f"{path} is not a valid fleet file:\n{lines}",
                           f"Fix it (mimsetup validate {path} lists the problems) and run again.")
    return Chosen(pick(loaded, path, host_name), loaded)


def pick(loaded, path: str | Path, host_name: str | None) -> list[tuple[str | None, AnswerFile]]:
    """The hosts of a valid answer or fleet file (`read_any`'s result) that `host_name` picks:
    every host when None."""
    from tui.model.fleet import Fleet

    if not isinstance(loaded, Fleet):
        if host_name is not None:
            raise UsageProblem(f"{path} is an answer file: {HOST_NAME} names a host of a fleet "
                               "file.", f"Leave {HOST_NAME} out, or give a fleet file.")
        return [(None, loaded.answers)]
    names = [h.name for h in loaded.hosts]
    if host_name is not None and host_name not in names:
        raise UsageProblem(f"{path} has no host '{host_name}'; its hosts: {', '.join(names)}.",
                           f"Give one of them to {HOST_NAME}, or leave it out for every host.")
    return [(h.name, h.answers) for h in loaded.hosts  # type: ignore[misc]
            if host_name in (None, h.name)]


def refuse_target_flags(args: argparse.Namespace, chosen: Chosen) -> None:
    """--host, --port, --user... name one server: not every host of a fleet."""
    from tui.commands.common import TARGET_FLAGS

    given = [f"--{n.replace('_', '-')}" for n in TARGET_FLAGS
             if n not in ("http", "no_verify", "insecure") and getattr(args, n, None)]
    if given and len(chosen.hosts) > 1:
        raise UsageProblem(f"{', '.join(given)} cannot apply to every host of a fleet.",
                           "Set each host's [hosts.NAME.target] in the fleet file instead, or "
                           f"name one host with {HOST_NAME}.")


def host_secrets(hosts: list[tuple[str | None, AnswerFile]], base: Path, yes: bool, *,
                 install: bool = True) -> dict[str | None, dict[str, str]]:
    """host -> {MSI property (TARGET for the logon): value}; a reference shared by several
    hosts is resolved once, and a field to be asked is asked once for every host (the hosts of
    a fleet share their accounts), never once for two fields."""
    from tui.engine.job import secret_needs

    def key(n):
        return (n.field, n.ref) if n.ref.kind == "prompt" else n.ref

    per_host = {name: secret_needs(a, install=install) for name, a in hosts}
    first = {}  # key -> the first need for it, its label naming the host
    for host, needs in per_host.items():
        for n in needs:
            first.setdefault(key(n), n.for_host(host) if host else n)
    values = resolve_secrets(list(first.values()), base, yes)
    return {host: {n.prop: values[first[key(n)]] for n in needs}
            for host, needs in per_host.items()}


# --- a fleet's installs ---------------------------------------------------------------------


def run_fleet_jobs(fleet: Fleet, jobs: dict[str, InstallJob], *, as_json: bool, yes: bool,
                   parallel: int, logons: dict[str, tuple[str, str]] | None = None) -> int:
    """Every host's pre-flight and install, in the fleet's order (the database creator first
    and alone, then the others in parallel up to `parallel`), per-host lines and a summary."""
    from tui.commands.printer import EventPrinter
    from tui.engine.fleet import run_fleet, steps_for

    printers = {name: EventPrinter(mode="json" if as_json else "lines", host=name)
                for name in jobs}
    # A refused logon is never tried again (each counts towards the account's lockout): a host
    # with the same user and password as one whose logon was refused is not tried.
    refused: dict[tuple[str, str], str] = {}
    import threading  # here, not at the top: `plan` imports this module for `pick`

    lock = threading.Lock()

    def run_host(name: str, emit, stop: threading.Event) -> Finished:
        from tui.engine.errors import LogonRefused
        from tui.engine.events import Finished

        logon = (logons or {}).get(name)
        with lock:
            first = refused.get(logon) if logon else None
        if first is not None:
            return Finished("failed", None, f"Not tried: {first} refused the same logon "
                            f"({logon[0]}); another try would count towards the "  # type: ignore[index]
                            "account's lockout.", "Check the user name and password, then run "
                            "again.")
        try:
            return install_host(jobs[name], emit, stop, yes)
        except LogonRefused:
            if logon:
                with lock:
                    refused.setdefault(logon, name)
            raise

    def work(emit_all: Callable, stop: threading.Event):
        return run_fleet(steps_for(fleet), run_host, emit_all, parallel=parallel, stop=stop)

    shown: dict[str, object] = {}  # host -> the Finished event printed last

    def show(host: str, event) -> None:
        # run_fleet passes on each host's result, which the install itself has already sent
        # when it ran: the same event, printed once
        from tui.engine.events import Finished

        if isinstance(event, Finished):
            if shown.get(host) is event:
                return
            shown[host] = event
        printers[host](event)

    result = follow_in_thread(lambda _emit, stop: work(show, stop), lambda e: None)
    print("\n".join(["", "Summary:", *result.summary()]))
    if refused:
        return EXIT_USAGE
    if any(r.outcome == "detached" for r in result.results):
        return EXIT_DETACHED
    return EXIT_OK if result.ok else EXIT_FAIL


def install_host(job: InstallJob, emit, stop: threading.Event, yes: bool) -> Finished:
    """One host of a fleet: its pre-flight (another install running is waited for), then,
    unless it stops the install, the install followed to its end."""
    from tui.engine.events import CheckResult, Finished, Notice
    from tui.engine.install import install

    report = job.preflight_waiting(lambda m: emit(Notice(m, "warning")), stop)
    for c in report.checks:
        emit(CheckResult(c.id, c.status, c.message, c.remedy))
    gate = job.gate()
    if gate.decision == "stop":
        failed = ", ".join(c.id for c in gate.failures)
        return Finished("failed", None, f"The pre-flight failed ({failed}).",
                        "Fix the FAIL checks above and run again.")
    if gate.decision == "confirm" and not yes:
        return Finished("failed", None, "The pre-flight has warnings.",
                        "Read them, then run again with --yes to accept them.")
    emit(Notice("Pre-flight passed; installing."))
    return install(job.open_shell(), job.request(), emit, stop=stop, time_scale=job.time_scale)


def several(chosen: Chosen) -> bool:
    return len(chosen.hosts) > 1


def heading(name: str | None, as_json: bool) -> None:
    """The line that opens a host's part of the output (plain output only)."""
    if name and not as_json:
        print(f"\n== host {name}", file=sys.stdout, flush=True)

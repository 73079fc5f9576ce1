"""`mimsetup apply` on a fleet file: every host's pre-flight and install, the database-creating
host first and alone, then the others in parallel (bounded), with per-host lines and a summary.

Exit codes: 0 every host installed, 1 a host failed or was skipped, 2 usage or connection."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from tui.commands.common import (
    EXIT_DETACHED,
    EXIT_FAIL,
    EXIT_OK,
    EXIT_USAGE,
    TARGET_FLAGS,
    UsageProblem,
    follow_in_thread,
    remote_shell,
    report_problem,
    resolve_secrets,
    target_endpoint,
)
from tui.commands.printer import EventPrinter
from tui.engine.events import CheckResult, Event, Finished, Notice
from tui.model.fleet import Fleet


def _refuse_overrides(args: argparse.Namespace) -> None:
    given = [f"--{n.replace('_', '-')}" for n in TARGET_FLAGS
             if n not in ("http", "no_verify", "insecure") and getattr(args, n, None)]
    if given:
        raise UsageProblem(f"{', '.join(given)} cannot apply to every host of a fleet.",
                           "Set each host's [hosts.NAME.target] in the fleet file instead.")


def _secrets(fleet: Fleet, base: Path, yes: bool) -> dict[str, dict[str, str]]:
    """host -> {MSI property (TARGET for the logon): value}; a reference shared by several
    hosts is resolved (asked) once."""
    from tui.engine.job import secret_needs

    per_host = {h.name: secret_needs(h.answers) for h in fleet.hosts}
    first = {}  # reference -> the first need for it, its label naming the host
    for host, needs in per_host.items():
        for n in needs:
            first.setdefault(n.ref, n.for_host(host))
    values = resolve_secrets(list(first.values()), base, yes)
    return {host: {n.prop: values[first[n.ref]] for n in needs}
            for host, needs in per_host.items()}


def apply_fleet(args: argparse.Namespace, fleet: Fleet) -> int:
    from tui.engine.errors import EngineError
    from tui.engine.fleet import run_fleet, steps_for
    from tui.engine.job import TARGET, InstallJob

    if not fleet.ok:
        for p in fleet.problems:
            print(p.format(), file=sys.stderr)
        return EXIT_USAGE if fleet.unreadable else EXIT_FAIL
    base = Path(args.file).resolve().parent
    try:
        _refuse_overrides(args)
        secrets = _secrets(fleet, base, args.yes)
        jobs, logons = {}, {}
        for h in fleet.hosts:
            values = dict(secrets[h.name])
            ep = target_endpoint(h.answers, args, base, values.pop(TARGET))
            jobs[h.name] = InstallJob(h.answers, ep, remote_shell, ep.url,
                                      str(Path(args.file).resolve()), values)
            logons[h.name] = (ep.user.lower(), ep.password)
    except (UsageProblem, EngineError) as exc:
        return report_problem(exc, args.json)

    printers = {h.name: EventPrinter(mode="json" if args.json else "lines", host=h.name)
                for h in fleet.hosts}

    # A refused logon is never tried again (each counts towards the account's lockout): a host
    # with the same user and password as one whose logon was refused is not tried.
    refused: dict[tuple[str, str], str] = {}
    lock = threading.Lock()

    def run_host(name: str, emit, stop: threading.Event) -> Finished:
        from tui.engine.errors import LogonRefused

        with lock:
            first = refused.get(logons[name])
        if first is not None:
            return Finished("failed", None, f"Not tried: {first} refused the same logon "
                            f"({logons[name][0]}); another try would count towards the "
                            "account's lockout.", "Check the user name and password, then run "
                            "again.")
        try:
            return install_host(name, emit, stop)
        except LogonRefused:
            with lock:
                refused.setdefault(logons[name], name)
            raise

    def install_host(name: str, emit, stop: threading.Event) -> Finished:
        from tui.engine.install import install

        job = jobs[name]
        report = job.run_preflight()
        for c in report.checks:
            emit(CheckResult(c.id, c.status, c.message, c.remedy))
        gate = job.gate()
        if gate.decision == "stop":
            failed = ", ".join(c.id for c in gate.failures)
            return Finished("failed", None, f"The pre-flight failed ({failed}).",
                            "Fix the FAIL checks above and run again.")
        if gate.decision == "confirm" and not args.yes:
            return Finished("failed", None, "The pre-flight has warnings.",
                            "Read them, then run again with --yes to accept them.")
        emit(Notice("Pre-flight passed; installing."))
        return install(job.open_shell(), job.request(), emit, stop=stop)

    def work(emit_all, stop: threading.Event):
        return run_fleet(steps_for(fleet), run_host, emit_all, parallel=args.parallel,
                         stop=stop)

    def emit(host: str, event: Event) -> None:
        printers[host](event)

    result = follow_in_thread(lambda _emit, stop: work(emit, stop), lambda e: None)
    print("\n".join(["", "Summary:", *result.summary()]))
    if refused:
        return EXIT_USAGE
    if any(r.outcome == "detached" for r in result.results):
        return EXIT_DETACHED
    return EXIT_OK if result.ok else EXIT_FAIL

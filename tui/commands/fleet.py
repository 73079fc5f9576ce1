"""`mimsetup apply` on a fleet file: every host's pre-flight and install, the database-creating
host first and alone, then the others in parallel (bounded), with per-host lines and a summary.

Exit codes: 0 every host installed, 1 a host failed or was skipped, 2 usage or connection."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from tui.cli import EXIT_FAIL, EXIT_OK, EXIT_USAGE
from tui.commands.install import EXIT_DETACHED, _follow_in_thread, install_secrets
from tui.commands.printer import EventPrinter
from tui.commands.remote import (
    TARGET_SECRET,
    UsageProblem,
    _problem,
    needed_for_connection,
    resolve_secrets,
)
from tui.engine.events import CheckResult, Event, Finished, Notice
from tui.model.fleet import Fleet


def _refuse_overrides(args: argparse.Namespace) -> None:
    given = [f"--{n.replace('_', '-')}" for n in ("host", "port", "user", "transport",
                                                    "ca_bundle") if getattr(args, n, None)]
    if given:
        raise UsageProblem(f"{', '.join(given)} cannot apply to every host of a fleet.",
                           "Set each host's [hosts.NAME.target] in the fleet file instead.")


def _secrets(fleet: Fleet, base: Path, yes: bool) -> dict[str, dict[str, str]]:
    """host -> {label: value}; a reference shared by several hosts is resolved (asked) once."""
    labels: dict[object, str] = {}
    per_host: dict[str, list[tuple[str, object]]] = {}
    for h in fleet.hosts:
        needed = needed_for_connection(h.answers) + install_secrets(h.answers)
        per_host[h.name] = needed
        for label, ref in needed:
            labels.setdefault(ref, f"{label} [{h.name}]")
    values = resolve_secrets([(label, ref) for ref, label in labels.items()], base, yes)
    return {host: {label: values[labels[ref]] for label, ref in needed}
            for host, needed in per_host.items()}


def apply_fleet(args: argparse.Namespace, fleet: Fleet) -> int:
    from tui.commands.install import _prop_of
    from tui.commands.remote import target_endpoint
    from tui.engine.errors import EngineError
    from tui.engine.fleet import run_fleet, steps_for

    if not fleet.ok:
        for p in fleet.problems:
            print(p.format(), file=sys.stderr)
        return EXIT_USAGE if fleet.unreadable else EXIT_FAIL
    base = Path(args.file).resolve().parent
    try:
        _refuse_overrides(args)
        secrets = _secrets(fleet, base, args.yes)
        endpoints = {}
        for h in fleet.hosts:
            ep = target_endpoint(h.answers, args, base, secrets[h.name][TARGET_SECRET])
            endpoints[h.name] = ep
    except (UsageProblem, EngineError) as exc:
        return _problem(exc, args.json)

    printers = {h.name: EventPrinter(mode="json" if args.json else "lines", host=h.name)
                for h in fleet.hosts}

    def run_host(name: str, emit, stop: threading.Event) -> Finished:
        from tui.engine.install import InstallRequest, install
        from tui.engine.preflight import run_preflight
        from tui.engine.shell import RemoteShell

        host = fleet.host(name)
        ep = endpoints[name]
        with RemoteShell(ep) as shell:
            report = run_preflight(shell, host.answers)
        for c in report.checks:
            emit(CheckResult(c.id, c.status, c.message, c.remedy))
        if report.status == "fail":
            failed = ", ".join(c.id for c in report.by_status("fail"))
            return Finished("failed", None, f"The pre-flight failed ({failed}).",
                            "Fix the FAIL checks above and run again.")
        if report.by_status("warn") and not args.yes:
            return Finished("failed", None, "The pre-flight has warnings.",
                            "Read them, then run again with --yes to accept them.")
        emit(Notice("Pre-flight passed; installing."))
        values = {_prop_of(k): v for k, v in secrets[name].items() if k != TARGET_SECRET}
        request = InstallRequest.for_answers(host.answers, ep, values,
                                             str(Path(args.file).resolve()))
        return install(lambda: RemoteShell(ep), request, emit, stop=stop)

    def work(emit_all, stop: threading.Event):
        return run_fleet(steps_for(fleet), run_host, emit_all, parallel=args.parallel,
                         stop=stop)

    def emit(host: str, event: Event) -> None:
        printers[host](event)

    result = _follow_in_thread(lambda _emit, stop: work(emit, stop), lambda e: None)
    print("\n".join(["", "Summary:", *result.summary()]))
    if any(r.outcome == "detached" for r in result.results):
        return EXIT_DETACHED
    return EXIT_OK if result.ok else EXIT_FAIL

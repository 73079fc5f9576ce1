"""`mimsetup apply` on a fleet file: every host's pre-flight and install, the database-creating
host first and alone, then the others in parallel (bounded), with per-host lines and a summary
(the run itself: tui/commands/hosts.py, shared with the demo on a fleet file).

Exit codes: 0 every host installed, 1 a host failed or was skipped, 2 usage or connection."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tui.commands.common import (
    EXIT_FAIL,
    EXIT_USAGE,
    UsageProblem,
    remote_shell,
    report_problem,
    target_endpoint,
)
from tui.commands.hosts import Chosen, host_secrets, refuse_target_flags, run_fleet_jobs
from tui.model.fleet import Fleet


def apply_fleet(args: argparse.Namespace, fleet: Fleet) -> int:
    from tui.engine.errors import EngineError
    from tui.engine.job import TARGET, InstallJob

    if not fleet.ok:
        for p in fleet.problems:
            print(p.format(), file=sys.stderr)
        return EXIT_USAGE if fleet.unreadable else EXIT_FAIL
    base = Path(args.file).resolve().parent
    try:
        refuse_target_flags(args, Chosen([(h.name, h.answers) for h in fleet.hosts]))
        secrets = host_secrets([(h.name, h.answers) for h in fleet.hosts], base, args.yes)
        jobs, logons = {}, {}
        for h in fleet.hosts:
            values = dict(secrets[h.name])
            ep = target_endpoint(h.answers, args, base, values.pop(TARGET))
            jobs[h.name] = InstallJob(h.answers, ep, remote_shell, ep.url,
                                      str(Path(args.file).resolve()), values)
            logons[h.name] = (ep.user.lower(), ep.password)
    except (UsageProblem, EngineError) as exc:
        return report_problem(exc, args.json)
    return run_fleet_jobs(fleet, jobs, as_json=args.json, yes=args.yes,
                          parallel=args.parallel, logons=logons)

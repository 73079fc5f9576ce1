"""`mimsetup preflight FILE`: everything that would make the installer fail, checked on the
target over WinRM; on a fleet file, on every host in turn (or the one --host-name names).

Exit codes: 0 nothing would stop the installer (warnings allowed), 1 a pre-flight row failed, 2 a
usage problem (unreadable answer file, missing target or secret) or a connection problem, told as
one sentence and a remedy.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tui.commands.common import (
    EXIT_OK,
    UsageProblem,
    remote_shell,
    report_problem,
    target_endpoint,
)
from tui.commands.hosts import choose, heading, host_secrets, refuse_target_flags
from tui.commands.steps import CommandJob, run_steps, step_preflight_only


def preflight(args: argparse.Namespace) -> int:
    from tui.engine.errors import EngineError
    from tui.engine.job import TARGET, InstallJob

    try:
        chosen = choose(args.file, args.host_name)
        refuse_target_flags(args, chosen)
        base = Path(args.file).resolve().parent
        secrets = host_secrets(chosen.hosts, base, args.yes, install=False)
        jobs = []
        for name, answers in chosen.hosts:
            endpoint = target_endpoint(answers, args, base, secrets[name][TARGET])
            jobs.append((name, InstallJob(answers, endpoint, remote_shell,
                                          chosen.label(name, endpoint.url))))
    except (UsageProblem, EngineError) as exc:
        return report_problem(exc, args.json)
    code = EXIT_OK
    for name, job in jobs:  # a fleet file: every host in turn, each with its own table
        heading(name if len(jobs) > 1 else None, args.json)
        code = max(code, run_steps(CommandJob(job, args.json), [step_preflight_only]))
    return code

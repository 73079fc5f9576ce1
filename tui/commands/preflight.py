"""`mimsetup preflight FILE`: everything that would make the installer fail, checked on the
target over WinRM.

Exit codes: 0 nothing would stop the installer (warnings allowed), 1 a pre-flight row failed, 2 a
usage problem (unreadable answer file, missing target or secret) or a connection problem, told as
one sentence and a remedy.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tui.commands.common import (
    UsageProblem,
    load_answers,
    remote_shell,
    report_problem,
    resolve_secrets,
    target_endpoint,
)
from tui.commands.steps import CommandJob, run_steps, step_preflight_only


def preflight(args: argparse.Namespace) -> int:
    from tui.engine.errors import EngineError
    from tui.engine.job import InstallJob, secret_needs

    try:
        answers = load_answers(args.file)
        base = Path(args.file).resolve().parent
        (password,) = resolve_secrets(secret_needs(answers, install=False), base,
                                      args.yes).values()
        endpoint = target_endpoint(answers, args, base, password)
    except (UsageProblem, EngineError) as exc:
        return report_problem(exc, args.json)
    job = InstallJob(answers, endpoint, remote_shell, endpoint.url)
    return run_steps(CommandJob(job, args.json), [step_preflight_only])

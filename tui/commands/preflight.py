"""`mimsetup preflight FILE`: everything that would make the installer fail, checked on the
target over WinRM; on a fleet file, on every host in turn (or the one --host-name names).

Exit codes: 0 nothing would stop the installer (warnings allowed), 1 a pre-flight row failed, 2 a
usage problem (unreadable answer file, missing target or secret) or a connection problem, told as
one sentence and a remedy.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tui.commands.common import (
    EXIT_FAIL,
    EXIT_OK,
    EXIT_USAGE,
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
    if args.json and len(jobs) > 1:
        return _json_hosts(jobs)
    code = EXIT_OK
    for name, job in jobs:  # a fleet file: every host in turn, each with its own table
        heading(name if len(jobs) > 1 else None, args.json)
        code = max(code, run_steps(CommandJob(job, args.json), [step_preflight_only]))
    return code


def _json_hosts(jobs) -> int:
    """--json on several hosts: one document, {"hosts": {name: the host's pre-flight}}; a host
    that cannot be checked has its sentence and remedy there (exit 2 then, as for one host)."""
    from tui.engine.errors import EngineError

    docs, code = {}, EXIT_OK
    for name, job in jobs:
        try:
            report = job.run_preflight()
        except EngineError as exc:
            docs[name] = {"status": "error", "message": exc.message, "remedy": exc.remedy}
            code = max(code, EXIT_USAGE)
            continue
        docs[name] = report.to_json() | {"target": job.label}
        code = max(code, EXIT_OK if report.ok else EXIT_FAIL)
    print(json.dumps({"hosts": docs}, indent=2, ensure_ascii=False))
    return code

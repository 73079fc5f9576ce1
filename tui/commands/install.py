"""`mimsetup apply FILE` on one server, `check` and `attach`: the install and the checklist on a
target. (`apply` on a fleet file is tui/commands/fleet.py; tui.cli sends each file its way.)

Exit codes: apply 0 success, 3010 success with a restart needed, 1 failure, 2 usage or
connection; 130 when you stop following (the install goes on; `mimsetup attach` follows again).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tui.commands.common import (
    EXIT_USAGE,
    UsageProblem,
    follow_in_thread,
    install_exit_code,
    load_answers,
    remote_shell,
    report_problem,
    resolve_secrets,
    save_report,
    target_endpoint,
)
from tui.commands.steps import (
    CommandJob,
    detached,
    report_of,
    run_steps,
    step_checklist,
    step_install,
    step_preflight_gate,
)


def command_job(args: argparse.Namespace, install: bool, loaded=None) -> CommandJob:
    """The job `args` stand for: the answers, every password it needs, the endpoint."""
    from tui.engine.job import TARGET, InstallJob, by_prop, secret_needs

    answers = load_answers(args.file, loaded)
    base = Path(args.file).resolve().parent
    secrets = by_prop(resolve_secrets(secret_needs(answers, install=install), base, args.yes))
    endpoint = target_endpoint(answers, args, base, secrets.pop(TARGET))
    job = InstallJob(answers, endpoint, remote_shell, endpoint.url,
                     str(Path(args.file).resolve()), secrets)
    return CommandJob(job, args.json, args.yes, tuple(getattr(args, "fix", ()) or ()))


def apply(args: argparse.Namespace, loaded=None) -> int:
    """`apply` on an answer file (already read as `loaded`, when given)."""
    from tui.engine.errors import EngineError

    try:
        run = command_job(args, install=True, loaded=loaded)
    except (UsageProblem, EngineError) as exc:
        return report_problem(exc, args.json)
    code = run_steps(run, [step_preflight_gate, step_install])
    save_report(report_of(run), args.report, args)
    return code


def check(args: argparse.Namespace) -> int:
    from tui.engine.checklist import fixable_items
    from tui.engine.errors import EngineError

    fixable = fixable_items()
    if args.fix_all:
        args.fix = list(fixable)
    unknown = [f for f in args.fix if f not in fixable]
    if unknown:
        print(f"mimsetup: cannot fix {', '.join(unknown)}; fixable items: {', '.join(fixable)}",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        run = command_job(args, install=False)
    except (UsageProblem, EngineError) as exc:
        return report_problem(exc, args.json)
    code = run_steps(run, [step_checklist])
    save_report(report_of(run), args.report, args)
    return code


def attach(args: argparse.Namespace) -> int:
    from tui.commands.printer import EventPrinter
    from tui.engine.endpoint import Endpoint
    from tui.engine.errors import EngineError
    from tui.engine.install import attach as follow_again
    from tui.engine.job import logon_need
    from tui.engine.state import unfinished

    states = unfinished()
    if args.install_id:
        states = [s for s in states if s.install_id == args.install_id]
    if not states:
        print("mimsetup: no unfinished install to attach to" + (
            f" with id {args.install_id}" if args.install_id else "") + ".", file=sys.stderr)
        return EXIT_USAGE
    state = states[0]
    t = state.target
    try:
        answers, base = None, Path.cwd()
        if state.answers_file and Path(state.answers_file).is_file():
            answers, base = load_answers(state.answers_file), Path(state.answers_file).parent
        (password,) = resolve_secrets([logon_need(answers)], base, args.yes).values()
        ep = Endpoint(host=t["host"], port=t.get("port"), https=t.get("https", True),
                      cert_validation=t.get("cert_validation", True),
                      ca_bundle=t.get("ca_bundle"), transport=t.get("transport", "ntlm"),
                      user=t.get("user", ""), password=password)
        ep.check()
    except (UsageProblem, EngineError) as exc:
        return report_problem(exc, args.json)
    refused: list[BaseException] = []
    finished = follow_in_thread(
        lambda emit, stop: follow_again(lambda: _noting_refusal(remote_shell(ep), refused),
                                        state, emit, stop=stop),
        EventPrinter(mode="json" if args.json else None),
        give_up=lambda: detached(state),
    )
    if refused:  # said once by the follower, never tried again: a usage problem, not a detach
        return EXIT_USAGE
    return install_exit_code(finished)


class _noting_refusal:  # noqa: N801 - used as a function: a context manager wrapping another
    """The shell, noting in `refused` a refused logon that ends its use (the follower stops at
    it and says so; the exit code says it too)."""

    def __init__(self, shell, refused: list) -> None:
        self.shell, self.refused = shell, refused

    def __enter__(self):
        try:
            return self.shell.__enter__()
        except BaseException as exc:
            self._note(exc)
            raise

    def __exit__(self, kind, exc, tb):
        self._note(exc)
        return self.shell.__exit__(kind, exc, tb)

    def _note(self, exc) -> None:
        from tui.engine.errors import LogonRefused

        if isinstance(exc, LogonRefused):
            self.refused.append(exc)


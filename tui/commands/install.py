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
    EXIT_OK,
    EXIT_USAGE,
    UsageProblem,
    follow_in_thread,
    install_exit_code,
    remote_shell,
    report_problem,
    resolve_secrets,
    save_report,
    target_endpoint,
)
from tui.commands.hosts import choose, heading, host_secrets, refuse_target_flags
from tui.commands.steps import (
    CommandJob,
    detached,
    report_of,
    run_steps,
    step_checklist,
    step_install,
    step_preflight_gate,
)


def command_jobs(args: argparse.Namespace, install: bool) -> list[tuple[str | None, CommandJob]]:
    """The jobs `args` stand for, one per host (an answer file: one, named None): the answers,
    every password they need (a reference shared by hosts asked once), the endpoints."""
    from tui.engine.job import TARGET, InstallJob

    chosen = choose(args.file, getattr(args, "host_name", None))
    refuse_target_flags(args, chosen)
    base = Path(args.file).resolve().parent
    secrets = host_secrets(chosen.hosts, base, args.yes, install=install)
    out = []
    for name, answers in chosen.hosts:
        values = dict(secrets[name])
        endpoint = target_endpoint(answers, args, base, values.pop(TARGET))
        job = InstallJob(answers, endpoint, remote_shell, chosen.label(name, endpoint.url),
                         str(Path(args.file).resolve()), values)
        out.append((name, CommandJob(job, args.json, args.yes,
                                     tuple(getattr(args, "fix", ()) or ()))))
    return out


def apply(args: argparse.Namespace) -> int:
    """`apply` on an answer file, or on one host of a fleet file (--host-name)."""
    from tui.engine.errors import EngineError

    try:
        ((_, run),) = command_jobs(args, install=True)
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
        runs = command_jobs(args, install=False)
        if len(runs) > 1 and args.report:
            raise UsageProblem(f"{args.file} is a fleet file: a report is of one host.",
                               "Name the host with --host-name, or leave --report out.")
    except (UsageProblem, EngineError) as exc:
        return report_problem(exc, args.json)
    code = EXIT_OK
    for name, run in runs:  # a fleet file: every host in turn
        heading(name if len(runs) > 1 else None, args.json)
        code = max(code, run_steps(run, [step_checklist]))
    if len(runs) == 1:
        save_report(report_of(runs[0][1]), args.report, args)
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
            # a fleet file's install: the host whose [target] is the state's target
            hosts = choose(state.answers_file).hosts
            answers = next((a for _, a in hosts if len(hosts) == 1 or (
                a.target and a.target.host.lower() == str(t["host"]).lower())), None)
            base = Path(state.answers_file).parent
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


"""The install job on the command line: the engine's InstallJob (tui/engine/job.py) with how the
command was asked to behave (JSON, --yes, the items to fix), and the steps `preflight`, `apply`,
`check` and `demo` run on it, each printing what it found and returning an exit code.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass

from tui.commands.common import (
    EXIT_FAIL,
    EXIT_OK,
    confirm,
    follow_in_thread,
    install_exit_code,
    report_problem,
)
from tui.engine.events import Finished
from tui.engine.job import InstallJob


@dataclass
class CommandJob:
    """An install job as a command runs it."""

    job: InstallJob
    as_json: bool
    yes: bool = False
    fix: tuple[str, ...] = ()  # checklist items to fix (--fix, --fix-all; the demo: all)


Step = Callable[[CommandJob], int]


def run_steps(run: CommandJob, steps: list[Step]) -> int:
    """Run the steps in order; stop at the first that does not succeed. Engine errors (the
    connection, the remote service) become one sentence and a remedy, exit 2."""
    from tui.engine.errors import EngineError

    for step in steps:
        try:
            code = step(run)
        except EngineError as exc:
            return report_problem(exc, run.as_json)
        if code != EXIT_OK:
            return code
    return EXIT_OK


# --- the pre-flight -----------------------------------------------------------------------------


def show_preflight(run: CommandJob, as_event: bool = False, wait: bool = False):
    """Run the pre-flight and print it: a table, a JSON document, or (as_event) one JSON line
    among the other events of a run. With `wait`, another install running is waited for (a
    line each time) before the pre-flight is shown."""
    from tui.commands.printer import EventPrinter, print_preflight
    from tui.engine.events import Notice

    if wait:
        printer = EventPrinter(mode="json" if run.as_json else "lines")
        report = run.job.preflight_waiting(lambda m: printer(Notice(m, "warning")))
    else:
        report = run.job.run_preflight()
    if not run.as_json:
        print_preflight(report, run.job.label)
    elif as_event:
        print(json.dumps({"event": "Preflight"} | report.to_json(), ensure_ascii=False))
    else:
        print(json.dumps(report.to_json() | {"target": run.job.label}, indent=2,
                         ensure_ascii=False))
    return report


def step_preflight_only(run: CommandJob) -> int:
    """`mimsetup preflight`: the report is the result (exit 1 when a row failed)."""
    return EXIT_OK if show_preflight(run).ok else EXIT_FAIL


def step_preflight_gate(run: CommandJob) -> int:
    """The pre-flight before an install: failures stop, warnings need --yes or a yes."""
    from tui.engine.job import busy_only

    show_preflight(run, as_event=True, wait=True)
    gate = run.job.gate()
    if gate.decision == "stop":
        if busy_only(gate):
            print("mimsetup: another installation still runs on the target after the waits "
                  "above; run the install again once it has finished.", file=sys.stderr)
        elif gate.already_installed:
            print("MIM Service and Portal is already installed: nothing to install. Run "
                  "`mimsetup check FILE` for the checklist.", file=sys.stderr)
        return EXIT_FAIL
    if gate.decision == "confirm" and not confirm(
        f"Continue despite {len(gate.warnings)} warning(s)?", run.yes
    ):
        print("mimsetup: stopped before installing because of the warnings above; pass --yes "
              "to accept them.", file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK


# --- the install --------------------------------------------------------------------------------


def detached(state) -> Finished:
    from tui.engine.install import detached_result

    return detached_result(state, "You stopped following.")


def step_install(run: CommandJob) -> int:
    """Install and follow in a worker thread; Ctrl+C detaches instead of stopping msiexec."""
    from tui.commands.printer import EventPrinter
    from tui.engine.install import install

    job = run.job
    started: list = []  # the running install's state, once msiexec has been started
    job.finished = follow_in_thread(
        lambda emit, stop: install(job.open_shell(), job.request(), emit, stop=stop,
                                   time_scale=job.time_scale, on_started=started.append),
        EventPrinter(mode="json" if run.as_json else None),
        give_up=lambda: detached(started[-1]) if started else None,
    )
    if started:
        job.state = started[-1]
    return install_exit_code(job.finished)


# --- the checklist ------------------------------------------------------------------------------


def step_checklist(run: CommandJob) -> int:
    from tui.commands.printer import print_checklist
    from tui.engine.checklist import run_checklist

    job = run.job
    with job.shell() as shell:
        items = run_checklist(shell, job.answers, run.fix)
        if not run.fix and not run.as_json and sys.stdin.isatty() and not run.yes:
            fixable = [i for i in items if i.fixable]
            chosen = tuple(i.id for i in fixable if confirm(f"Fix '{i.title}'?", False))
            if chosen:
                items = run_checklist(shell, job.answers, chosen)
    job.checklist = items
    if run.as_json:
        print(json.dumps({"event": "Checklist", "items": [i.to_json() for i in items]},
                         ensure_ascii=False))
    else:
        print_checklist(items)
    return EXIT_FAIL if any(i.status == "fail" for i in items) else EXIT_OK


def report_of(run: CommandJob):
    """The run's report, or None when no step got as far as a result."""
    job = run.job
    if job.preflight is None and job.finished is None and not job.checklist:
        return None
    return job.report()

"""`mimsetup apply`, `attach` and `check`: the install and the checklist on a target, and the
steps `demo` runs against the simulated target.

Exit codes: apply 0 success, 3010 success with a restart needed, 1 failure, 2 usage or
connection; 130 when you stop following (the install goes on; `mimsetup attach` follows again).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

from tui.cli import EXIT_FAIL, EXIT_OK, EXIT_USAGE
from tui.commands.remote import (
    TARGET_SECRET,
    Session,
    UsageProblem,
    _problem,
    load_answers,
    needed_for_connection,
    resolve_secrets,
    run_steps,
    show_preflight,
    target_endpoint,
)
from tui.engine.events import Finished
from tui.model.answers import AnswerFile

EXIT_REBOOT, EXIT_DETACHED = 3010, 130
DETACH_GRACE = 2.0  # seconds Ctrl+C waits for the follower to stop by itself


def install_secrets(a: AnswerFile) -> list[tuple[str, object]]:
    """(label, reference) of every password msiexec needs, labelled by field and property."""
    from tui.model.msi import build_plan

    plan = build_plan(a)
    by_prop = {p.name: p.source for p in plan.properties}
    return [(f"{by_prop[name]} ({name})", ref) for name, ref in plan.secret_properties().items()]


def _prop_of(label: str) -> str:
    return label.rsplit("(", 1)[1].rstrip(")")


def _report(session: Session):
    from tui.engine.report import Report

    if session.report is None:
        session.report = Report(session.answers, session.answers_file, session.label)
    return session.report


def _confirm(question: str, yes: bool) -> bool:
    if yes:
        return True
    if not sys.stdin.isatty():
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


# --- steps ------------------------------------------------------------------------------------


def step_preflight(session: Session) -> int:
    """The pre-flight as a gate: failures stop, warnings need --yes or a confirmation."""
    report = show_preflight(session, as_event=True)
    _report(session).preflight = [c.__dict__ | {"title": c.title} for c in report.checks]
    if report.status == "fail":
        installed = report.get("mim-installed")
        if installed is not None and installed.status == "fail":
            print("MIM Service and Portal is already installed: nothing to install. Run "
                  "`mimsetup check FILE` for the checklist.", file=sys.stderr)
        return EXIT_FAIL
    warnings = report.by_status("warn")
    if warnings and not _confirm(f"Continue despite {len(warnings)} warning(s)?", session.yes):
        print("mimsetup: stopped before installing because of the warnings above; pass --yes "
              "to accept them.", file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK


def run_install(session: Session) -> Finished:
    """Install and follow in a worker thread; Ctrl+C detaches instead of stopping msiexec."""
    from tui.commands.printer import EventPrinter
    from tui.engine.install import InstallRequest, install
    from tui.engine.shell import RemoteShell

    ep = session.endpoint
    request = InstallRequest.for_answers(session.answers, ep, session.secrets,
                                         session.answers_file)
    started: list = []  # the running install's state, once msiexec has been started
    return _follow_in_thread(
        lambda emit, stop: install(lambda: RemoteShell(ep), request, emit, stop=stop,
                                   time_scale=session.time_scale, on_started=started.append),
        EventPrinter(mode="json" if session.as_json else None),
        give_up=lambda: _detached(started[-1]) if started else None,
    )


def _detached(state) -> Finished:
    from tui.engine.install import detached_result

    return detached_result(state, "You stopped following.")


def _follow_in_thread(work, emit, give_up=None):
    """Run `work(emit, stop)` in a thread; Ctrl+C sets `stop`. If the work has not stopped
    DETACH_GRACE seconds later, `give_up()` (when given and not None) is the result."""
    stop = threading.Event()
    result: list[Finished] = []
    lock = threading.Lock()

    def guarded(event) -> None:
        with lock:  # one line at a time, whichever thread prints
            emit(event)

    failure: list[BaseException] = []

    done = threading.Event()

    def run() -> None:
        try:
            result.append(work(guarded, stop))
        except BaseException as exc:  # reported below, in the main thread
            failure.append(exc)
        finally:
            done.set()

    # Waiting on an Event, not Thread.join: a Ctrl+C that interrupts join() can leave
    # is_alive() false while the thread still runs (CPython gh-90882).
    threading.Thread(target=run, daemon=True).start()
    stopped_at: float | None = None
    while not done.is_set():
        try:
            done.wait(0.2)
        except KeyboardInterrupt:
            if not stop.is_set():
                stop.set()
                stopped_at = time.monotonic()
                print("\nmimsetup: detaching; the install goes on on the target ...",
                      file=sys.stderr)
        if stopped_at is not None and give_up is not None and (
            time.monotonic() - stopped_at > DETACH_GRACE
        ):
            # The follower is waiting for the target's next answer (up to a checkpoint
            # interval); the state file already holds every line shown, so leave now.
            detached = give_up()
            if detached is not None:
                with lock:
                    emit(detached)
                return detached
    if failure:
        raise failure[0]
    return result[0]


def _exit_code(f: Finished) -> int:
    return {"success": EXIT_OK, "reboot": EXIT_REBOOT, "detached": EXIT_DETACHED}.get(
        f.outcome, EXIT_FAIL)


def step_install(session: Session) -> int:
    finished = run_install(session)
    _report(session).install = finished
    return _exit_code(finished)


def step_checklist(session: Session) -> int:
    from tui.engine.checklist import run_checklist
    from tui.engine.shell import RemoteShell

    with RemoteShell(session.endpoint) as shell:
        items = run_checklist(shell, session.answers, session.fix)
        if not session.fix and not session.as_json and sys.stdin.isatty() and not session.yes:
            fixable = [i for i in items if i.fixable]
            chosen = tuple(i.id for i in fixable if _confirm(f"Fix '{i.title}'?", False))
            if chosen:
                items = run_checklist(shell, session.answers, chosen)
    _report(session).checklist = items
    if session.as_json:
        print(json.dumps({"event": "Checklist", "items": [i.to_json() for i in items]},
                         ensure_ascii=False))
    else:
        print_checklist(items)
    return EXIT_FAIL if any(i.status == "fail" for i in items) else EXIT_OK


def print_checklist(items, stream=None) -> None:
    stream = stream or sys.stdout
    print("Post-install checklist:", file=stream)
    for i in items:
        mark = {"pass": "pass", "fail": "FAIL", "unknown": "????", "manual": "todo"}.get(
            i.status, i.status)
        fixed = " (fixed)" if i.fixed else ""
        print(f"  [{mark}] {i.title}{fixed}", file=stream)
        if i.evidence and i.status != "manual":
            print(f"         {i.evidence}", file=stream)
        if i.status in ("fail", "unknown") and i.remedy:
            print(f"         -> {i.remedy}" + (" (fixable: --fix " + i.id + ")" if i.fixable
                                              else ""), file=stream)


# --- subcommands ------------------------------------------------------------------------------


def _session(args: argparse.Namespace, with_install_secrets: bool, loaded=None) -> Session:
    answers = load_answers(args.file, loaded)
    base = Path(args.file).resolve().parent
    needed = needed_for_connection(answers)
    if with_install_secrets:
        needed += install_secrets(answers)
    secrets = resolve_secrets(needed, base, args.yes)
    endpoint = target_endpoint(answers, args, base, secrets.pop(TARGET_SECRET))
    return Session(answers, endpoint, args.json, endpoint.url,
                   {_prop_of(k): v for k, v in secrets.items()}, args.yes,
                   answers_file=str(Path(args.file).resolve()),
                   fix=tuple(getattr(args, "fix", ()) or ()))


def _save_report(session: Session, path: str | None) -> None:
    if path and session.report is not None:
        written = session.report.save(path)
        print(f"report: {', '.join(map(str, written))}", file=sys.stderr)


def apply(args: argparse.Namespace) -> int:
    from tui.engine.errors import EngineError
    from tui.model.fleet import Fleet, read_any

    loaded = read_any(args.file)
    if isinstance(loaded, Fleet):
        from tui.commands.fleet import apply_fleet

        return apply_fleet(args, loaded)
    try:
        session = _session(args, with_install_secrets=True, loaded=loaded)
    except (UsageProblem, EngineError) as exc:
        return _problem(exc, args.json)
    code = run_steps(session, [step_preflight, step_install])
    _save_report(session, args.report)
    return code


def check(args: argparse.Namespace) -> int:
    from tui.engine.checklist import ITEMS
    from tui.engine.errors import EngineError

    if args.fix_all:
        args.fix = [i for i, (_, fixable) in ITEMS.items() if fixable]
    unknown = [f for f in args.fix if f not in ITEMS or not ITEMS[f][1]]
    if unknown:
        fixable = ", ".join(i for i, (_, f) in ITEMS.items() if f)
        print(f"mimsetup: cannot fix {', '.join(unknown)}; fixable items: {fixable}",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        session = _session(args, with_install_secrets=False)
    except (UsageProblem, EngineError) as exc:
        return _problem(exc, args.json)
    code = run_steps(session, [step_checklist])
    _save_report(session, args.report)
    return code


def attach(args: argparse.Namespace) -> int:
    from tui.commands.printer import EventPrinter
    from tui.engine.endpoint import Endpoint
    from tui.engine.errors import EngineError
    from tui.engine.install import attach as follow_again
    from tui.engine.shell import RemoteShell
    from tui.engine.state import unfinished
    from tui.model.secrets import PROMPT

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
        ref, base = PROMPT, Path.cwd()
        if state.answers_file and Path(state.answers_file).is_file():
            a = load_answers(state.answers_file)
            ref, base = (a.target.password if a.target else PROMPT), Path(state.answers_file).parent
        password = resolve_secrets([(TARGET_SECRET, ref)], base, args.yes)[TARGET_SECRET]
        ep = Endpoint(host=t["host"], port=t.get("port"), https=t.get("https", True),
                      cert_validation=t.get("cert_validation", True),
                      ca_bundle=t.get("ca_bundle"), transport=t.get("transport", "ntlm"),
                      user=t.get("user", ""), password=password)
        ep.check()
    except (UsageProblem, EngineError) as exc:
        return _problem(exc, args.json)
    finished = _follow_in_thread(
        lambda emit, stop: follow_again(lambda: RemoteShell(ep), state, emit, stop=stop),
        EventPrinter(mode="json" if args.json else None),
        give_up=lambda: _detached(state),
    )
    return _exit_code(finished)

"""What the command modules share: exit codes, usage problems and how they are reported, reading
the answers, the passwords, the endpoint, and following engine work in a thread. A command module
imports this one and the engine, never a sibling command module.

Kept light at import time (`sys` alone; json, threading and time where they are used):
`tui.cli` imports it on every start, `validate` and `plan` included (tests/unit/test_imports.py).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from pathlib import Path

    from tui.engine.events import Finished
    from tui.engine.job import SecretNeed
    from tui.model.answers import AnswerFile

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
EXIT_REBOOT = 3010  # installed; the server needs a restart (msiexec's own code)
EXIT_DETACHED = 130  # you stopped following (Ctrl+C): the install goes on
EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 70  # a bug: EX_SOFTWARE
DETACH_GRACE = 2.0  # seconds Ctrl+C waits for the follower to stop by itself

# The one table of exit statuses, per command: the top-level help says them and the README's
# command table must read exactly `exit_codes_text(command)` (tests/unit/test_exit_codes.py).
# None stands for "as `apply`". On Linux and macOS an exit status is 8 bits: 3010 arrives as 194.
_INSTALL = ((EXIT_OK, "success"),
            (EXIT_REBOOT, f"success with a restart needed ({EXIT_REBOOT % 256} on Linux/macOS, "
                          "whose exit statuses are 8-bit)"),
            (EXIT_FAIL, "failure"), (EXIT_USAGE, "usage or connection"),
            (EXIT_DETACHED, "detached"))
EXIT_CODES: dict[str, tuple[tuple[int | None, str], ...]] = {
    "edit": ((EXIT_OK, ""), (EXIT_USAGE, "unreadable file"), (None, "after an install")),
    "validate": ((EXIT_OK, "valid (warnings allowed)"), (EXIT_FAIL, "invalid"),
                 (EXIT_USAGE, "unreadable file or bad usage")),
    "plan": ((EXIT_OK, ""), (EXIT_FAIL, "invalid file"), (EXIT_USAGE, "unreadable")),
    "schema": ((EXIT_OK, ""),),
    "import": ((EXIT_OK, ""), (EXIT_FAIL, "no command line found"), (EXIT_USAGE, "usage")),
    "preflight": ((EXIT_OK, "nothing blocks (warnings allowed)"), (EXIT_FAIL, "a check failed"),
                  (EXIT_USAGE, "usage or connection")),
    "apply": _INSTALL,
    "attach": ((None, ""),),
    "check": ((EXIT_OK, "all pass"), (EXIT_FAIL, "an item failed"),
              (EXIT_USAGE, "usage or connection")),
    "demo": ((None, "in the wizard too"),),
    "export": ((EXIT_OK, ""), (EXIT_FAIL, "invalid file"), (EXIT_USAGE, "usage")),
}


def exit_codes_text(command: str) -> str:
    """`command`'s exit statuses in words, as the README's command table and the help say them."""
    return ", ".join(
        (f"{code} {words}" if code is not None else f"as `apply` {words}").strip()
        for code, words in EXIT_CODES[command])


class UsageProblem(Exception):
    """Something the user must change before anything can be run (exit 2)."""

    def __init__(self, message: str, remedy: str = "") -> None:
        super().__init__(message)
        self.message, self.remedy = message, remedy


def report_problem(exc: BaseException, as_json: bool) -> int:
    """A usage or engine problem as one sentence and a remedy (and a JSON document with
    --json); exit 2."""
    message = getattr(exc, "message", str(exc))
    remedy = getattr(exc, "remedy", "")
    from tui.model.printable import visible  # a path or value may hold an escape sequence

    text = f"mimsetup: {message}" + (f"\n  {remedy}" if remedy else "")
    print("\n".join(visible(line) for line in text.split("\n")), file=sys.stderr)
    if as_json:
        import json

        print(json.dumps({"status": "error", "message": message, "remedy": remedy}, indent=2))
    return EXIT_USAGE


def install_exit_code(f: Finished) -> int:
    return {"success": EXIT_OK, "reboot": EXIT_REBOOT, "detached": EXIT_DETACHED}.get(
        f.outcome, EXIT_FAIL)


def wizard_exit_code(app, code: int | None) -> int:
    """The wizard's exit status: its own when it ended with one (a hang-up); after an install
    (the demo's, or one on a real target), as `apply` says that install's result; else 0."""
    if app.return_code:
        return app.return_code
    session = getattr(app, "install_session", None)
    if session is not None and session.finished is not None:
        return install_exit_code(session.finished)
    return code or EXIT_OK


# --- answers, secrets and the endpoint ----------------------------------------------------------


def load_answers(path: str | Path, loaded=None) -> AnswerFile:
    """The valid answers of `path` (already read as `loaded`, if given), or UsageProblem."""
    from tui.model.validation import read_file

    loaded = loaded if loaded is not None else read_file(path)
    if loaded.answers is None or loaded.unreadable or loaded.errors:
        lines = "\n".join(p.format() for p in loaded.problems)
        raise UsageProblem(
            f"{path} is not a valid answer file:\n{lines}",
            f"Fix it (mimsetup validate {path} lists the problems) and run again.",
        )
    return loaded.answers


def asker(yes: bool) -> Callable[[str], str] | None:
    """How to ask for a secret: getpass on a terminal; nobody with --yes or without a terminal
    (stdin is then never read)."""
    if yes or not sys.stdin.isatty():
        return None

    def ask(what: str) -> str:
        import getpass

        return getpass.getpass(f"{what}: ")

    return ask


def confirm(question: str, yes: bool) -> bool:
    if yes:
        return True
    if not sys.stdin.isatty():
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


def resolve_secrets(needs: list[SecretNeed], base_dir: Path, yes: bool) -> dict[SecretNeed, str]:
    """Every password in `needs`; all that cannot be had are named at once, before anything is
    asked or connected."""
    from tui.engine.job import resolve_known

    ask = asker(yes)
    values, missing = resolve_known(needs, base_dir, can_ask=ask is not None)
    if missing:
        why = "--yes was given" if yes else "there is no terminal to ask on"
        raise UsageProblem(
            f"{len(missing)} password(s) cannot be had without asking, and {why}:\n  "
            + "\n  ".join(missing),
            'Give them with { env = "NAME" } or { file = "path" } in the answer file, or run '
            + ("without --yes on a terminal." if yes else "it on a terminal."),
        )
    for n in needs:
        if n not in values:  # set to be asked, and someone can answer
            try:
                values[n] = ask(n.label)
            except EOFError:
                raise UsageProblem(f"{n.label} could not be read (end of input).") from None
    return {n: values[n] for n in needs}


# The flags that override the answer file's [target] (tui.cli declares them; the engine's
# endpoint_for takes them by these names).
TARGET_FLAGS = ("host", "port", "http", "user", "transport", "ca_bundle", "no_verify",
                "insecure")


def target_endpoint(a: AnswerFile, args: argparse.Namespace, base_dir: Path, password: str):
    """The WinRM Endpoint: the answer file's [target], overridden by the flags."""
    from tui.engine.job import connection_endpoint

    return connection_endpoint(a, base_dir, password,
                               **{name: getattr(args, name) for name in TARGET_FLAGS})


def remote_shell(endpoint):
    """The engine's WinRM shell, handed to the install job (and the wizard) by the commands: the
    UI's modules never import the WinRM stack themselves."""
    from tui.engine.shell import RemoteShell

    return RemoteShell(endpoint)


def save_report(report, path: str | None, args: argparse.Namespace | None = None) -> None:
    """Save the run's report where --report says. Its paths were checked before the run
    (`check_outputs` in tui.cli); what can still fail (a full disk) raises OutputError."""
    if path and report is not None:
        written = report.save(path, force=True, protect=protected(args))
        print(f"report: {', '.join(map(str, written))}", file=sys.stderr)


def protected(args: argparse.Namespace | None) -> list[str]:
    """The files a command's outputs never replace: the answer (or fleet) file in use."""
    file = getattr(args, "file", None) if args is not None else None
    return [file] if file else []


# --- following engine work ----------------------------------------------------------------------


def follow_in_thread(work, emit, give_up=None):
    """Run `work(emit, stop)` in a thread; Ctrl+C sets `stop`. If the work has not stopped
    DETACH_GRACE seconds later, `give_up()` (when given and not None) is the result."""
    import threading
    import time

    stop = threading.Event()
    result: list = []
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

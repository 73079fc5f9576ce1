"""Cancelling an install, and what happened, in plain words: install-cancel ends the runner (the
process whose Windows Installer call is the install), and says whether it did and why not.

`cancel()` never raises for what can go wrong: a runner that could not be ended, an answer that
is missing, unreadable or lost all come back as a `CancelResult` whose `message` and `remedy` are
what every front end shows (the one place this is worded). An answer that cannot be read is
"unknown", never "cancelled": the install may go on."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from tui.engine import outcomes
from tui.engine.errors import CommandTimeout, EngineError, ReplyLost
from tui.engine.runner import plain
from tui.engine.state import InstallState

# stopped: the runner was ended; rolling-back: ended, the rollback outlasted the cancel's wait;
# not-stopped: the runner was not ended (the install goes on, or had already ended);
# unknown: the answer did not say.
CancelOutcome = Literal["stopped", "rolling-back", "not-stopped", "unknown"]


@dataclass(frozen=True)
class CancelResult:
    outcome: CancelOutcome
    message: str
    remedy: str = ""
    reason: str | None = None  # why not stopped, as install-cancel said it (or "unreached")

    @property
    def stopped(self) -> bool:
        return self.outcome in ("stopped", "rolling-back")

    @property
    def level(self) -> Literal["info", "warning", "error"]:
        return {"stopped": "info", "rolling-back": "warning", "unknown": "warning"}.get(
            self.outcome, "error")

    def text(self) -> str:
        return f"{self.message} {self.remedy}".strip()


def cancel(shell, state: InstallState) -> CancelResult:
    """Ask the target to end the install's runner (it waits for the rollback, up to its limit)."""
    try:
        result = shell.run_script("install-cancel", {"task_name": state.task_name,
                                                     "status_path": state.status_path,
                                                     "log_path": state.log_path})
    except (ReplyLost, CommandTimeout) as exc:
        # The script may have run: whether the runner was ended is not known.
        return _unknown(state, f"the answer was lost on the way ({exc.message.rstrip('.')})")
    except EngineError as exc:
        return _unreached(exc, state)
    if (refused := outcomes.refusal(result.stdout)) is not None:
        return CancelResult("not-stopped", "The install was not cancelled and goes on: "
                            + refused.message, refused.remedy, "unreached")
    return read_answer(result.stdout, state)


def cancel_on(open_shell, state: InstallState) -> CancelResult:
    """`cancel` in a shell of its own, from the zero-argument factory `open_shell`: a shell
    that cannot be opened is a cancel that did not reach the target; one that fails to close
    changes nothing of the answer already had."""
    said: CancelResult | None = None
    try:
        with open_shell() as shell:
            said = cancel(shell, state)
    except EngineError as exc:
        return said or _unreached(exc, state)
    return said


def read_answer(stdout: str, state: InstallState) -> CancelResult:
    """install-cancel's answer, its last JSON line, in words; "unknown" when there is none."""
    answer = None
    for line in reversed((stdout or "").strip().splitlines()):
        try:
            answer = json.loads(line.strip().lstrip("\ufeff"))
        except ValueError:
            continue
        break
    if answer is None:
        said = "missing" if not (stdout or "").strip() else "not readable"
        return _unknown(state, f"the target's answer to the cancel was {said}")
    if not isinstance(answer, dict) or not isinstance(answer.get("stopped"), bool):
        return _unknown(state, "the target's answer to the cancel did not say whether it "
                        "ended the install")
    if answer.get("completed") is True:
        return _completed(answer)
    if answer["stopped"]:
        said = _stopped(answer.get("rolled_back"), answer.get("reason"))
        if answer.get("status_written") is False:
            # Ended, but its result could not be written: the follow ends on the cancel's
            # marker running out, without knowing whether Windows Installer rolled back.
            error = plain(answer.get("error"))
            why = f" ({error.rstrip('.')})" if error else ""
            return CancelResult(
                said.outcome, said.message + " Its result (1602) could not be written on the "
                f"target{why}: the follow will end saying so.",
                "Check the MSI log on the target to see whether the install was rolled back "
                f"({state.log_path}) before installing again.", said.reason)
        return said
    return _not_stopped(answer, state)


def _completed(answer: dict) -> CancelResult:
    """The runner was ended, but its log says the install had succeeded first: not undone."""
    code = answer.get("exit_code")
    ended = f" (exit code {code})" if isinstance(code, int) and not isinstance(code, bool) else ""
    return CancelResult(
        "not-stopped", f"The install was not cancelled: the install had completed{ended} before "
        "the cancel ended its runner, so Windows Installer had nothing to roll back.",
        "Its result is reported as usual; to undo it, uninstall MIM Service and Portal on the "
        "target (Programs and Features).", "completed")


def _stopped(rolled_back: object, reason: object = None) -> CancelResult:
    if reason == "under-way":
        # Another cancel ended the runner and waits for the rollback: not a second one.
        return CancelResult(
            "stopped", "The install is being cancelled: a cancel already under way ended its "
            "runner, and Windows Installer is rolling back what it had done.",
            "Wait for the install's result (1602 once rolled back) before installing again.",
            "under-way")
    if reason == "already-cancelled" and rolled_back is True:
        return CancelResult("stopped", "The install was already cancelled: an earlier cancel "
                            "ended its runner and Windows Installer rolled back what it had "
                            "done.", reason="already-cancelled")
    if reason == "already-cancelled" and rolled_back is False:
        return CancelResult(
            "rolling-back",
            "The install was already cancelled, but Windows Installer was still rolling it "
            "back when that cancel stopped waiting: another install started now may fail "
            "with 1618.", "Wait a few minutes for the rollback to end before installing again.",
            "already-cancelled")
    if rolled_back is True:
        return CancelResult("stopped", "The install was cancelled: its runner was ended and "
                            "Windows Installer rolled back what it had done.")
    if rolled_back is False:
        return CancelResult(
            "rolling-back",
            "The install was cancelled, but Windows Installer was still rolling it back when "
            "the cancel stopped waiting: another install started now would fail with 1618.",
            "Wait a few minutes for the rollback to end before installing again.")
    return CancelResult(
        "stopped", "The install's runner was ended; whether Windows Installer has finished "
        "rolling back was not said.",
        "Wait for the install's result (1602 once rolled back) before installing again.")


def _not_stopped(answer: dict, state: InstallState) -> CancelResult:
    reason = answer.get("reason") if isinstance(answer.get("reason"), str) else None
    pid = answer.get("pid")
    process = f" (process {pid})" if isinstance(pid, int) and not isinstance(pid, bool) else ""
    code = answer.get("exit_code")
    error = plain(answer.get("error"))
    if reason == "finished":
        ended = f" (exit code {code})" if isinstance(code, int) and not isinstance(
            code, bool) else ""
        return CancelResult(
            "not-stopped", f"The install was not cancelled: it had already ended{ended} "
            "before the cancel reached it.",
            "Its result is reported as usual; to undo a finished install, uninstall MIM "
            "Service and Portal on the target (Programs and Features).", reason)
    if reason == "not-running":
        return CancelResult(
            "not-stopped", f"The install was not cancelled: its runner{process} is no longer "
            "running on the target, so there was nothing to stop.",
            f"Its end is reported as usual; the MSI log {state.log_path} on the target says "
            "how far it got.", reason)
    if reason == "unconfirmed":
        return CancelResult(
            "not-stopped", f"The install was not cancelled and goes on: the process{process} "
            "could not be confirmed as its runner (its start time cannot be read by this "
            "account), and only a process seen to be the runner is ended.",
            _stop_it_there(state), reason)
    if reason == "refused":
        why = f" ({error.rstrip('.')})" if error else ""
        return CancelResult(
            "not-stopped", f"The install was not cancelled and goes on: ending its "
            f"runner{process} was refused on the target{why}.", _stop_it_there(state), reason)
    if reason == "no-status":
        return CancelResult(
            "not-stopped", "The install was not cancelled: its status could not be read on the "
            "target, so its runner could not be found. It may still be running.",
            f"Check Task Scheduler on the target for {state.task_name}, or follow it with: "
            f"mimsetup attach {state.install_id}", reason)
    return CancelResult(
        "not-stopped", "The install was not cancelled and may go on: the target did not say "
        "why its runner could not be ended.", _stop_it_there(state), None)


def _unreached(exc: EngineError, state: InstallState) -> CancelResult:
    return CancelResult(
        "not-stopped", "The install was not cancelled and goes on: the cancel did not reach "
        f"the target ({exc.message.rstrip('.')}).", exc.remedy or _stop_it_there(state),
        "unreached")


def _stop_it_there(state: InstallState) -> str:
    return ("Let it finish, or cancel again; on the target, an administrator can end the task "
            f"{state.task_name} in Task Scheduler (Windows Installer then rolls back).")


def _unknown(state: InstallState, why: str) -> CancelResult:
    return CancelResult(
        "unknown", f"Whether the install was cancelled is unknown: {why}. It may still be "
        "running.",
        "Wait for the install's result (a cancelled install ends with 1602), or check Task "
        f"Scheduler on the target for {state.task_name}.")

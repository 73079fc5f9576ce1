"""What a cancel says happened, against the simulated target (the real pywinrm client over
loopback): ended, or not ended and why (the install had already finished, its runner is gone,
ending it was refused), and "unknown" for an answer that cannot be read, never "cancelled"."""

from __future__ import annotations

import json
import threading
import time

import pytest

from tests.support.sim import cancel_from, install_acting_at_first_lines, rig
from tui.engine import scripts
from tui.engine.cancelling import read_answer
from tui.engine.install import cancel
from tui.engine.state import InstallState

STATE = InstallState("gone", {}, "mimsetup-install-gone", "C:\\w", "C:\\w\\status.json",
                     "C:\\w\\install.log", 0.0)


def _install_cancelling_at_the_first_lines(r):
    """Install on rig `r`, cancelling at the first log lines; (its end, the cancel's results)."""
    said = []
    finished = install_acting_at_first_lines(r, lambda state: cancel_from(r, state, said))
    return finished, said


def _cancel_with_status(status: dict | None):
    with rig() as r:
        if status is not None:
            r.machine.state.write_file(STATE.status_path, json.dumps(status))
        with r.shell() as shell:
            return cancel(shell, STATE)


def test_a_cancel_that_ends_the_runner_says_so():
    with rig(speed=20) as r:
        finished, said = _install_cancelling_at_the_first_lines(r)
    assert (finished.outcome, finished.exit_code) == ("cancelled", 1602)
    (result,) = said
    assert result.stopped and result.outcome == "stopped"
    assert result.message.startswith("The install was cancelled")


def test_a_runner_that_refuses_to_end_is_not_cancelled_and_the_install_goes_on():
    with rig(speed=20, kill_denied=True) as r:
        finished, said = _install_cancelling_at_the_first_lines(r)
    assert finished.outcome == "success"  # the install went on
    (result,) = said
    assert (result.outcome, result.reason) == ("not-stopped", "refused")
    assert not result.stopped and result.level == "error"
    assert "was not cancelled and goes on" in result.message
    assert "mimsetup-install-" in result.remedy  # the task an administrator can end there


def test_a_cancel_after_the_install_ended_says_it_had_ended():
    result = _cancel_with_status({"state": "done", "exit_code": 0, "pid": 4242})
    assert (result.outcome, result.reason) == ("not-stopped", "finished")
    assert "not cancelled: it had already ended (exit code 0)" in result.message


def test_a_cancel_of_a_runner_gone_says_there_was_nothing_to_stop():
    result = _cancel_with_status({"state": "running", "pid": 4242,
                                  "process_started": "2026-01-01T00:00:00.0000000Z"})
    assert (result.outcome, result.reason) == ("not-stopped", "not-running")
    assert "not cancelled" in result.message and not result.stopped


def test_a_cancel_without_a_status_says_the_runner_was_not_found():
    result = _cancel_with_status(None)
    assert (result.outcome, result.reason) == ("not-stopped", "no-status")
    assert "mimsetup attach gone" in result.remedy


@pytest.mark.parametrize("stdout", [
    "", "   \r\n", "not json", '["stopped"]', '{"rolled_back": true}', '{"stopped": "yes"}',
    '{"stopped": 1, "rolled_back": true}',
])
def test_an_answer_that_does_not_say_is_unknown_never_cancelled(stdout):
    result = read_answer(stdout, STATE)
    assert result.outcome == "unknown" and not result.stopped
    assert result.message.startswith("Whether the install was cancelled is unknown")
    assert "may still be running" in result.message


@pytest.mark.parametrize(("answer", "outcome"), [
    ({"stopped": True, "rolled_back": True}, "stopped"),
    ({"stopped": True, "rolled_back": False}, "rolling-back"),
    ({"stopped": True}, "stopped"),  # an older script's answer: ended, rollback not said
    ({"stopped": False, "rolled_back": None}, "not-stopped"),
])
def test_the_answer_is_read_from_its_last_json_line(answer, outcome):
    stdout = "WARNING: something\r\n" + json.dumps(answer) + "\r\n"
    result = read_answer(stdout, STATE)
    assert result.outcome == outcome
    if outcome == "rolling-back":
        assert "1618" in result.message
    if outcome == "not-stopped":
        assert "not cancelled" in result.message


@pytest.mark.parametrize("reason", ["finished", "not-running", "unconfirmed", "refused",
                                    "no-status"])
def test_each_reason_the_client_words_is_one_the_script_gives(reason):
    text = scripts.text("install-cancel")
    assert f"$reason = '{reason}'" in text
    said = read_answer(json.dumps({"stopped": False, "reason": reason, "pid": 4242}), STATE)
    assert said.reason == reason and "not cancelled" in said.message


def test_a_cancel_after_a_cancel_that_worked_says_it_was_already_cancelled():
    # The first cancel wrote done/1602 (cancelled_by install-cancel): a second one is not an
    # install that "had already ended" and needs no uninstall.
    result = _cancel_with_status({"state": "done", "exit_code": 1602, "pid": 4242,
                                  "rolled_back": True, "cancelled_by": "install-cancel"})
    assert (result.outcome, result.reason) == ("stopped", "already-cancelled"), result.message
    assert result.stopped and "already cancelled" in result.message
    assert "uninstall" not in result.text().lower()


def test_two_cancels_of_one_install_both_say_it_is_cancelled():
    # The second arrives while the first waits for the rollback (its marker within its limit):
    # it says a cancel is under way, not "nothing to stop", and kills nothing twice.
    with rig(speed=20, rollback_seconds=2.0) as r:
        said = []

        def two_cancels(state):
            first = threading.Thread(target=cancel_from, args=(r, state, said), daemon=True)
            first.start()
            while first.is_alive() and not r.machine.state.msi_mutex_held:
                time.sleep(0.02)  # until the first cancel waits for the rollback
            cancel_from(r, state, said)

        finished = install_acting_at_first_lines(r, two_cancels)
        for _ in range(1200):  # both answers (cancel() never raises), within a minute
            if len(said) == 2:
                break
            time.sleep(0.05)
    assert (finished.outcome, finished.exit_code) == ("cancelled", 1602), finished.message
    assert all(s.stopped for s in said), [s.message for s in said]
    assert {s.reason for s in said} == {None, "under-way"}, [s.message for s in said]


@pytest.mark.parametrize(("answer", "outcome"), [
    ({"stopped": True, "rolled_back": None, "reason": "under-way"}, "stopped"),
    ({"stopped": True, "rolled_back": True, "reason": "already-cancelled"}, "stopped"),
    ({"stopped": True, "rolled_back": False, "reason": "already-cancelled"}, "rolling-back"),
])
def test_an_earlier_cancel_is_worded_as_a_cancel(answer, outcome):
    result = read_answer(json.dumps(answer), STATE)
    assert result.outcome == outcome and result.reason == answer["reason"]
    assert "not cancelled" not in result.message and "nothing to stop" not in result.message


def test_a_cancel_whose_result_could_not_be_written_says_so():
    result = read_answer(json.dumps({"stopped": True, "rolled_back": True,
                                     "status_written": False, "error": "in use"}), STATE)
    assert result.stopped and "could not be written" in result.message
    assert STATE.log_path in result.remedy
    for reason in ("already-cancelled", "under-way"):
        assert f"$reason = '{reason}'" in scripts.text("install-cancel")


def test_a_cancel_after_the_install_completed_says_it_was_not_undone():
    result = read_answer(json.dumps({"stopped": True, "rolled_back": False, "completed": True,
                                     "exit_code": 3010}), STATE)
    assert (result.outcome, result.reason) == ("not-stopped", "completed")
    assert "the install had completed (exit code 3010) before the cancel" in result.message
    assert "uninstall" in result.remedy

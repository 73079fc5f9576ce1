"""Cancelling an install, against the simulated target playing Windows as documented: the runner
is ended, Windows Installer rolls back holding Global\\_MSIExecute (tens of seconds on a real
server), and only then does install-cancel write the result, 1602. The follow must wait for it:
a marker install-cancel leaves beside the status before the kill tells the tail that the
runner's end is a cancel under way, not a runner stopped. A cancel that died itself holds the
verdict back only until its limit and a margin have passed."""

from __future__ import annotations

import json
import time
from pathlib import Path

from tests.support.answers import contoso
from tests.support.sim import (
    cancel_from,
    install_acting_at_first_lines,
    rig,
    run_direct,
    target_clean,
)
from tui.engine import scripts
from tui.engine.install import POLL_MS, tail_params
from tui.engine.sim.install_script import installer_of, kill_runner
from tui.engine.sim.machine import WindowsMachine
from tui.engine.sim.state import SimProcessInfo
from tui.engine.state import InstallState


def _install_cancelled_at_the_first_lines(r):
    """Install on rig `r`, cancelling from another thread once the first log lines arrive."""
    return install_acting_at_first_lines(r, lambda state: cancel_from(r, state))


def test_cancel_ends_the_follow_with_1602_and_a_clean_target():
    with rig(speed=20) as r:
        result = _install_cancelled_at_the_first_lines(r)
        assert (result.outcome, result.exit_code) == ("cancelled", 1602)
        target_clean(r)


def test_a_cancel_ends_the_follow_once_the_rollback_has_freed_windows_installer():
    # The rollback holds Global\_MSIExecute after the runner is gone: "cancelled" is written once
    # it is free, so an install started right after does not meet 1618. It lasts a dozen of the
    # tail's polls here (the tail believes a runner gone once seen twice, a poll apart): the
    # follow reported "runner stopped" before the cancel could say 1602.
    with rig(speed=20, rollback_seconds=12 * POLL_MS / 1000) as r:
        result = _install_cancelled_at_the_first_lines(r)
        assert (result.outcome, result.exit_code) == ("cancelled", 1602), result.message
        assert r.machine.state.msi_mutex_held is False
        target_clean(r)  # the marker went with the work folder


def _tail_after_a_cancel(requested: str) -> dict | None:
    """Run the tail once (4 s at most) over a runner gone without a result and install-cancel's
    marker for it, written at `requested` with a 300 s limit; the tail's final batch, if any."""
    state = InstallState("gone", {}, "mimsetup-install-gone", "C:\\w", "C:\\w\\status.json",
                         "C:\\w\\install.log", 0.0)
    with WindowsMachine("healthy", answers=contoso()) as m:
        m.state.write_file(state.log_path, "=== Verbose logging started ===\r\n")
        m.state.write_file(state.status_path, json.dumps({
            "state": "running", "pid": 4242, "process_started": "2026-01-01T00:00:00.0000000Z"}))
        m.state.write_file(state.status_path + ".cancel", json.dumps(
            {"requested": requested, "wait_seconds": 300, "pid": 4242}))
        out, _err, _code = run_direct(m, "install-tail", tail_params(state) | {"max_seconds": 4})
    batches = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return next((b for b in batches if b.get("done")), None)


def test_a_cancel_that_died_after_its_marker_leaves_the_runner_gone():
    # The cancel ended the runner, then died itself (its shell closed, a restart): no 1602 will
    # come. Past its limit and the margin, the follow ends as for any runner gone.
    an_hour_ago = time.strftime("%Y-%m-%dT%H:%M:%S.0000000Z", time.gmtime(time.time() - 3600))
    final = _tail_after_a_cancel(an_hour_ago)
    assert final is not None and final.get("runner_gone") is True
    assert final["exit_code"] is None


def test_a_cancel_within_its_limit_holds_the_runner_gone_back():
    now = time.strftime("%Y-%m-%dT%H:%M:%S.0000000Z", time.gmtime())
    assert _tail_after_a_cancel(now) is None  # still waiting for the cancel's result


def test_cancel_waits_for_the_installer_mutex_and_readers_share_the_status_file():
    cancel_text = scripts.text("install-cancel")
    assert cancel_text.index("OpenExisting('Global\\_MSIExecute')") < cancel_text.index(
        "$done = @{ state = 'done'")
    assert "rolled_back" in cancel_text
    for name in ("install-tail", "install-cleanup", "install-cancel"):
        text = scripts.text(name)
        assert "Read-Status" in text and "ReadAllText" not in text, name
    process = scripts.text("runner-process")
    assert "[IO.FileShare]::ReadWrite -bor [IO.FileShare]::Delete" in process


def test_the_cancel_marks_before_the_kill_and_the_tail_reads_that_marker():
    cancel_text = scripts.text("install-cancel")
    tail_text = scripts.text("install-tail")
    assert "$markerPath = $statusPath + '.cancel'" in cancel_text
    # One copy of the marker's reading (runner-process), included by the tail and the cancel.
    for text in (tail_text, cancel_text):
        assert "# mimsetup-include: runner-process" not in text  # expanded
        assert text.count("function Test-CancelUnderWay") == 1
        assert "Read-Status ($statusPath + '.cancel')" in text
    for name in ("install-tail", "install-cancel"):
        raw = (Path(scripts.__file__).parent / f"{name}.ps1").read_text(encoding="utf-8")
        assert "# mimsetup-include: runner-process" in raw and "function Test-Cancel" not in raw
    kill = cancel_text.index("$proc.Kill()")
    # The marker before the kill; status.json only after it (the runner's own result is never
    # overwritten by a write made while it may still write it).
    assert cancel_text.index("Write-Json $markerPath") < kill < cancel_text.index(
        "Write-Json $statusPath")
    assert cancel_text.count("Write-Json $statusPath") == 1
    # Atomic: a temporary file replaced or moved into place.
    write = cancel_text[cancel_text.index("function Write-Json"):]
    write = write[:write.index("\n}\n")]
    assert "[IO.File]::WriteAllText($tmp" in write
    assert "[IO.File]::Replace($tmp, $path, $null)" in write
    assert "[IO.File]::Move($tmp, $path)" in write
    marker = cancel_text[cancel_text.index("Write-Json $markerPath"):kill]
    for field in ("requested", "wait_seconds", "pid"):
        assert f"{field} = " in marker and f"$marker.{field}" in tail_text, field
    # The marker holds back only the runner-gone verdict, before its sentence is returned.
    gone = tail_text[tail_text.index("function Get-RunnerGone"):]
    assert gone.index("Test-CancelUnderWay ([string]$Params.status_path) $status") < gone.index(
        "ended without reporting a result")


STARTED = "2026-01-01T00:00:00.0000000Z"


def _runner_on(m: WindowsMachine, state: InstallState, pid: int = 4242) -> SimProcessInfo:
    """A runner process alive on machine `m`, named by its status.json as the runner names it."""
    proc = SimProcessInfo(pid, "powershell.exe", "powershell.exe -File C:\\w\\run.ps1", STARTED)
    m.state.processes.append(proc)
    m.state.write_file(state.log_path, "=== Verbose logging started ===\r\n")
    m.state.write_file(state.status_path, json.dumps(
        {"state": "running", "pid": pid, "process_started": STARTED}))
    return proc


def _cancel_direct(m: WindowsMachine, state: InstallState) -> dict:
    out, _err, _code = run_direct(m, "install-cancel", {
        "task_name": state.task_name, "status_path": state.status_path,
        "rollback_wait_seconds": 2})
    return json.loads(out.strip().splitlines()[-1])


GONE = InstallState("gone", {}, "mimsetup-install-gone", "C:\\w", "C:\\w\\status.json",
                    "C:\\w\\install.log", 0.0)


def test_a_cancel_meeting_another_kill_under_way_keeps_the_marker_and_is_not_refused():
    # TerminateProcess is asynchronous: while another cancel's kill is ending the runner, Kill
    # throws "Access is denied". Read as a refusal, this cancel deleted the marker the other one
    # still needed, and the follow then said "runner stopped" instead of 1602.
    with WindowsMachine("healthy", answers=contoso()) as m:
        proc = _runner_on(m, GONE)
        inst = installer_of(m)
        inst.exit_seconds = 1.0
        kill_runner(m, inst, None, proc)  # the other cancel's kill (its marker written over)
        answer = _cancel_direct(m, GONE)
        assert answer["reason"] != "refused" and answer["stopped"] is True, answer
        assert m.state.path(GONE.status_path + ".cancel").exists()
        status = json.loads(m.state.path(GONE.status_path).read_text(encoding="utf-8"))
        assert (status["state"], status["exit_code"]) == ("done", 1602)


def test_a_cancel_deletes_only_a_marker_holding_its_own_nonce():
    text = scripts.text("install-cancel")
    assert "$nonce = [guid]::NewGuid().ToString()" in text
    marker = text[text.index("Write-Json $markerPath"):text.index("$proc.Kill()")]
    assert "nonce = $nonce" in marker
    delete = text[text.index("if ($marked -and -not $stopped)"):]
    delete = delete[:delete.index("\n}\n")]
    assert delete.index("[string]$mine.nonce -eq $nonce") < delete.index(
        "[IO.File]::Delete($markerPath)")
    # A refused Kill is first given 5 s to see the process end (another's kill).
    caught = text[text.index("$why = $_.Exception.Message"):]
    assert caught.index("$proc.WaitForExit(5000)") < caught.index("$reason = 'refused'")


def test_a_status_held_by_another_process_is_retried_and_said_unwritten():
    text = scripts.text("install-cancel")
    assert "Write-Json $statusPath $done 5" in text  # retried, as the runner's Write-Status
    assert "status_written = $statusWritten" in text
    with WindowsMachine("healthy", answers=contoso()) as m:
        _runner_on(m, GONE)
        m.state.held_files.add(str(m.state.path(GONE.status_path)))
        answer = _cancel_direct(m, GONE)
    assert answer["stopped"] is True and answer["status_written"] is False, answer


def test_a_cancel_that_never_wrote_its_result_is_not_blamed_on_the_task():
    # Past its marker's time the runner is gone, but it was a mimsetup cancel that ended it, not
    # Stop-ScheduledTask, the task's time limit or a restart.
    an_hour_ago = time.strftime("%Y-%m-%dT%H:%M:%S.0000000Z", time.gmtime(time.time() - 3600))
    final = _tail_after_a_cancel(an_hour_ago)
    assert final is not None and final.get("runner_gone") is True
    assert "Stop-ScheduledTask" not in final["error"]
    tail_text = scripts.text("install-tail")
    gone = tail_text[tail_text.index("function Get-RunnerGone"):]
    assert gone.index("if ($false -eq $cancel)") < gone.index("Stop-ScheduledTask")


def test_the_rollback_wait_is_timed_by_a_stopwatch_not_the_clock():
    text = scripts.text("install-cancel")
    wait = text[text.index("if ($wait) {"):text.index("$done = @{")]
    assert "[Diagnostics.Stopwatch]::StartNew()" in wait and "Get-Date" not in wait


def test_a_runner_ended_after_the_install_completed_keeps_its_success():
    # The mutex is free after a rollback and after a completed install alike: killed after
    # InstallFinalize committed (or before the runner wrote its result), MIM stays installed and
    # its log says so. The result written is the log's, not 1602.
    text = scripts.text("install-cancel")
    assert "function Get-LoggedResult" in text  # installer-result's, included
    with WindowsMachine("healthy", answers=contoso()) as m:
        _runner_on(m, GONE)
        m.state.write_file(GONE.log_path, "=== Verbose logging started ===\r\n"
                           "MSI (s) (A0:B4) [12:00:01:000]: MainEngineThread is returning 0\r\n")
        out, _err, _code = run_direct(m, "install-cancel", {
            "task_name": GONE.task_name, "status_path": GONE.status_path,
            "log_path": GONE.log_path, "rollback_wait_seconds": 2})
        answer = json.loads(out.strip().splitlines()[-1])
        status = json.loads(m.state.path(GONE.status_path).read_text(encoding="utf-8"))
    assert (answer["completed"], answer["exit_code"], answer["rolled_back"]) == (True, 0, False)
    assert (status["state"], status["exit_code"]) == ("done", 0)


def test_a_marker_whose_cancel_died_before_its_kill_does_not_stop_a_new_cancel():
    # The earlier cancel wrote its marker and died before Kill: the runner runs on. A new cancel
    # must end it, not answer "a cancel is under way".
    text = scripts.text("install-cancel")
    assert "(Test-CancelUnderWay $statusPath $status) -and (Test-RunnerEnds $status)" in text
    with WindowsMachine("healthy", answers=contoso()) as m:
        _runner_on(m, GONE)
        now = time.strftime("%Y-%m-%dT%H:%M:%S.0000000Z", time.gmtime())
        m.state.write_file(GONE.status_path + ".cancel", json.dumps(
            {"requested": now, "wait_seconds": 300, "pid": 4242, "nonce": "dead"}))
        answer = _cancel_direct(m, GONE)
        alive = any(p.pid == 4242 for p in m.state.processes)
    assert answer["stopped"] is True and answer["reason"] is None, answer
    assert not alive

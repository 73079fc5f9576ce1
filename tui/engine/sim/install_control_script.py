"""The simulated target's install-cleanup and install-cancel: the scripts that act on an install
install-start began (its task, its work folder, its runner), as install-cleanup.ps1 and
install-cancel.ps1 do.

install-cancel leaves a marker beside the status (`status.json.cancel`: when, its wait's limit,
the runner's pid) before it ends the runner, then writes the result (1602) once Windows
Installer's rollback has freed Global\\_MSIExecute: the tail waits for it instead of calling the
runner gone."""

from __future__ import annotations

import json
import re
import shutil
import threading
import time
import uuid

from tui.engine.sim.install_script import (
    installer_of,
    kill_runner,
    log_cmdlets,
    logged_result,
    runner_alive,
)
from tui.engine.sim.machine import ScriptRun, script
from tui.engine.sim.tailer import cancel_under_way


@script("install-cleanup")
def install_cleanup(run: ScriptRun) -> int:
    log_cmdlets(run)
    inst = installer_of(run.machine)
    install_id = str(run.params.get("install_id") or "")
    work = (f"C:\\Windows\\Temp\\mimsetup-{install_id}"
            if re.fullmatch(r"[0-9A-Za-z-]{1,64}", install_id) else run.params.get("work_dir"))
    removed = {"task": False, "work_dir": False, "running": False}
    if work:
        removed["running"], _ = runner_alive(run.machine, run.state.path(work) / "status.json")
    if removed["running"]:
        run.out.stdout(json.dumps(removed) + "\r\n")
        return 0
    removed["task"] = inst.tasks.pop(run.params.get("task_name", ""), None) is not None
    if work:
        path = run.state.path(work)
        shutil.rmtree(path, ignore_errors=True)
        removed["work_dir"] = not path.exists()
    else:
        removed["work_dir"] = True
    run.out.stdout(json.dumps(removed) + "\r\n")
    return 0


@script("install-cancel")
def install_cancel(run: ScriptRun) -> int:
    log_cmdlets(run)
    inst = installer_of(run.machine)
    path = run.state.path(str(run.params.get("status_path", "")))
    limit = float(run.params.get("rollback_wait_seconds") or 300)
    alive, status = runner_alive(run.machine, path)
    answer = {"stopped": False, "rolled_back": None, "reason": None, "error": None,
              "pid": (status or {}).get("pid"), "exit_code": None, "status_written": None,
              "completed": None}
    marker = path.with_name(path.name + ".cancel")
    if status is None:
        answer["reason"] = "no-status"
    elif status.get("state") == "done" and status.get("cancelled_by") == "install-cancel":
        answer.update(stopped=True, rolled_back=status.get("rolled_back"),
                      reason="already-cancelled")
        if status.get("completed_before_cancel"):
            answer.update(completed=True, exit_code=status.get("exit_code"))
    elif status.get("state") == "done":
        answer["reason"], answer["exit_code"] = "finished", status.get("exit_code")
    elif (status.get("state") == "running" and cancel_under_way(marker, status) is True
          and _wait_exit(run, int(status.get("pid") or 0), 5.0)):
        # Another cancel's kill ended it (or is ending it): nothing is killed twice. A marker
        # whose cancel died before its kill leaves a runner that runs on: that one is ended.
        answer.update(stopped=True, reason="under-way")
    elif not alive:
        answer["reason"] = "not-running"
    else:
        nonce = uuid.uuid4().hex
        # The marker first, then the kill: a tail never sees the runner gone without it.
        _write_marker(marker, {
            "requested": time.strftime("%Y-%m-%dT%H:%M:%S.0000000Z", time.gmtime()),
            "wait_seconds": limit, "pid": status["pid"], "nonce": nonce})
        pid = int(status["pid"])
        if inst.kill_denied or pid in inst.terminating:
            # Process.Kill throws Win32Exception "Access is denied": refused, or the process is
            # already terminating (another's kill), which WaitForExit(5000) then sees end.
            ended = _wait_exit(run, pid, 5.0)
            if ended:
                answer.update(stopped=True, reason="under-way")
            else:
                answer["reason"], answer["error"] = "refused", "Access is denied"
                if (_read(marker) or {}).get("nonce") == nonce:  # only this run's marker
                    marker.unlink(missing_ok=True)
        else:
            _kill(run, inst, pid)
            answer["stopped"] = True
        if answer["stopped"]:
            done = _finish(run, inst, path, pid, limit, str(run.params.get("log_path") or ""))
            answer.update(rolled_back=done["rolled_back"], status_written=done["written"])
            if done.get("completed_before_cancel"):
                answer.update(completed=True, exit_code=done["exit_code"])
    run.out.stdout(json.dumps(answer) + "\r\n")
    return 0


def _kill(run: ScriptRun, inst, pid: int) -> None:
    proc = next(p for p in run.state.processes if p.pid == pid)
    task = next((t for t in inst.tasks.values() if t.command == proc.command_line), None)
    kill_runner(run.machine, inst, task, proc)
    _wait_exit(run, pid, 30.0)


def _wait_exit(run: ScriptRun, pid: int, seconds: float) -> bool:
    """Process.WaitForExit(ms): whether the process left the table within `seconds`."""
    deadline = time.monotonic() + seconds
    while any(p.pid == pid for p in run.state.processes):
        if time.monotonic() >= deadline:
            return False
        run.out.sleep(0.05)
    return True


def _finish(run: ScriptRun, inst, path, pid: int, limit: float, log_path: str) -> dict:
    """Wait for the rollback, write 1602 (retried), or the install's own success when its log
    says it had completed (Get-LoggedResult); the record, with `written`."""
    rolled_back = _wait_rollback(run, inst.engine.rollback_seconds, limit)
    done = {"state": "done", "exit_code": 1602, "pid": pid, "rolled_back": rolled_back,
            "cancelled_by": "install-cancel"}
    logged = logged_result(run.state.path(log_path)) if rolled_back and log_path else None
    if logged in (0, 3010, 1641):
        done.update(exit_code=logged, rolled_back=False, completed_before_cancel=True)
    if not rolled_back:
        done["error"] = "still rolling back (Global\\_MSIExecute held)"
    _, last = runner_alive(run.machine, path)
    if (last or {}).get("state") == "done":  # a result the runner wrote before its end stays
        return done | {"written": None}
    for _try in range(5):
        if _write_marker(path, done, run.state.held_files):
            return done | {"written": True}
        run.out.sleep(0.2)
    return done | {"written": False}


def _read(path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_marker(path, data: dict, held: set[str] = frozenset()) -> bool:
    """Atomic, as File.Replace or File.Move of a written temporary file is; whether written
    (a file another process holds, `held`, makes File.Replace throw IOException)."""
    tmp = path.with_name(path.name + ".tmp")
    if str(path) in held:
        return False
    try:
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        return False
    return True


def _wait_rollback(run: ScriptRun, seconds: float, limit: float) -> bool:
    """Windows Installer rolls back after its client is gone, holding Global\\_MSIExecute for
    `seconds`; install-cancel waits for it within its limit and says whether it saw it free."""
    state = run.state
    if seconds > 0:
        state.msi_mutex_held = True
        timer = threading.Timer(seconds, setattr, (state, "msi_mutex_held", False))
        timer.daemon = True
        timer.start()
    deadline = time.monotonic() + limit
    while state.msi_mutex_held and time.monotonic() < deadline:
        run.out.sleep(0.05)
    return not state.msi_mutex_held

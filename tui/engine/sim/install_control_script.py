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

from tui.engine.sim.install_script import (
    installer_of,
    kill_runner,
    log_cmdlets,
    runner_alive,
    write_status,
)
from tui.engine.sim.machine import ScriptRun, script


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
              "pid": (status or {}).get("pid"), "exit_code": None}
    if status is None:
        answer["reason"] = "no-status"
    elif status.get("state") == "done":
        answer["reason"], answer["exit_code"] = "finished", status.get("exit_code")
    elif not alive:
        answer["reason"] = "not-running"
    elif inst.kill_denied:
        # Process.Kill throws Win32Exception; the marker written before it is deleted again.
        answer["reason"], answer["error"] = "refused", "Access is denied"
    else:
        answer["stopped"] = True
        answer["rolled_back"] = _end_runner(run, inst, path, status, limit)
    run.out.stdout(json.dumps(answer) + "\r\n")
    return 0


def _end_runner(run: ScriptRun, inst, path, status: dict, limit: float) -> bool:
    """Kill the runner seen alive, wait for the rollback, write 1602; whether it rolled back."""
    pid = int(status["pid"])
    proc = next(p for p in run.state.processes if p.pid == pid)
    task = next((t for t in inst.tasks.values() if t.command == proc.command_line), None)
    # The marker first, then the kill: a tail never sees the runner gone without it.
    _write_marker(path.with_name(path.name + ".cancel"), {
        "requested": time.strftime("%Y-%m-%dT%H:%M:%S.0000000Z", time.gmtime()),
        "wait_seconds": limit, "pid": pid})
    inst._stops[pid].set()
    if task is not None:
        kill_runner(run.machine, inst, task, proc)
    elif proc in run.state.processes:
        run.state.processes.remove(proc)
    rolled_back = _wait_rollback(run, inst.engine.rollback_seconds, limit)
    done = {"state": "done", "exit_code": 1602, "pid": pid}
    if not rolled_back:
        done["error"] = "still rolling back (Global\\_MSIExecute held)"
    _, last = runner_alive(run.machine, path)
    if (last or {}).get("state") != "done":  # a result the runner wrote before its end stays
        write_status(path, done)
    return rolled_back


def _write_marker(path, data: dict) -> None:
    """Atomic, as File.Replace or File.Move of a written temporary file is."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass


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

"""The simulated target's install: install-start, install-runner, install-tail, install-cleanup
and install-cancel, played against the machine's state, with Task Scheduler and Windows
Installer (msiengine.py) behaving as documented.

install-start does what install-start.ps1 does: the log's folder, an earlier log renamed, a work
folder, the secret properties sealed in it (AES-GCM under a machine key stands in for DPAPI), the
runner's text and its job file, and a task registered with the stored password. The simulated
Task Scheduler then starts the task's command line as Windows would: `powershell -File x.ps1`
is refused under a Group Policy AllSigned execution policy; `-EncodedCommand` text is not subject
to it; what the text reads and runs is found in the machine's files (the runner's header names
its emulation). Every process command line and every cmdlet call Module Logging would record is
kept on the machine (`state.process_log`, `state.module_log`) for the leak tests."""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tui.engine import scripts
from tui.engine.sim import modulelog
from tui.engine.sim import winbehaviour as win
from tui.engine.sim.machine import ScriptRun, WindowsMachine, script
from tui.engine.sim.msiengine import Engine, InstallerError, install_product, parse_properties
from tui.engine.sim.scenarios import mark_mim_installed
from tui.engine.sim.state import SimProcessInfo
from tui.engine.sim.tailer import TASK_HAS_NOT_RUN, TASK_RUNNING, tail

FIREWALL_KEY = "sim:firewall-inbound-rules"
MPR_KEY = "sim:mim-management-policy-rules-disabled"
# A management policy rule MIM's install creates disabled (its display name as MIM ships it);
# the simulation's own copy, so the checklist's name for it is tested, not borrowed.
MPR_OWN_ATTRIBUTES = "User management: Users can read attributes of their own"
TASK_READY = 3
TASK_TERMINATED = 0x41306  # SCHED_S_TASK_TERMINATED: the task was stopped
NOT_SIGNED = 1  # powershell.exe's exit code when the policy refuses the file

# Install outcome per machine scenario; anything else installs successfully.
SCENARIO_OUTCOMES = {"reboot-required": 3010, "install-fails": 1603, "sql-login-refused": 1603}
# What a failing scenario's install fails on (logscript.FAILURE_ACTIONS): install-fails on what
# no pre-flight can see (a SharePoint deployment job scheduled after it ran); sql-login-refused on
# the SQL logon its pre-flight already reported failing.
SCENARIO_FAILURES = {"install-fails": "sharepoint-deployment-under-way",
                     "sql-login-refused": "sql-login"}


@dataclass
class MsiexecRun:
    """One InstallProduct call, as the simulated Windows Installer saw it."""

    options: dict[str, str]
    properties: dict[str, str] = field(repr=False)
    exit_code: int | None = None


@dataclass
class Task:
    name: str
    user: str
    work_dir: str
    command: str  # the action's path and arguments
    state: int = TASK_READY
    last_result: int = TASK_HAS_NOT_RUN
    has_password: bool = True


@dataclass
class Installer:
    """Install state of one simulated machine (tests read it as `installer_of(machine)`)."""

    engine: Engine = field(default_factory=Engine)
    tasks: dict[str, Task] = field(default_factory=dict)
    runs: list[MsiexecRun] = field(default_factory=list)
    kill_runner_after: float | None = None  # seconds: the task is stopped (runner-dies)
    dpapi_fails: bool = False  # the sealed file cannot be unsealed (another machine's key)
    # Process.Kill on the runner fails with Win32Exception "Access is denied" (a caller without
    # the right to terminate it): install-cancel cannot end it, and the install goes on.
    kill_denied: bool = False
    exit_seconds: float = 0.0  # TerminateProcess is asynchronous: a killed process lingers
    terminating: set[int] = field(default_factory=set)
    key: bytes = field(default_factory=lambda: AESGCM.generate_key(bit_length=128), repr=False)
    _stops: dict[int, threading.Event] = field(default_factory=dict, repr=False)
    _threads: list[threading.Thread] = field(default_factory=list, repr=False)
    _next_pid: int = 6000

    # The knobs tests and scenarios set, kept where they were before the engine had its module.
    def __getattr__(self, name: str):
        if name in ("outcome", "speed", "lines_per_second", "scale", "busy_attempts",
                    "replayer", "language", "encoding", "open_log_after", "rollback_seconds"):
            return getattr(self.engine, name)
        raise AttributeError(name)

    def __setattr__(self, name: str, value) -> None:
        if name in ("outcome", "speed", "lines_per_second", "scale", "busy_attempts",
                    "replayer", "language", "encoding", "open_log_after", "rollback_seconds"):
            setattr(self.engine, name, value)
        else:
            object.__setattr__(self, name, value)

    def wait(self, timeout: float = 60.0) -> None:
        for t in list(self._threads):
            t.join(timeout)


_LOCK = threading.Lock()


def installer_of(machine: WindowsMachine) -> Installer:
    with _LOCK:
        inst = getattr(machine, "installer", None)
        if inst is None:
            inst = Installer()
            inst.outcome = SCENARIO_OUTCOMES.get(machine.scenario, 0)
            inst.engine.failure = SCENARIO_FAILURES.get(machine.scenario, "sql-login")
            if machine.scenario == "install-running":
                inst.busy_attempts = 1
            if machine.scenario == "runner-dies":
                inst.kill_runner_after = 2.0
            if machine.scenario == "localized-log":
                inst.language = "de"
            if machine.scenario == "ansi-log":  # German Windows, the log converted to ANSI
                inst.language, inst.encoding = "de", "cp1252"
            machine.installer = inst
        return inst


class WindowsView:
    """What the tail asks of Windows: processes, tasks, the code page."""

    def __init__(self, machine: WindowsMachine) -> None:
        self.machine = machine
        self.code_page = machine.state.code_page

    def process_alive(self, pid: int, started: str | None) -> bool:
        return any(p.pid == pid and (not started or p.started == started)
                   for p in self.machine.state.processes)

    def task(self, name: str) -> tuple[int, int] | None:
        task = installer_of(self.machine).tasks.get(name)
        return None if task is None else (task.state, task.last_result)


def log_cmdlets(run: ScriptRun) -> None:
    run.state.module_log += modulelog.records(run.script_text, run.params)


@script("install-start")
def install_start(run: ScriptRun) -> int:
    p, state = run.params, run.state
    inst = installer_of(run.machine)
    log_cmdlets(run)
    install_id = str(p.get("install_id", ""))
    if not re.fullmatch(r"[0-9A-Za-z-]{1,64}", install_id):
        run.out.stderr("install_id must be letters, digits and dashes.\r\n")
        return 1
    work = f"C:\\Windows\\Temp\\mimsetup-{install_id}"
    name = f"mimsetup-install-{install_id}"
    log = str(p.get("log_path", ""))
    result: dict = {"started": False, "task_name": name, "work_dir": work,
                    "status_path": work + "\\status.json", "log_path": log}
    work_path = state.path(work)
    created = False
    try:
        log_file = state.path(log)
        if not log_file.parent.is_dir():
            log_file.parent.mkdir(parents=True)
            result["created_log_folder"] = log.rsplit("\\", 1)[0]
        if log_file.exists():
            stem, dot, ext = log.rpartition(".")
            previous = f"{stem}.before-{install_id}.{ext}" if dot else f"{log}.before-{install_id}"
            log_file.replace(state.path(previous))
            result["previous_log"] = previous
        if work_path.exists():  # not ours: refused, and left as it is
            raise RuntimeError(f"The work folder {work} already exists; it was left as it is.")
        work_path.mkdir(parents=True)
        created = True
        secret = "".join(f' {k}="{str(v).replace(chr(34), chr(34) * 2)}"'
                         for k, v in (p.get("secret_properties") or {}).items())
        nonce = os.urandom(12)
        (work_path / "secrets.bin").write_bytes(
            nonce + AESGCM(inst.key).encrypt(nonce, secret.encode(), None))
        job = {"package": p.get("package", ""), "properties": p.get("properties", ""),
               "log_path": log, "task_name": name}
        (work_path / "install.json").write_text(json.dumps(job), encoding="utf-8")
        (work_path / "run.ps1").write_text(str(p.get("runner", "")), encoding="utf-8")
        state.path(work + "\\status.json").unlink(missing_ok=True)
        boot = (f"$w = '{work}'\r\n"
                "& ([scriptblock]::Create([IO.File]::ReadAllText($w + '\\run.ps1'))) $w")
        command = ("C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe -NoProfile "
                   "-NonInteractive -ExecutionPolicy Bypass -EncodedCommand "
                   + scripts.encode_command(boot))
        if not p.get("run_as_password") or not p.get("run_as_user"):
            raise RuntimeError("(0x8007052E) The user name or password is incorrect.")
        if win.registration_error(state):
            raise RuntimeError(win.registration_error(state))
        task = Task(name, str(p["run_as_user"]), work, command)
        inst.tasks[name] = task
        refused = win.task_start_result(state, task.user)
        if refused is None:
            run_task(run.machine, inst, task)
        else:  # registered, but the logon is refused when it starts
            task.state, task.last_result = TASK_READY, refused
        for _ in range(80):
            if state.path(result["status_path"]).exists():
                break
            if task.state != TASK_RUNNING and task.last_result != TASK_HAS_NOT_RUN:
                result["task_result"] = f"0x{task.last_result:08X}"
                raise RuntimeError("The scheduled task that runs the install ended at once "
                                   f"(task result 0x{task.last_result:08X}).")
            run.out.sleep(0.05)
        result["started"] = True
    except (OSError, RuntimeError) as exc:
        result["error"] = str(exc)
        inst.tasks.pop(name, None)
        if created:
            shutil.rmtree(work_path, ignore_errors=True)
    run.out.stdout(json.dumps(result) + "\r\n")
    return 0


def run_task(machine: WindowsMachine, inst: Installer, task: Task) -> None:
    """Task Scheduler starts the action's command line as the task's user."""
    state = machine.state
    state.process_log.append(task.command)
    task.state = TASK_RUNNING
    words = task.command.split()
    lowered = [w.lower() for w in words]
    if "-file" in lowered and state.execution_policy_gpo == "AllSigned":
        # Group Policy outranks -ExecutionPolicy Bypass: the unsigned file is not run.
        task.state, task.last_result = TASK_READY, NOT_SIGNED
        return
    runner_text = ""
    if "-encodedcommand" in lowered:
        text = scripts.decode_command(words[lowered.index("-encodedcommand") + 1])
        m = re.search(r"\$w = '([^']+)'", text)
        if m and "run.ps1" in text:
            try:
                runner_text = state.path(m[1] + "\\run.ps1").read_text(encoding="utf-8")
            except OSError:
                runner_text = ""
    elif "-file" in lowered:
        try:
            runner_text = state.path(words[lowered.index("-file") + 1].strip('"')).read_text(
                encoding="utf-8")
        except OSError:
            runner_text = ""
    if scripts.script_name(runner_text) != "install-runner":
        task.state, task.last_result = TASK_READY, 1
        return
    pid = inst._next_pid = inst._next_pid + 4
    started = time.strftime("%Y-%m-%dT%H:%M:%S.0000000Z", time.gmtime())
    proc = SimProcessInfo(pid, "powershell.exe", task.command, started)
    state.processes.append(proc)
    stop = inst._stops[pid] = threading.Event()
    state.module_log.extend(modulelog.records(runner_text, {}))
    thread = threading.Thread(target=_runner, args=(machine, inst, task, proc, stop),
                              daemon=True, name=f"sim-task-{task.name}")
    inst._threads.append(thread)
    thread.start()
    if inst.kill_runner_after is not None:
        timer = threading.Timer(inst.kill_runner_after, kill_runner, (machine, inst, task, proc))
        timer.daemon = True
        timer.start()


def kill_runner(machine: WindowsMachine, inst: Installer, task: Task | None,
                proc: SimProcessInfo) -> None:
    """The process ends without running another line (Stop-ScheduledTask, time limit, Kill);
    it leaves the process table `inst.exit_seconds` later (terminating meanwhile)."""
    inst._stops.get(proc.pid, threading.Event()).set()
    inst.terminating.add(proc.pid)  # a Kill meanwhile throws Win32Exception "Access is denied"

    def gone() -> None:
        if proc in machine.state.processes:
            machine.state.processes.remove(proc)
        inst.terminating.discard(proc.pid)
        if task is not None:
            task.state, task.last_result = TASK_READY, TASK_TERMINATED

    timer = threading.Timer(inst.exit_seconds, gone) if inst.exit_seconds > 0 else None
    timer.start() if timer is not None else gone()


def write_status(path: Path, data: dict) -> None:
    """Atomic; a folder removed meanwhile (a cleanup, the machine closed) gives up, as the
    runner's retried write does."""
    tmp = path.with_suffix(".tmp")
    try:
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass


def logged_result(path: Path) -> int | None:
    """The runner's Get-LoggedResult: the last "MainEngineThread is returning N" of the log's
    last 64 KB, read as UTF-16, else in the ANSI code page (a log written without a BOM)."""
    try:
        with path.open("rb") as f:
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - 65536))
            data = f.read()
    except OSError:
        return None
    start = (size - len(data)) % 2
    for text in (data[start:].decode("utf-16-le", "replace"), data.decode("cp1252", "replace")):
        found = re.findall(r"MainEngineThread is returning (\d+)", text)
        if found:
            return int(found[-1])
    return None


def _runner(machine: WindowsMachine, inst: Installer, task: Task, proc: SimProcessInfo,
            stop: threading.Event) -> None:
    """install-runner.ps1: status, unseal, InstallProduct through COM, status, remove the task."""
    state = machine.state
    work = state.path(task.work_dir)
    status_path = work / "status.json"
    me = {"pid": proc.pid, "process_started": proc.started}
    code, problem = -1, None
    try:
        write_status(status_path, {"state": "running", **me})
        job = json.loads((work / "install.json").read_text(encoding="utf-8"))
        sealed = (work / "secrets.bin").read_bytes()
        (work / "secrets.bin").unlink()
        if inst.dpapi_fails:
            raise ValueError('Exception calling "Unprotect" with "3" argument(s): "Key not valid '
                             'for use in specified state."')
        secret = AESGCM(inst.key).decrypt(sealed[:12], sealed[12:], None).decode()
        props = parse_properties(job["properties"] + secret)
        msirun = MsiexecRun({"package": job["package"], "log": job["log_path"]}, props)
        inst.runs.append(msirun)
        try:
            code = install_product(state, inst.engine, job["package"], props, job["log_path"],
                                   task.user, stop)
        except InstallerError as exc:
            # As the runner: a Win32 HRESULT carries the code; any other error does not, and
            # the engine's own result is read from its log below.
            if (exc.hresult >> 16) & 0x1FFF == 7:
                code = exc.hresult & 0xFFFF
            else:
                problem = f"Windows Installer: {exc}"
        logged = logged_result(state.path(job["log_path"]))
        if logged is not None and code in (0, -1):
            code, problem = logged, None
        msirun.exit_code = code
        if code in (0, 3010):
            _installed(state, props, state.read_msi(job["package"]) or {})
    except (OSError, ValueError, KeyError) as exc:
        problem = str(exc)
    if stop.is_set():
        return  # killed: nothing more runs, no status is written
    write_status(status_path, {"state": "done", "exit_code": code, "error": problem, **me})
    inst.tasks.pop(task.name, None)  # the runner removes its own task
    if proc in state.processes:
        state.processes.remove(proc)
    task.state, task.last_result = TASK_READY, 0


def _installed(state, props: dict, package: dict) -> None:
    mark_mim_installed(state, props.get("SQLSERVER_DATABASE"), package)
    if props.get("FIREWALL_CONF") == "1":
        state.reg_set(FIREWALL_KEY, "Forefront Identity Manager Service (STS)", 5726)
        state.reg_set(FIREWALL_KEY, "Forefront Identity Manager Service (Webservice)", 5725)
    # A new MIM Service ships this rule disabled; the walkthrough enables it by hand.
    state.reg_set(MPR_KEY, MPR_OWN_ATTRIBUTES, True)
    url = props.get("SHAREPOINT_URL")
    if url and "WebPortals" in props.get("ADDLOCAL", ""):
        state.sites[url.rstrip("/").lower() + "/identitymanagement"] = 200
    for prefix, feature in (("REGISTRATION", "RegistrationPortal"), ("RESET", "ResetPortal")):
        if feature in props.get("ADDLOCAL", "") and props.get(f"{prefix}_PORT", "").isdigit():
            port = int(props[f"{prefix}_PORT"])
            state.listening[port] = "w3wp.exe"
            host = props.get(f"{prefix}_HOSTNAME", "localhost").lower()
            state.sites[f"http://{host}:{port}/"] = 200


@script("install-tail")
def install_tail(run: ScriptRun) -> int:
    log_cmdlets(run)
    return tail(run.params, run.state.path, run.out, WindowsView(run.machine))


def runner_alive(machine: WindowsMachine, status_path: Path) -> tuple[bool, dict | None]:
    try:
        status = json.loads(status_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False, None
    alive = status.get("state") == "running" and WindowsView(machine).process_alive(
        int(status.get("pid") or 0), status.get("process_started"))
    return alive, status

"""The simulated target's install: install-start, install-tail, install-cleanup and
install-cancel, played against the machine's state.

install-start does what install-start.ps1 does on Windows: a work folder, the passwords sealed in
it (AES-GCM under a machine key stands in for DPAPI), a "scheduled task" whose runner deletes the
sealed file, joins the secret properties to the arguments with msiexec quoting, and "runs
msiexec": the command line is split as msiexec splits it (what the simulated msiexec received is
recorded, so tests can check that every value arrived as the user typed it), and the real log is
replayed, time-compressed, in UTF-16LE, ending as the machine's install outcome says."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tui.engine import preflight as pf
from tui.engine.checklist import MPR_OWN_ATTRIBUTES
from tui.engine.sim.logreplay import LogReplayer
from tui.engine.sim.machine import ScriptRun, WindowsMachine, script
from tui.engine.sim.scenarios import mark_mim_installed
from tui.engine.sim.tailer import tail
from tui.model.importer import parse_arguments

# Where the simulated state keeps what Windows keeps elsewhere (firewall, MIM's own rules).
FIREWALL_KEY = "sim:firewall-inbound-rules"
MPR_KEY = "sim:mim-management-policy-rules-disabled"

# Install outcome per machine scenario; anything else installs successfully.
SCENARIO_OUTCOMES = {"reboot-required": 3010, "install-fails": 1603}


@dataclass
class MsiexecRun:
    """One msiexec start, as the simulated msiexec saw it."""

    command_line: str = field(repr=False)
    options: dict[str, str]
    properties: dict[str, str] = field(repr=False)
    exit_code: int | None = None


@dataclass
class Task:
    name: str
    user: str
    work_dir: str
    state: str = "Ready"


@dataclass
class Installer:
    """Install state of one simulated machine (tests read it as `installer_of(machine)`)."""

    outcome: int = 0
    speed: float = 40.0  # replay speed: the reference log's 10 minutes in about 15 s
    lines_per_second: float | None = None
    scale: int = 1
    busy_attempts: int = 0  # msiexec answers 1618 this many more times, then runs
    tasks: dict[str, Task] = field(default_factory=dict)
    runs: list[MsiexecRun] = field(default_factory=list)
    replayer: LogReplayer | None = None
    key: bytes = field(default_factory=lambda: AESGCM.generate_key(bit_length=128), repr=False)
    _threads: list[threading.Thread] = field(default_factory=list, repr=False)

    def wait(self, timeout: float = 60.0) -> None:
        for t in list(self._threads):
            t.join(timeout)


_LOCK = threading.Lock()


def installer_of(machine: WindowsMachine) -> Installer:
    with _LOCK:
        inst = getattr(machine, "installer", None)
        if inst is None:
            inst = Installer(outcome=SCENARIO_OUTCOMES.get(machine.scenario, 0))
            if machine.scenario == "install-running":
                inst.busy_attempts = 1
            machine.installer = inst
        return inst


def _quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


@script("install-start")
def install_start(run: ScriptRun) -> int:
    p = run.params
    inst = installer_of(run.machine)
    if not p.get("run_as_password") or not p.get("run_as_user"):
        run.out.stderr("Register-ScheduledTask : The user name or password is incorrect.\r\n")
        return 1
    work = f"C:\\Windows\\Temp\\mimsetup-{p['install_id']}"
    work_path = run.state.path(work)
    work_path.mkdir(parents=True, exist_ok=True)
    nonce = os.urandom(12)
    sealed = nonce + AESGCM(inst.key).encrypt(
        nonce, json.dumps(p.get("secret_properties") or {}).encode(), None)
    (work_path / "secrets.bin").write_bytes(sealed)
    (work_path / "arguments.txt").write_text(p["arguments"], encoding="utf-8")
    (work_path / "run.ps1").write_text("# the runner install-start.ps1 writes\n", encoding="utf-8")
    status = work + "\\status.json"
    run.state.path(status).unlink(missing_ok=True)
    task = Task(p["task_name"], p["run_as_user"], work, "Running")
    inst.tasks[task.name] = task
    thread = threading.Thread(
        target=_runner, args=(run.machine, inst, task, p["log_path"], status), daemon=True,
        name=f"sim-task-{task.name}")
    inst._threads.append(thread)
    thread.start()
    run.out.stdout(json.dumps({"started": True, "task_name": task.name, "work_dir": work,
                               "status_path": status, "log_path": p["log_path"]}) + "\r\n")
    return 0


def _write_status(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    tmp.replace(path)


def _runner(machine: WindowsMachine, inst: Installer, task: Task, log: str, status: str) -> None:
    state = machine.state
    work = state.path(task.work_dir)
    status_path = state.path(status)
    code = -1
    try:
        sealed = (work / "secrets.bin").read_bytes()
        (work / "secrets.bin").unlink()
        secrets = json.loads(AESGCM(inst.key).decrypt(sealed[:12], sealed[12:], None))
        line = (work / "arguments.txt").read_text(encoding="utf-8")
        for name, value in secrets.items():
            line += f" {name}={_quote(value)}"
        options, props = parse_arguments(line)
        msirun = MsiexecRun(line, options, props)
        inst.runs.append(msirun)
        _write_status(status_path, {"state": "running", "pid": 5000 + len(inst.runs)})
        code = _msiexec(state, inst, options, props, log)
        msirun.exit_code = code
    finally:
        task.state = "Ready"
        _write_status(status_path, {"state": "done", "exit_code": code, "error": None})


def _short_log(path: Path, code: int, message: str) -> None:
    stamp = time.strftime("%d/%m/%Y  %H:%M:%S")
    clock = time.strftime("%H:%M:%S")
    lines = [
        f"=== Verbose logging started: {stamp}  Build type: SHIP UNICODE 5.00.10011.00  "
        "Calling process: C:\\Windows\\system32\\msiexec.exe ===",
        f"MSI (c) (A4:B8) [{clock}:101]: {message}",
        f"MSI (c) (A4:B8) [{clock}:102]: MainEngineThread is returning {code}",
        f"=== Verbose logging stopped: {stamp} ===",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xff\xfe" + ("\r\n".join(lines) + "\r\n").encode("utf-16-le"))


def _msiexec(state, inst: Installer, options: dict, props: dict, log: str) -> int:
    log_path = state.path(log)
    if inst.busy_attempts > 0:
        inst.busy_attempts -= 1
        if inst.busy_attempts == 0:
            state.msi_mutex_held = False
        _short_log(log_path, 1618, "Another installation is already in progress. Complete "
                   "that installation before proceeding with this install.")
        return 1618
    package = state.read_msi(options.get("package", ""))
    if package is None:
        _short_log(log_path, 1619, "This installation package could not be opened.")
        return 1619
    if package.get("ProductCode") != pf.PRODUCT_CODE:
        _short_log(log_path, 1620, "This installation package could not be opened. Contact the "
                   "application vendor to verify that this is a valid Windows Installer package.")
        return 1620
    if pf.PRODUCT_CODE in state.products:
        _short_log(log_path, 1638, "Another version of this product is already installed.")
        return 1638
    if log_path.exists():
        log_path.unlink()  # /l*v! starts a new log
    replayer = LogReplayer(log_path, inst.outcome, inst.speed,
                           lines_per_second=inst.lines_per_second, scale=inst.scale)
    inst.replayer = replayer
    replayer.run()
    if not replayer.completed:
        return 1602  # cancelled: Windows Installer rolls back
    code = replayer.exit_code if replayer.exit_code is not None else 1603
    if code in (0, 3010):
        _installed(state, props)
    return code


def _installed(state, props: dict) -> None:
    mark_mim_installed(state, props.get("SQLSERVER_DATABASE"))
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
    return tail(run.params, run.state.path, run.out)


@script("install-cleanup")
def install_cleanup(run: ScriptRun) -> int:
    inst = installer_of(run.machine)
    removed = {"task": inst.tasks.pop(run.params.get("task_name", ""), None) is not None,
               "work_dir": False}
    work = run.params.get("work_dir")
    if work:
        path = run.state.path(work)
        shutil.rmtree(path, ignore_errors=True)
        removed["work_dir"] = not path.exists()
    run.out.stdout(json.dumps(removed) + "\r\n")
    return 0


@script("install-cancel")
def install_cancel(run: ScriptRun) -> int:
    inst = installer_of(run.machine)
    stopped = False
    if inst.replayer is not None and not inst.replayer.done:
        inst.replayer.stop()
        stopped = True
    run.out.stdout(json.dumps({"stopped": stopped}) + "\r\n")
    return 0

"""The simulated Windows Installer service: `Installer.InstallProduct(path, properties)` as the
COM API does it, against the machine's state.

The property string is read the way Windows Installer reads a command line's properties
("Command-Line Options", "About Properties"): `NAME=value` pairs separated by spaces; a value with
spaces is enclosed in double quotes and a double quote inside it is written twice. Failures come
back as the automation interface reports them: a generic exception (DISP_E_EXCEPTION), the code
only in the log; success, 3010 included, returns normally (the code is in the log's last line).
EnableLog's file is opened when the engine starts, some time after the call (an old log stays
readable until then), and its folder is never created (1622)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from tui.engine.sim.logreplay import LogReplayer, reference_lines
from tui.engine.sim.verbose import LogFacts, personalise, verbose

OPEN_LOG_AFTER = 1.0  # seconds between the call and the engine opening its log


# The automation interface's errors are generic: a failed method is DISP_E_EXCEPTION with the
# method's name and parameter names as its message; the Windows Installer code is in the log
# ("MainEngineThread is returning N"), not in the exception.
DISP_E_EXCEPTION = 0x80020009


class InstallerError(Exception):
    """What the COM call raises: DISP_E_EXCEPTION, nothing of the Windows Installer code."""

    def __init__(self, _code: int, _why: str) -> None:
        # The code and reason name the failure where it is raised; neither travels.
        super().__init__("InstallProduct,PackagePath,PropertyValues")
        self.hresult = DISP_E_EXCEPTION


def parse_properties(text: str) -> dict[str, str]:
    """`NAME=value NAME="a ""quoted"" value"` to a dict, as Windows Installer reads it."""
    props: dict[str, str] = {}
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i] == " ":
            i += 1
        if i >= n:
            break
        eq = text.find("=", i)
        if eq < 0:
            raise InstallerError(1639, "Invalid command line argument.")
        name = text[i:eq]
        i = eq + 1
        if i < n and text[i] == '"':
            i += 1
            value = []
            while i < n:
                if text[i] == '"':
                    if i + 1 < n and text[i + 1] == '"':
                        value.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                value.append(text[i])
                i += 1
            props[name.upper()] = "".join(value)
        else:
            end = text.find(" ", i)
            end = n if end < 0 else end
            props[name.upper()] = text[i:end]
            i = end
    return props


@dataclass
class Engine:
    """One machine's Windows Installer service (tests reach it as `installer_of(m).engine`)."""

    outcome: int = 0
    speed: float = 40.0
    lines_per_second: float | None = None
    scale: int = 1
    busy_attempts: int = 0
    language: str = "en"
    encoding: str = "utf-16-le"  # "cp1252": a log converted to ANSI, no BOM
    open_log_after: float = OPEN_LOG_AFTER
    rollback_seconds: float = 0.0  # how long a rollback holds Global\_MSIExecute after a cancel
    failure: str = "sql-login"  # what a 1603 fails on (logscript.FAILURE_ACTIONS)
    replayer: LogReplayer | None = None
    runs: list = field(default_factory=list)


def _short_log(path, code: int, message: str) -> None:
    stamp = time.strftime("%d/%m/%Y  %H:%M:%S")
    clock = time.strftime("%H:%M:%S")
    lines = [
        f"=== Verbose logging started: {stamp}  Build type: SHIP UNICODE 5.00.10011.00  "
        "Calling process: C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe ===",
        f"MSI (c) (A4:B8) [{clock}:101]: {message}",
        f"MSI (c) (A4:B8) [{clock}:102]: MainEngineThread is returning {code}",
        f"=== Verbose logging stopped: {stamp} ===",
    ]
    path.write_bytes(b"\xff\xfe" + ("\r\n".join(lines) + "\r\n").encode("utf-16-le"))


def install_product(state, engine: Engine, package: str, properties: dict[str, str],
                    log: str, user: str, stop) -> int:
    """Run the install; returns 0 or 3010, raises InstallerError otherwise. `stop` (an Event)
    set from outside ends it early, as a client that went away does: rolled back, 1602."""
    log_path = state.path(log)
    if not log_path.parent.is_dir():
        raise InstallerError(1622, "Error opening installation log file. Verify that the "
                                   "specified log file location exists and that you can write "
                                   "to it.")
    if stop.wait(engine.open_log_after):
        raise InstallerError(1602, "User cancelled installation.")
    if engine.busy_attempts > 0:
        engine.busy_attempts -= 1
        if engine.busy_attempts == 0:
            state.msi_mutex_held = False
        _short_log(log_path, 1618, "Another installation is already in progress.")
        raise InstallerError(1618, "Another installation is already in progress.")
    pkg = state.read_msi(package)
    if pkg is None:
        _short_log(log_path, 1619, "This installation package could not be opened.")
        raise InstallerError(1619, "This installation package could not be opened.")
    # The emulation installs MIM Service and Portal of any release (each has its ProductCode);
    # Windows Installer says 1638 when that same ProductCode is installed already.
    if not re.search(r"Identity Manager.*Service and Portal", pkg.get("ProductName", "")):
        _short_log(log_path, 1620, "This installation package could not be opened.")
        raise InstallerError(1620, "This installation package could not be opened.")
    if pkg.get("ProductCode", "").upper() in state.products:
        _short_log(log_path, 1638, "Another version of this product is already installed.")
        raise InstallerError(1638, "Another version of this product is already installed.")
    facts = LogFacts(properties, pkg, user, state.computer_name, state.domain or "contoso.local",
                     engine.language)
    source = verbose(personalise(reference_lines(), facts), facts)
    replayer = LogReplayer(log_path, engine.outcome, engine.speed,
                           lines_per_second=engine.lines_per_second, scale=engine.scale,
                           source=source, language=engine.language, encoding=engine.encoding,
                           bom=engine.encoding.startswith("utf-16"), failure=engine.failure)
    engine.replayer = replayer
    replayer.start()
    while not replayer.wait(0.05):
        if stop.is_set():
            replayer.stop()
    if not replayer.completed:
        raise InstallerError(1602, "User cancelled installation.")
    code = replayer.exit_code if replayer.exit_code is not None else 1603
    if code not in (0, 3010):
        raise InstallerError(code, "Fatal error during installation.")
    return code

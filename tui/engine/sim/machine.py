"""`WindowsMachine`: the simulated Windows server behind the simulated WinRS endpoint.

It implements the `Machine` protocol of `process.py`. What it understands:
  * `powershell.exe ... -EncodedCommand <bootstrap>`: the way every mimsetup script arrives. The
    script text and its parameters come on stdin; the script's header names it, and the handler
    registered under that name (`@script("name")`) plays it against the machine's state with the
    very parameters the real script would receive;
  * `powershell -encodedcommand <small script>` as `winrm.Session.run_ps` sends it: a script whose
    first line is `# mimsetup-check: <id>` runs that single pre-flight check (its params in a
    `$Params = '<json>' | ConvertFrom-Json` line), which is how the naive benchmark talks to it;
    `hostname`, `$env:COMPUTERNAME` and `whoami` are answered too;
  * a few cmd commands: hostname, whoami, ipconfig, echo, exit N.
Anything else fails the way Windows says "not recognized".

Handlers for later scripts (install, tail, checklist) plug in with `@script("name")` in a module
of this package named `<something>_script.py` (found and imported on first use), or per machine
through `WindowsMachine(scripts={...})`.
"""

from __future__ import annotations

import importlib
import json
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tui.engine import scripts
from tui.engine.sim.process import OutputSink, ProcessFn, StdinReader, ThreadProcess
from tui.engine.sim.state import MachineState

CHECK_HEADER = re.compile(r"^# mimsetup-check: ([a-z0-9-]+)\s*$", re.MULTILINE)
INLINE_PARAMS = re.compile(r"^\$Params = '((?:[^']|'')*)' \| ConvertFrom-Json\s*$", re.MULTILINE)
NOT_RECOGNIZED = 9009


@dataclass
class ScriptRun:
    """What a script handler gets: the machine, its state, the script's params, who runs it."""

    machine: WindowsMachine
    name: str
    params: dict
    user: str
    out: OutputSink
    script_text: str = ""

    @property
    def state(self) -> MachineState:
        return self.machine.state


ScriptHandler = Callable[[ScriptRun], int]
# The handler of one check run inline (`# mimsetup-check: ID`; the run's name is the check's id),
# registered by the pre-flight's emulation like any script.
SINGLE_CHECK = "check"

_REGISTRY: dict[str, ScriptHandler] = {}
# Every module of this package named `*_script` is imported before the first script runs, so
# that its `@script(...)` handlers are registered: an emulation plugs in by existing.
SCRIPT_MODULE_SUFFIX = "_script"
_loading = threading.Lock()
_loaded_modules: list[str] = []


def script(name: str) -> Callable[[ScriptHandler], ScriptHandler]:
    """Register a handler for the mimsetup script `name` (its header line)."""

    def register(fn: ScriptHandler) -> ScriptHandler:
        _REGISTRY[name] = fn
        return fn

    return register


def script_modules() -> list[str]:
    import pkgutil

    from tui.engine import sim

    return sorted(
        f"{sim.__name__}.{m.name}"
        for m in pkgutil.iter_modules(sim.__path__)
        if m.name.endswith(SCRIPT_MODULE_SUFFIX)
    )


def registered_scripts() -> dict[str, ScriptHandler]:
    with _loading:
        if not _loaded_modules:
            for module in script_modules():
                importlib.import_module(module)
                _loaded_modules.append(module)
    return dict(_REGISTRY)


@dataclass
class Started:
    """One command the machine was asked to run (for tests: what arrived, as whom)."""

    command_line: str
    user: str
    script: str | None = None
    params: dict | None = field(default=None, repr=False)


class WindowsMachine:
    """A Windows server with MIM's prerequisites in the named scenario (see scenarios.py).

    `answers` (an AnswerFile) makes the healthy baseline match that file: its MSI path, SQL Server,
    accounts and site collection exist. The state lives in a temporary directory removed by
    `close()` (or the context manager).
    """

    def __init__(
        self,
        scenario: str = "healthy",
        *,
        answers: object | None = None,
        root: Path | None = None,
        scripts: dict[str, ScriptHandler] | None = None,
        delay: float = 0.0,
    ) -> None:
        from tui.engine.sim.scenarios import build_state, scenario_named

        self.scenario = scenario_named(scenario).name
        self._own_root = root is None
        self.root = Path(tempfile.mkdtemp(prefix="mimsetup-machine-")) if root is None else root
        self.state: MachineState = build_state(self.scenario, self.root, answers)
        self._scripts = scripts
        self.delay = delay  # seconds each script takes, for demos
        self.started: list[Started] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"WindowsMachine({self.scenario!r}, {self.state.computer_name})"

    def __enter__(self) -> WindowsMachine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    @property
    def handlers(self) -> dict[str, ScriptHandler]:
        return {**registered_scripts(), **(self._scripts or {})}

    def scripts_run(self) -> list[str]:
        return [s.script for s in self.started if s.script]

    # --- the Machine protocol -------------------------------------------------------------------

    def start(self, command: str, arguments: list[str], user: str) -> ThreadProcess:
        line = " ".join([command, *arguments])
        entry = Started(line, user)
        with self._lock:
            self.started.append(entry)
            self.state.process_log.append(line)
        return ThreadProcess(self._program(line, user, entry), name=f"sim:{command}")

    def _program(self, line: str, user: str, entry: Started) -> ProcessFn:
        words = line.split()
        if len(words) >= 2 and words[0].lower() in ("cmd", "cmd.exe") and words[1].lower() == "/c":
            words = words[2:]
        if not words:
            return _fail("The syntax of the command is incorrect.", 1)
        head = words[0].lower()
        if head.endswith("\\powershell.exe"):
            head = "powershell.exe"
        if head in ("powershell", "powershell.exe"):
            return self._powershell(words, user, entry)
        if head == "hostname":
            return _print(self.state.computer_name)
        if head == "whoami":
            return _print(user.lower())
        if head == "ipconfig":
            return _print(self._ipconfig())
        if head == "echo":
            return _print(" ".join(words[1:]))
        if head == "exit":
            code = int(words[1]) if len(words) > 1 and words[1].lstrip("-").isdigit() else 0
            return lambda stdin, out: code
        return _fail(f"'{words[0]}' is not recognized as an internal or external command,\r\n"
                     "operable program or batch file.", NOT_RECOGNIZED)

    def _ipconfig(self) -> str:
        return ("\r\nWindows IP Configuration\r\n\r\n\r\nEthernet adapter Ethernet:\r\n\r\n"
                f"   Connection-specific DNS Suffix  . : {self.state.domain}\r\n"
                "   IPv4 Address. . . . . . . . . . . : 10.0.0.10\r\n"
                "   Subnet Mask . . . . . . . . . . . : 255.255.255.0\r\n"
                "   Default Gateway . . . . . . . . . : 10.0.0.1")

    def _powershell(self, words: list[str], user: str, entry: Started) -> ProcessFn:
        lowered = [w.lower() for w in words]
        flag = next((i for i, w in enumerate(lowered) if w in ("-encodedcommand", "-enc", "-e")),
                    None)
        if flag is None or flag + 1 >= len(words):
            return _fail("The simulated target runs PowerShell only as -EncodedCommand.", 1)
        try:
            text = scripts.decode_command(words[flag + 1])
        except ValueError:
            return _fail("Cannot process the command because the value specified with "
                         "-EncodedCommand is not properly encoded.", 1)
        if scripts.script_name(text) == "bootstrap":
            return self._bootstrap(user, entry, text)
        return self._inline(text, user, entry)

    def _bootstrap(self, user: str, entry: Started, boot: str) -> ProcessFn:
        def fn(stdin: StdinReader, out: OutputSink) -> int:
            from tui.engine.sim import modulelog, winbehaviour

            refused = winbehaviour.language_refusal(self.state)
            if refused:  # the bootstrap's first lines: Constrained Language Mode stops it
                out.stdout(refused + "\r\n")
                return 3
            raw = stdin.read_all()
            self.state.module_log += modulelog.records(boot, {}, raw.decode("utf-8", "replace"))
            try:
                name, text, params = scripts.parse_stdin_payload(raw)
            except ValueError as exc:
                out.stderr(f"Exception calling \"DeserializeObject\" with \"1\" argument(s): "
                           f"\"Invalid JSON primitive: {exc}\"\r\n")
                return 1
            entry.script, entry.params = name, params
            handler = self.handlers.get(name or "")
            if handler is None:
                out.stderr(f"The simulated target has no emulation of the script '{name}'.\r\n")
                return 1
            if self.delay:
                out.sleep(self.delay)
            return int(handler(ScriptRun(self, name or "", params, user, out, text)) or 0)

        return fn

    def _inline(self, text: str, user: str, entry: Started) -> ProcessFn:
        check = CHECK_HEADER.search(text[:400])
        if check is not None:
            m = INLINE_PARAMS.search(text)
            params = json.loads(m.group(1).replace("''", "'")) if m else {}
            entry.script, entry.params = f"check:{check.group(1)}", params
            return self._single_check(check.group(1), params, user)
        body = text.strip().lower()
        if body in ("hostname", "$env:computername"):
            return _print(self.state.computer_name)
        if body in ("whoami", "[environment]::username"):
            return _print(user.lower())
        return _fail("The simulated target does not run arbitrary PowerShell.", 1)

    def _single_check(self, check_id: str, params: dict, user: str) -> ProcessFn:
        handler = self.handlers.get(SINGLE_CHECK)

        def fn(stdin: StdinReader, out: OutputSink) -> int:
            if handler is None:
                out.stderr("The simulated target has no emulation of single checks.\r\n")
                return 1
            return int(handler(ScriptRun(self, check_id, params, user, out)) or 0)

        return fn


def _print(text: str) -> ProcessFn:
    def fn(stdin: StdinReader, out: OutputSink) -> int:
        out.stdout(text + "\r\n")
        return 0

    return fn


def _fail(message: str, code: int) -> ProcessFn:
    def fn(stdin: StdinReader, out: OutputSink) -> int:
        out.stderr(message + "\r\n")
        return code

    return fn

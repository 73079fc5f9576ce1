"""The WinRS actions of the simulated target, on shells and commands kept by id.

State is keyed by ShellId/CommandId, never by connection, so a client that lost its connection
and authenticated again keeps receiving from a command it started before.
"""

from __future__ import annotations

import base64
import binascii
import logging
import threading
import time
from dataclasses import dataclass, field

from tui.engine.sim import soap
from tui.engine.sim.faults import Counters, StartedCommand
from tui.engine.sim.process import Machine, SimProcess

log = logging.getLogger(__name__)

_TERMINATE = f"{soap.SHELL_URI}/signal/terminate"
_CTRL_C = f"{soap.SHELL_URI}/signal/ctrl_c"
DEFAULT_IDLE_TIMEOUT = 7200.0  # what the recorded Windows servers report (winrs-recorded/)


@dataclass
class Command:
    id: str
    process: SimProcess
    out: bytearray = field(default_factory=bytearray)
    err: bytearray = field(default_factory=bytearray)
    exit_code: int | None = None
    # One Receive at a time per command: two answers must not share or reorder output.
    lock: threading.Lock = field(default_factory=threading.Lock)

    def receive(
        self, wait: float, max_envelope: int, cap: int | None = None
    ) -> tuple[bytes, bytes, bool] | None:
        """Output for one Receive answer, or None when nothing came within `wait` seconds."""
        with self.lock:
            limit = time.monotonic() + wait
            while not self.out and not self.err and self.exit_code is None:
                left = limit - time.monotonic()
                out, err, code = self.process.read(max(0.0, left))
                self.out += out
                self.err += err
                self.exit_code = code
                if left <= 0 and not (out or err or code is not None):
                    return None
            # base64 grows data by 4/3; the rest of the envelope needs RECEIVE_OVERHEAD.
            room = max_envelope - soap.RECEIVE_OVERHEAD - 4 * soap.STREAM_OVERHEAD
            budget = max(3, min(room // 4 * 3, cap or room))
            out = bytes(self.out[:budget])
            del self.out[: len(out)]
            err = bytes(self.err[: budget - len(out)])
            del self.err[: len(err)]
            done = self.exit_code is not None and not self.out and not self.err
            return out, err, done


@dataclass
class Shell:
    id: str
    owner: str
    # MS-WSMV 2.2.4.37 Shell/IdleTimeOut: the client may ask; the server deletes a shell that
    # receives no request for this long (ending its processes).
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT
    commands: dict[str, Command] = field(default_factory=dict)
    last_request: float = field(default_factory=time.monotonic)


Answer = tuple[int, bytes]  # HTTP status, plaintext envelope


class WinRS:
    def __init__(self, machine: Machine, counters: Counters, address: str, wait_cap: float,
                 max_shells_per_user: int = 30):
        self.machine = machine
        self.max_shells_per_user = max_shells_per_user  # MaxShellsPerUser, 30 by default
        # Output bytes one Receive answer may carry (None: what fits the envelope). WinRS hands
        # out what the process wrote so far, often a few KB: a batch may span several answers.
        self.output_cap: int | None = None
        self.counters = counters
        self.address = address
        self.wait_cap = wait_cap
        self.shells: dict[str, Shell] = {}
        self._lock = threading.Lock()

    def live_commands(self) -> int:
        with self._lock:
            return sum(len(s.commands) for s in self.shells.values())

    def handle(self, req: soap.Request, user: str) -> Answer:
        with self.counters.lock:
            self.counters.operation_timeouts.append((req.action, req.operation_timeout))
        self._expire_idle()
        if req.action == "Create":
            return self._create(req, user)
        with self._lock:
            shell = self.shells.get(req.shell_id or "")
            if shell is not None:
                shell.last_request = time.monotonic()
        if shell is None:
            return 500, soap.no_shell(req, req.shell_id or "")
        handler = {
            "Command": self._command,
            "Send": self._send,
            "Receive": self._receive,
            "Signal": self._signal,
            "Delete": self._delete,
        }[req.action]
        return handler(req, shell)

    def _create(self, req: soap.Request, user: str) -> Answer:
        asked = req.body.findtext("rsp:Shell/rsp:IdleTimeOut", None, soap.NS)
        idle = soap.duration(asked) if asked else DEFAULT_IDLE_TIMEOUT
        shell = Shell(soap.new_id(), user, idle)
        with self._lock:
            if sum(s.owner == user for s in self.shells.values()) >= self.max_shells_per_user:
                return 500, soap.max_shells(req, self.max_shells_per_user)
            self.shells[shell.id] = shell
        return 200, soap.create_response(req, shell.id, user, self.address, idle)

    def _expire_idle(self) -> None:
        """Delete shells that had no request for their idle timeout, as WinRM does."""
        now = time.monotonic()
        with self._lock:
            expired = [s for s in self.shells.values() if now - s.last_request > s.idle_timeout]
            for shell in expired:
                del self.shells[shell.id]
        for shell in expired:
            for cmd in shell.commands.values():
                cmd.process.terminate()

    def _command(self, req: soap.Request, shell: Shell) -> Answer:
        line = req.body.find("rsp:CommandLine", soap.NS)
        if line is None:
            return 500, soap.internal_error(req, "The request has no command line.")
        command = (line.findtext("rsp:Command", "", soap.NS) or "").strip()
        arguments = [a.text or "" for a in line.findall("rsp:Arguments", soap.NS)]
        try:
            process = self.machine.start(command, arguments, shell.owner)
        except Exception as exc:  # the emulation failing must come back as a fault, not a crash
            log.warning("simulated machine could not start %r: %s", command, type(exc).__name__)
            return 500, soap.internal_error(req, f"The command could not be started: {command}")
        cmd = Command(soap.new_id(), process)
        with self._lock:
            shell.commands[cmd.id] = cmd
        with self.counters.lock:
            self.counters.commands.append(
                StartedCommand(cmd.id, shell.id, " ".join([command, *arguments]), shell.owner,
                               soap.options(req))
            )
        return 200, soap.command_response(req, cmd.id)

    def _send(self, req: soap.Request, shell: Shell) -> Answer:
        stream = req.body.find("rsp:Send/rsp:Stream", soap.NS)
        if stream is None:
            return 500, soap.internal_error(req, "The request has no input stream.")
        cmd = shell.commands.get(stream.get("CommandId", ""))
        if cmd is None:
            return 500, soap.no_command(req)
        try:
            data = base64.b64decode(stream.text or "", validate=True)
        except binascii.Error:
            return 500, soap.internal_error(req, "The input stream is not base64.")
        end = stream.get("End", "false").lower() == "true"
        with self.counters.lock:
            self.counters.stdin[cmd.id] = self.counters.stdin.get(cmd.id, b"") + data
        cmd.process.write_stdin(data, end)
        return 200, soap.empty_response(req)

    def _receive(self, req: soap.Request, shell: Shell) -> Answer:
        desired = req.body.find("rsp:Receive/rsp:DesiredStream", soap.NS)
        cmd = shell.commands.get(desired.get("CommandId", "") if desired is not None else "")
        if cmd is None:
            return 500, soap.no_command(req)
        got = cmd.receive(min(req.operation_timeout, self.wait_cap), req.max_envelope,
                          self.output_cap)
        if got is None:
            return 500, soap.timed_out(req)
        out, err, done = got
        streams = []
        if out:
            streams.append(soap.stream_xml("stdout", cmd.id, out))
        if err:
            streams.append(soap.stream_xml("stderr", cmd.id, err))
        if done:
            streams.append(soap.stream_xml("stdout", cmd.id, b"", end=True))
            streams.append(soap.stream_xml("stderr", cmd.id, b"", end=True))
        payload = soap.receive_response(req, cmd.id, streams, cmd.exit_code if done else None)
        with self.counters.lock:
            self.counters.receive_bytes += len(payload)
            self.counters.receive_bytes_max = max(self.counters.receive_bytes_max, len(payload))
        return 200, payload

    def _signal(self, req: soap.Request, shell: Shell) -> Answer:
        signal = req.body.find("rsp:Signal", soap.NS)
        command_id = signal.get("CommandId", "") if signal is not None else ""
        code = (signal.findtext("rsp:Code", "", soap.NS) if signal is not None else "").strip()
        with self._lock:
            cmd = shell.commands.get(command_id)
            if cmd is not None and code == _TERMINATE:
                del shell.commands[command_id]
        if cmd is None:
            return 500, soap.no_command(req)
        if code in (_TERMINATE, _CTRL_C):
            cmd.process.terminate()
            with self.counters.lock:
                self.counters.terminated.append(cmd.id)
        return 200, soap.empty_response(req)

    def _delete(self, req: soap.Request, shell: Shell) -> Answer:
        with self._lock:
            self.shells.pop(shell.id, None)
            commands = list(shell.commands.values())
            shell.commands.clear()
        for cmd in commands:
            cmd.process.terminate()
        return 200, soap.empty_response(req)

    def close(self) -> None:
        with self._lock:
            shells = list(self.shells.values())
            self.shells.clear()
        for shell in shells:
            for cmd in shell.commands.values():
                cmd.process.terminate()

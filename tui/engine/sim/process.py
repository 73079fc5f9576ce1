"""What runs inside the simulated WinRS server: a pluggable Machine that starts SimProcesses.

The server only moves bytes; what a command does is up to the Machine. `ThreadProcess` runs a
plain Python function in a thread, which is all the Windows emulation needs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

# What Windows reports for a process ended by a Ctrl+C/terminate signal (STATUS_CONTROL_C_EXIT).
TERMINATED_EXIT_CODE = 0xC000013A


class SimProcess(Protocol):
    def write_stdin(self, data: bytes, end: bool) -> None: ...

    def read(self, max_wait: float) -> tuple[bytes, bytes, int | None]:
        """(stdout, stderr, exit code once finished and drained, else None); waits <= max_wait."""
        ...

    def terminate(self) -> None: ...


class Machine(Protocol):
    def start(self, command: str, arguments: list[str], user: str) -> SimProcess: ...


class ProcessTerminated(Exception):
    """Raised inside a ThreadProcess function once the process was told to stop."""


class StdinReader:
    def __init__(self, cond: threading.Condition, proc: ThreadProcess) -> None:
        self._cond = cond
        self._proc = proc

    def read_all(self, timeout: float | None = None) -> bytes:
        """Everything written until stdin was closed; raises ProcessTerminated if stopped first."""
        limit = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while not self._proc._stdin_closed:
                if self._proc._terminated:
                    raise ProcessTerminated
                left = None if limit is None else limit - time.monotonic()
                if left is not None and left <= 0:
                    raise TimeoutError("stdin was not closed in time")
                self._cond.wait(left)
            data = bytes(self._proc._stdin)
            self._proc._stdin.clear()
            return data


class OutputSink:
    def __init__(self, cond: threading.Condition, proc: ThreadProcess, encoding: str) -> None:
        self._cond = cond
        self._proc = proc
        self.encoding = encoding

    def _write(self, buf: bytearray, data: bytes | str) -> None:
        raw = data.encode(self.encoding) if isinstance(data, str) else bytes(data)
        with self._cond:
            if self._proc._terminated:
                raise ProcessTerminated
            buf += raw
            self._cond.notify_all()

    def stdout(self, data: bytes | str) -> None:
        self._write(self._proc._out, data)

    def stderr(self, data: bytes | str) -> None:
        self._write(self._proc._err, data)

    @property
    def terminated(self) -> bool:
        return self._proc._terminated

    def sleep(self, seconds: float) -> None:
        """Sleep that ends early, by raising ProcessTerminated, when the process is stopped."""
        limit = time.monotonic() + seconds
        with self._cond:
            while not self._proc._terminated:
                left = limit - time.monotonic()
                if left <= 0:
                    return
                self._cond.wait(left)
            raise ProcessTerminated


ProcessFn = Callable[[StdinReader, OutputSink], int]


class ThreadProcess:
    """Runs `fn(stdin, out) -> exit code` in a daemon thread and buffers what it writes."""

    def __init__(self, fn: ProcessFn, *, name: str = "sim-process", encoding: str = "utf-8"):
        self._cond = threading.Condition()
        self._stdin = bytearray()
        self._stdin_closed = False
        self._out = bytearray()
        self._err = bytearray()
        self._exit: int | None = None
        self._terminated = False
        self._fn = fn
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._encoding = encoding
        self._thread.start()

    def _run(self) -> None:
        sink = OutputSink(self._cond, self, self._encoding)
        try:
            code = int(self._fn(StdinReader(self._cond, self), sink) or 0)
        except ProcessTerminated:
            code = TERMINATED_EXIT_CODE
        except Exception as exc:  # a simulated program crashing must not kill the server
            with self._cond:
                self._err += f"{type(exc).__name__}: {exc}\r\n".encode(self._encoding, "replace")
            code = 1
        with self._cond:
            self._exit = code
            self._cond.notify_all()

    def write_stdin(self, data: bytes, end: bool) -> None:
        with self._cond:
            if self._stdin_closed:
                return
            self._stdin += data
            self._stdin_closed = end
            self._cond.notify_all()

    def read(self, max_wait: float) -> tuple[bytes, bytes, int | None]:
        limit = time.monotonic() + max(0.0, max_wait)
        with self._cond:
            while not self._out and not self._err and self._exit is None:
                left = limit - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            out, err = bytes(self._out), bytes(self._err)
            self._out.clear()
            self._err.clear()
            return out, err, self._exit

    def terminate(self) -> None:
        with self._cond:
            self._terminated = True
            self._cond.notify_all()

    @property
    def finished(self) -> bool:
        return self._exit is not None

    def wait(self, timeout: float | None = None) -> int | None:
        self._thread.join(timeout)
        return self._exit

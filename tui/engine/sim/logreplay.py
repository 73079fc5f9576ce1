"""The simulated target's msiexec: replays a real install log into a file, over time.

The lines (logscript.py: the reference log, and what an outcome, `scale` and `rebase` make of it)
are written one by one in UTF-16LE with a BOM and CRLF, flushed after every line as
`msiexec /l*v!` does, with the log's ten minutes compressed by `speed`.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from tui.engine.sim.logscript import (
    DEFAULT_SPEED,
    FAIL_ACTION,
    FAIL_AFTER,
    OUTCOMES,
    ReplayLine,
    build_script,
    reference_bytes,
    reference_lines,
)

# What other modules take from here: the script's building lives in logscript.py.
__all__ = ["DEFAULT_SPEED", "FAIL_ACTION", "FAIL_AFTER", "OUTCOMES", "LogReplayer", "ReplayLine",
           "build_script", "expected_lines", "reference_bytes", "reference_lines"]


# ---------------------------------------------------------------- writing it over time


class LogReplayer:
    """Writes a replayed install log to `path` in a background thread.

    Pacing: by default the log's own timestamps divided by `speed`; with `lines_per_second` a
    steady rate instead (for benchmarks); `speed=math.inf` writes as fast as the disk allows.
    """

    def __init__(
        self,
        path: Path | str,
        outcome: int = 0,
        speed: float = DEFAULT_SPEED,
        *,
        lines_per_second: float | None = None,
        scale: int = 1,
        rebase: datetime | None = None,
        fail_action: str | None = None,
        encoding: str = "utf-16-le",
        bom: bool = True,
        clock: Callable[[], float] = time.monotonic,
        wait: Callable[[float], object] | None = None,
        source: Sequence[str] | None = None,
        language: str = "en",
        failure: str = "sql-login",
    ) -> None:
        if speed <= 0 or (lines_per_second is not None and lines_per_second <= 0):
            raise ValueError("speed and lines_per_second must be positive")
        self.path = Path(path)
        self.outcome = outcome
        self.speed = speed
        self.lines_per_second = lines_per_second
        self.encoding = encoding
        self.bom = bom
        from tui.engine.sim.verbose import localise

        self.script = [
            ReplayLine(line.at, localise(line.text, language))
            for line in build_script(outcome, scale=scale, rebase=rebase,
                                     fail_action=fail_action, source=source,
                                     failure=failure)
        ]
        self._clock = clock
        self._stop = threading.Event()
        # How the writer waits for a line's due time: by default on the stop event, so stop()
        # cuts a wait short. Tests pass a `wait` (with a matching `clock`) to record the waits
        # asked for instead of sleeping; stop() is then seen between lines.
        self._wait = wait if wait is not None else self._stop.wait
        self._thread: threading.Thread | None = None
        self.lines_written = 0
        self.bytes_written = 0
        self.started_at: float | None = None  # clock value when writing began
        self.completed = False
        self.error: BaseException | None = None

    @property
    def lines_total(self) -> int:
        return len(self.script)

    @property
    def duration(self) -> float:
        """Expected wall seconds for the whole replay."""
        if self.lines_per_second is not None:
            return max(0, len(self.script) - 1) / self.lines_per_second
        if math.isinf(self.speed) or not self.script:
            return 0.0
        return self.script[-1].at / self.speed

    @property
    def done(self) -> bool:
        """The writer has finished, whether it wrote everything or was stopped."""
        return self._thread is not None and not self._thread.is_alive()

    @property
    def exit_code(self) -> int | None:
        """msiexec's exit code once the whole log is written; None before, or if stopped."""
        return self.outcome if self.completed else None

    def start(self) -> LogReplayer:
        if self._thread is not None:
            raise RuntimeError("already started")
        self._thread = threading.Thread(target=self._run_safely, name="log-replay", daemon=True)
        self._thread.start()
        return self

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the replay ends; True if it has."""
        if self._thread is None:
            return False
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    def run(self) -> None:
        """Write the whole log in the calling thread."""
        newline = "\r\n".encode(self.encoding)
        begun = self.started_at = self._clock()
        with self.path.open("wb", buffering=0) as out:
            if self.bom:
                self._write(out, "\ufeff".encode(self.encoding))
            for i, line in enumerate(self.script):
                wait = self._due(i, line) - (self._clock() - begun)
                if wait > 0:
                    self._wait(wait)
                if self._stop.is_set():
                    return
                # One write per line, CRLF included, as /l*v! flushes: a reader never sees half
                # a line's terminator from this writer, though it must cope with that anyway.
                self._write(out, line.text.encode(self.encoding) + newline)
                self.lines_written += 1
        self.completed = True

    def due(self, i: int) -> float:
        """Seconds after `started_at` at which line `i` is written."""
        return self._due(i, self.script[i])

    def _due(self, i: int, line: ReplayLine) -> float:
        if self.lines_per_second is not None:
            return i / self.lines_per_second
        if math.isinf(self.speed):
            return 0.0
        return line.at / self.speed

    def _write(self, out, data: bytes) -> None:
        out.write(data)
        self.bytes_written += len(data)

    def _run_safely(self) -> None:
        try:
            self.run()
        except BaseException as exc:  # reported through .error; a dead thread must not hide it
            self.error = exc


def expected_lines(
    outcome: int = 0, *, scale: int = 1, rebase: datetime | None = None
) -> list[str]:
    """The lines a completed replay's file decodes to."""
    return [line.text for line in build_script(outcome, scale=scale, rebase=rebase)]


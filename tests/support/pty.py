"""The real app in a real pseudo-terminal (POSIX only): `python -m tui` on a pty sized 80x24."""

from __future__ import annotations

import os
import re
import select
import struct
import subprocess
import sys
import time
from pathlib import Path

from tests.support.paths import ROOT

ANSI = re.compile(rb"\x1b\[[0-9;?<>=$ ]*[A-Za-z~]|\x1b[()][A-Z0-9]|\x1b[=>78]|\x1b\][^\x07]*\x07")


class Terminal:
    def __init__(self, state_dir: Path, *args: str, controlling: bool = True) -> None:
        import fcntl  # POSIX only, as the pty tests are
        import termios

        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "MIMSETUP_STATE_DIR": str(state_dir),
               "PYTHONPATH": str(ROOT), "COLUMNS": "80", "LINES": "24"}
        env.pop("NO_COLOR", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tui", *args], stdin=slave, stdout=slave, stderr=slave,
            cwd=ROOT, env=env, start_new_session=controlling, close_fds=True,
        )
        os.close(slave)
        self.output = b""

    def read_until(self, text: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text.encode() in ANSI.sub(b"", self.output):
                return
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    self.output += os.read(self.master, 65536)
                except OSError:
                    break
        plain = ANSI.sub(b"", self.output).decode(errors="replace")
        raise AssertionError(f"{text!r} never appeared; screen text: {plain[-2000:]!r}")

    def send(self, data: str) -> None:
        os.write(self.master, data.encode())

    def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    self.output += os.read(self.master, 65536)
                except OSError:
                    return

    def close(self) -> int:
        try:
            code = self.proc.wait(timeout=15)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            os.close(self.master)
        return code

"""The real app in a real pseudo-terminal: type into fields, hang up (SIGHUP, or a terminal that
closes without one), start again and find the values restored from the draft."""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from tests.tui.conftest import ROOT

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")

ANSI = re.compile(rb"\x1b\[[0-9;?<>=$ ]*[A-Za-z~]|\x1b[()][A-Z0-9]|\x1b[=>78]|\x1b\][^\x07]*\x07")


class Terminal:
    def __init__(self, state_dir: Path, *args: str, controlling: bool = True) -> None:
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


def test_hangup_keeps_the_draft_and_the_next_start_restores_it(tmp_path):
    state = tmp_path / "state"
    term = Terminal(state)
    term.read_until("Choose what to install")
    term.send("\x0e")  # Ctrl+N: the Database page
    term.read_until("SQL Server")
    term.send("sqlhup01")
    term.read_until("sqlhup01")
    # Tab and Ctrl+U are bindings: Textual acts on one once the key has come back up from the
    # focused field, so letters sent at once reach the field first (they went into "SQL Server",
    # or were cleared by a late Ctrl+U, about one run in four on a busy machine)
    term.send("\t")
    term.drain(0.5)
    term.send("\x15")  # Ctrl+U: clear the database name
    term.drain(0.5)
    term.send("MIMhup")
    term.drain(0.5)  # the app has answered the keys (partial repaints: no need to parse them)
    term.proc.send_signal(signal.SIGHUP)
    assert term.close() == 129
    drafts = list(state.glob("draft-*.json"))
    assert len(drafts) == 1 and "sqlhup01" in drafts[0].read_text()

    again = Terminal(state)
    try:
        again.read_until("Restored unsaved answers")
        again.read_until("sqlhup01")
        again.read_until("MIMhup")
    finally:
        again.proc.send_signal(signal.SIGHUP)
        again.close()


def test_a_terminal_that_closes_without_a_hangup_signal_ends_the_app_with_its_draft(tmp_path):
    """The pty is the app's stdin but not its controlling terminal (no new session), so closing
    it sends no SIGHUP: the app notices the terminal is gone, saves the draft and ends, instead
    of spinning on empty reads."""
    state = tmp_path / "state"
    term = Terminal(state, controlling=False)
    term.read_until("Choose what to install")
    term.send("\x0e")  # Ctrl+N: the Database page
    term.read_until("SQL Server")
    term.send("sqlgone01")
    term.read_until("sqlgone01")
    os.close(term.master)
    try:
        code = term.proc.wait(timeout=30)
    finally:
        if term.proc.poll() is None:
            term.proc.kill()
    assert code == 129
    drafts = list(state.glob("draft-*.json"))
    assert len(drafts) == 1 and "sqlgone01" in drafts[0].read_text()

"""The real app in a real pseudo-terminal: type into fields, hang up (SIGHUP, or a terminal that
closes without one), start again and find the values restored from the draft."""

from __future__ import annotations

import os
import signal
import sys

import pytest

from tests.support.pty import Terminal

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")


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

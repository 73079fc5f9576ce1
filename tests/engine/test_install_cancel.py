"""Cancelling an install, against the simulated target playing Windows as documented: the runner
is ended, Windows Installer rolls back holding Global\\_MSIExecute, and only then does
install-cancel write the result, 1602."""

from __future__ import annotations

import threading

import pytest

from tests.support.sim import rig, target_clean
from tui.engine import scripts
from tui.engine.events import LogLines
from tui.engine.install import cancel, install
from tui.engine.state import unfinished


@pytest.fixture(autouse=True)
def _state_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MIMSETUP_STATE_DIR", str(tmp_path / "state"))


def _install_cancelled_at_the_first_lines(r):
    """Install on rig `r`, cancelling from another thread once the first log lines arrive."""
    sent = threading.Event()

    def emit(event):
        r.events.append(event)
        if isinstance(event, LogLines) and not sent.is_set():
            sent.set()
            (state,) = unfinished()
            threading.Thread(target=lambda: _cancel(r, state), daemon=True).start()

    return install(r.shell, r.request(), emit)


def _cancel(r, state) -> None:
    with r.shell() as shell:
        cancel(shell, state)


def test_cancel_ends_the_follow_with_1602_and_a_clean_target():
    with rig(speed=20) as r:
        result = _install_cancelled_at_the_first_lines(r)
        assert (result.outcome, result.exit_code) == ("cancelled", 1602)
        target_clean(r)


def test_a_cancel_ends_the_follow_once_the_rollback_has_freed_windows_installer():
    # The rollback holds Global\_MSIExecute after the runner is gone: "cancelled" is written once
    # it is free, so an install started right after does not meet 1618.
    with rig(speed=20, rollback_seconds=0.6) as r:
        result = _install_cancelled_at_the_first_lines(r)
        assert (result.outcome, result.exit_code) == ("cancelled", 1602)
        assert r.machine.state.msi_mutex_held is False


def test_cancel_waits_for_the_installer_mutex_and_readers_share_the_status_file():
    cancel_text = scripts.text("install-cancel")
    assert cancel_text.index("OpenExisting('Global\\_MSIExecute')") < cancel_text.index(
        "$done = @{ state = 'done'")
    assert "rolled_back" in cancel_text
    for name in ("install-tail", "install-cleanup", "install-cancel"):
        text = scripts.text(name)
        assert "Read-Status" in text and "ReadAllText" not in text, name
    process = scripts.text("runner-process")
    assert "[IO.FileShare]::ReadWrite -bor [IO.FileShare]::Delete" in process

"""Fixtures for the wizard's tests: no cursor blink (stable snapshots), drafts in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    original = Input.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.cursor_blink = False

    monkeypatch.setattr(Input, "__init__", init)


@pytest.fixture(autouse=True)
def state_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    path = tmp_path / "state"
    monkeypatch.setenv("MIMSETUP_STATE_DIR", str(path))
    monkeypatch.delenv("MIMSETUP_THEME", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return path

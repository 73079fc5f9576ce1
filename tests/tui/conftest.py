"""Fixtures for the wizard's tests: no cursor blink (stable snapshots), drafts in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

ROOT = Path(__file__).resolve().parents[2]
CONTOSO = ROOT / "answers" / "contoso.toml"


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


async def type_text(pilot, text: str) -> None:
    """Type `text` as key presses, as a fast typist would: the same Key events `pilot.press`
    sends, without waiting for the app to be idle after each one (which costs ~70 ms a key)."""
    from textual import events
    from textual.keys import _character_to_key

    app = pilot.app
    for char in text:
        key = char if char.isalnum() else _character_to_key(char)
        event = events.Key(key, char)
        event.set_sender(app)
        app._driver.send_message(event)
    await pilot.pause()

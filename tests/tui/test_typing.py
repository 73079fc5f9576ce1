"""The Pilot typing helper returns only once the field holds what was typed and what the field
posted about it was handled, however slowly the app passes the keys on (a busy machine): a test
that types 'Pass@word1' must never see only 'P'."""

from __future__ import annotations

import asyncio

from textual import events
from textual.app import App
from textual.widgets import Input

from tests.support.wizard import type_text

SLOW = 0.03  # seconds each hop takes: the app passing a key on, the field taking it


class SlowInput(Input):
    async def _on_key(self, event: events.Key) -> None:
        await asyncio.sleep(SLOW)
        await super()._on_key(event)


class SlowApp(App):
    """An app that is slow at each hop a typed key makes: passing it to the focused field, the
    field inserting it, the app recording the field's Changed message."""

    def __init__(self) -> None:
        super().__init__()
        self.recorded = ""

    def compose(self):
        yield SlowInput(value="old", id="field")

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            await asyncio.sleep(SLOW)
        await super().on_event(event)

    async def on_input_changed(self, message: Input.Changed) -> None:
        await asyncio.sleep(SLOW)
        self.recorded = message.value


async def test_type_text_waits_for_every_key_and_what_the_field_posted():
    app = SlowApp()
    async with app.run_test() as pilot:
        field = app.query_one(SlowInput)
        field.focus()
        field.cursor_position = 0
        await type_text(pilot, "Pass@word1")
        assert field.value == "Pass@word1old"
        assert app.recorded == "Pass@word1old"


async def test_type_text_replaces_the_selection():
    app = SlowApp()
    async with app.run_test() as pilot:
        field = app.query_one(SlowInput)
        field.focus()
        field.select_all()
        await type_text(pilot, "new")
        assert field.value == "new"
        assert app.recorded == "new"

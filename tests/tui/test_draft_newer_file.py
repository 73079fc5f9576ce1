"""A restored draft never silently replaces a file changed since (#12.7): the wizard says so and
the admin chooses: keep the draft, take the file, or see the difference first."""

from __future__ import annotations

import os

from tests.support.answers import contoso_data
from tests.support.wizard import screen_text, type_text, until
from tui import drafts
from tui.commands.wizard import build
from tui.model.tomlio import dump_data

SIZE = (100, 30)


async def _leave_a_draft(path) -> None:
    """Edit the database server to sql2 and leave without saving (as a hang-up would)."""
    app = build(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await app.show_page("database", ("database", "server"))
        await pilot.press("ctrl+u")
        await type_text(pilot, "sql2")
        app.lifecycle.save_draft()
    assert drafts.load(path) is not None


def _change_outside(path) -> bytes:
    """Another editor changes the certificate name (and the file's time moves on)."""
    data = contoso_data()
    data["certificate"]["name"] = "ChangedElsewhere"
    path.write_text(dump_data(data), encoding="utf-8")
    later = path.stat().st_mtime_ns + 5_000_000_000
    os.utime(path, ns=(later, later))
    return path.read_bytes()


def _asking(app) -> bool:
    return app.screen.__class__.__name__ == "Choice" and "newer than the draft" in \
        screen_text(app)


async def test_a_newer_file_is_said_and_taking_it_drops_the_draft(tmp_path, state_dir):
    path = tmp_path / "a.toml"
    path.write_text(dump_data(contoso_data()), encoding="utf-8")
    await _leave_a_draft(path)
    changed = _change_outside(path)
    app = build(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: _asking(app), what="the question")
        assert app.data["database"]["server"] == "sql2"  # the draft shown meanwhile
        await pilot.press("d")  # see the difference
        await until(pilot, lambda: app.screen.__class__.__name__ == "TextScreen",
                    what="the difference")
        diff = screen_text(app)
        assert 'server = "sql2"' in diff and "ChangedElsewhere" in diff
        await pilot.press("escape")
        await until(pilot, lambda: _asking(app), what="the question again")
        await pilot.press("f")  # take the file
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.data["certificate"]["name"] == "ChangedElsewhere"
        assert app.data["database"]["server"] == "corpsql"
        assert not app.dirty
    assert drafts.load(path) is None
    assert path.read_bytes() == changed


async def test_keeping_the_draft_asks_once_and_writes_nothing(tmp_path, state_dir):
    path = tmp_path / "a.toml"
    path.write_text(dump_data(contoso_data()), encoding="utf-8")
    await _leave_a_draft(path)
    changed = _change_outside(path)
    app = build(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: _asking(app), what="the question")
        await pilot.press("k")  # keep the draft
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.dirty and app.data["database"]["server"] == "sql2"
    assert path.read_bytes() == changed  # nothing written over the outside change
    again = build(str(path))
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.data["database"]["server"] == "sql2"
        assert not _asking(again)  # chosen once: not asked again


async def test_an_unchanged_file_restores_without_a_question(tmp_path, state_dir):
    path = tmp_path / "a.toml"
    path.write_text(dump_data(contoso_data()), encoding="utf-8")
    await _leave_a_draft(path)
    app = build(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert not _asking(app) and app.data["database"]["server"] == "sql2"


async def test_saving_over_an_outside_change_asks(tmp_path, state_dir):
    """Not only a draft: Ctrl+S over a file another editor changed while it was open asks."""
    path = tmp_path / "a.toml"
    path.write_text(dump_data(contoso_data()), encoding="utf-8")
    app = build(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await app.show_page("database", ("database", "server"))
        await pilot.press("ctrl+u")
        await type_text(pilot, "sql2")
        changed = _change_outside(path)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen.__class__.__name__ == "Choice"
                    and "changed on disk" in screen_text(app), what="the question")
        await pilot.press("c")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert path.read_bytes() == changed and app.dirty
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen.__class__.__name__ == "Choice", what="again")
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not app.dirty and 'server = "sql2"' in path.read_text(encoding="utf-8")

"""Layout that stays put and fits (#16.8): the help does not unfold and fold as focus moves; at
60x20 the page list gives way to the form; below the smallest supported size the wizard says so."""

from __future__ import annotations

from tests.support.wizard import app_with, row, screen_text
from tui.widgets.sections import SectionList


async def test_moving_focus_moves_nothing():
    app = app_with()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.show_page("mail")
        await pilot.pause()
        before = row(app, "mail", "is_exchange").region.y
        row(app, "mail", "server").focus_control()
        await pilot.pause()
        row(app, "mail", "use_ssl").focus_control()
        await pilot.pause()
        assert row(app, "mail", "is_exchange").region.y == before


async def test_at_60x20_the_page_list_gives_way():
    app = app_with()
    async with app.run_test(size=(60, 20)) as pilot:
        await app.show_page("review")
        await pilot.pause()
        assert app.query_one(SectionList).size.width <= 4
        assert "Install" in screen_text(app)
        assert not app._notifications  # 60x20 is supported
        await pilot.press("f2")
        await pilot.pause()
        assert app.query_one(SectionList).size.width > 20  # the titles, while in use


async def test_below_the_smallest_size_it_says_so():
    app = app_with()
    async with app.run_test(size=(50, 16)) as pilot:
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert any("at least 60x20" in m for m in said), said

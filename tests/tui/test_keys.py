"""Keys that do what the footer and the README say (#16.7)."""

from __future__ import annotations

from textual.widgets import Log

from tests.support.wizard import app_with, offline_session, row
from tui.engine.events import LogLines
from tui.engine.preflight import PreflightReport, PreflightRow

SIZE = (80, 24)


async def test_enter_opens_a_list_picks_then_moves_on():
    app = app_with()
    async with app.run_test(size=SIZE) as pilot:
        await app.show_page("certificate", ("certificate", "mode"))
        select = row(app, "certificate", "mode").control
        select.focus()
        await pilot.pause()
        assert app.focused is select
        await pilot.press("enter")
        assert select.expanded
        await pilot.press("down", "enter")  # picks "existing"
        await pilot.pause()
        assert not select.expanded and select.value == "existing"
        await pilot.press("enter")  # moves on, does not open the list again
        await pilot.pause()
        assert not select.expanded and app.focused is not select


async def test_enter_on_the_review_problems_jumps_at_once():
    app = app_with({"database": {"server": "bad server name"}})
    async with app.run_test(size=SIZE) as pilot:
        await app.show_page("review")
        app.query_one("#review-problems").focus()
        await pilot.press("enter")  # no Down first
        await pilot.pause()
        assert app.current == "database"


async def test_install_is_not_offered_after_a_failed_preflight():
    from screens.preflight import PreflightScreen

    report = PreflightReport([PreflightRow("sharepoint", "fail", "Not installed.", "Install it.")])
    app = app_with()
    async with app.run_test(size=SIZE) as pilot:
        screen = PreflightScreen(offline_session(), run=False)
        await app.push_screen(screen)
        screen.show(report)
        await pilot.pause()
        assert screen.check_action("install", ()) is None  # dimmed in the footer
        await pilot.press("i")
        await pilot.pause()
        assert not app._notifications  # no toast over the remedy


async def test_the_log_follows_the_newest_lines_after_l_twice():
    from screens.install import ProgressScreen

    app = app_with()
    async with app.run_test(size=SIZE) as pilot:
        screen = ProgressScreen(offline_session(), run=False, clock=lambda: 0.0)
        await app.push_screen(screen)
        screen.feed([LogLines(tuple(f"Action {n}: step" for n in range(60)), 100)])
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        await pilot.pause()
        screen.feed([LogLines(("Action 60: the newest",), 200)])
        await pilot.pause()
        log = screen.query_one(Log)
        assert log.is_vertical_scroll_end, (log.scroll_y, log.max_scroll_y)

"""Tab on the Review page (#16.7): from the problem list to Install (what the page is for once
nothing is wrong), then Save, Save as, the values and the plan, as the README's key table says."""

from __future__ import annotations

from tests.support.wizard import app_with

SIZE = (80, 24)
ORDER = ["review-problems", "action-install", "action-save", "action-save-as", "review-values",
         "review-plan"]


def _name(widget) -> str:
    if widget.id:
        return widget.id
    return next(c for c in widget.classes if c.startswith("review-"))


async def _tabbing(pilot, app, n: int) -> list[str]:
    seen = [_name(app.focused)]
    for _ in range(n):
        await pilot.press("tab")
        await pilot.pause()
        seen.append(_name(app.focused))
    return seen


async def test_tab_from_the_problems_goes_to_install_then_save():
    app = app_with({"mail": {"server": "localhost", "use_ssl": True}})  # warnings only
    async with app.run_test(size=SIZE) as pilot:
        await app.show_page("review")
        await pilot.pause()
        assert app.found and not any(p.is_error for p in app.found)
        assert await _tabbing(pilot, app, 5) == ORDER


async def test_with_errors_install_is_dimmed_and_tab_goes_on_to_save():
    app = app_with({"database": {"server": "bad server name"}})
    async with app.run_test(size=SIZE) as pilot:
        await app.show_page("review")
        await pilot.pause()
        assert await _tabbing(pilot, app, 2) == ["review-problems", "action-save",
                                                 "action-save-as"]


async def test_with_no_problems_review_opens_on_install_and_tab_reaches_the_plan():
    app = app_with()
    async with app.run_test(size=SIZE) as pilot:
        await app.show_page("review")
        await pilot.pause()
        assert await _tabbing(pilot, app, 4) == ORDER[1:]
        plan = app.query_one(".review-plan")
        page = plan.parent
        assert page.region.contains_point(plan.region.offset)  # brought into view
        before = page.scroll_y
        await pilot.press("down", "down")
        await pilot.pause()
        assert page.scroll_y > before  # Down reads on

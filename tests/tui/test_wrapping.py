"""Layout that fits (#16.8): Review's values and plan wrap at spaces and after separators, never
inside a word; every field's label is shown whole, at 80x24 and at 60x20 (the smallest size)."""

from __future__ import annotations

import pytest

from screens.pages import PAGES
from screens.review import ReviewPage
from tests.support.wizard import app_with, screen_text
from tui.form import state
from tui.widgets.field import FieldRow
from tui.widgets.page import WizardPage

SIZES = [(80, 24), (60, 20)]
SEPARATORS = ",;=\\/"


async def shown_lines(pilot, widget) -> list[str]:
    """The lines `widget` shows on the screen, scrolling its page to see all of them."""
    page = next(a for a in widget.ancestors if isinstance(a, WizardPage))
    got: dict[int, str] = {}
    height = widget.outer_size.height
    top = int(widget.region.y - page.content_region.y + page.scroll_y)
    for y in range(top, top + height, max(1, page.content_region.height - 1)):
        page.scroll_to(y=y, animate=False)
        await pilot.pause()
        screen = screen_text(pilot.app).split("\n")
        view, region = page.content_region, widget.region
        for row in range(max(view.y, region.y), min(view.bottom, region.bottom)):
            got[row - region.y] = screen[row][region.x:region.right]
    assert sorted(got) == list(range(height)), f"lines not seen: {set(range(height)) - set(got)}"
    return [got[n].rstrip() for n in range(height)]


def assert_no_token_split(source: str, lines: list[str]) -> None:
    """`lines` show `source` whole and in order, each line starting after a space (or a line
    end) or right after a separator: never inside a word."""
    pos = 0
    for n, line in enumerate(lines):
        part = line.strip()
        while pos < len(source) and source[pos].isspace():
            pos += 1
        assert source.startswith(part, pos), f"line {n} {part!r} is not what comes next"
        if n and part:
            before = source[pos - 1]
            assert before.isspace() or before in SEPARATORS, (
                f"a token is split between lines {n - 1} and {n}: "
                f"{lines[n - 1].strip()!r} / {part!r}")
        pos += len(part)
    assert not source[pos:].strip(), f"not shown: {source[pos:]!r}"


@pytest.mark.parametrize("size", SIZES)
async def test_no_token_of_the_plan_or_the_values_is_split_across_lines(size):
    app = app_with()
    async with app.run_test(size=size) as pilot:
        await app.show_page("review")
        await pilot.pause()
        plan = state.plan_text(app.data)
        assert plan and "ADDLOCAL=CommonServices,WebPortals,RegistrationPortal" in plan
        assert_no_token_split(plan, await shown_lines(pilot, app.query_one(".review-plan")))
        values = ReviewPage._values(app.data).plain
        assert_no_token_split(values, await shown_lines(pilot, app.query_one(".review-values")))


@pytest.mark.parametrize("size", SIZES)
async def test_every_field_label_of_every_page_is_shown_whole(size):
    app = app_with()
    async with app.run_test(size=size) as pilot:
        checked = 0
        for page in PAGES:
            if issubclass(page, ReviewPage):  # no fields
                continue
            await app.show_page(page.PAGE_ID)
            await pilot.pause()
            for row in app.query_one(f"#{page.PAGE_ID}").query(FieldRow):
                label = row.control if row.kind == "bool" else row.query_one(".field-label")
                lines = await shown_lines(pilot, label)
                shown = " ".join(" ".join(lines).replace("[x]", "").replace("[ ]", "").split())
                assert shown == row.meta.title, (page.PAGE_ID, row.meta.name, lines)
                checked += 1
        assert checked > 30


async def test_at_60x20_the_page_list_keeps_one_line_a_page():
    """The narrow page list cut its titles into two-letter lines under each mark ("Co", "mp",
    "on"...): each page keeps one line, its mark (and what fits of its title)."""
    from tui.widgets.sections import SectionList

    app = app_with()
    async with app.run_test(size=(60, 20)) as pilot:
        await app.show_page("components")
        await pilot.pause()
        sections = app.query_one(SectionList)
        assert sections.size.width <= 4
        assert sections.virtual_size.height == len(PAGES)

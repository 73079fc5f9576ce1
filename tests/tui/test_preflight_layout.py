"""The pre-flight at 80x24: every check's message and remedy, as the catalog words them, is shown
whole under the table (the table gives way), and the columns follow the terminal's width."""

from __future__ import annotations

import pytest
from textual.containers import VerticalScroll

from tests.support.wizard import app_with, offline_session, screen_text
from tui.engine import outcomes
from tui.engine.preflight import PreflightReport, PreflightRow

SIZE = (80, 24)
VALUE = "CONTOSO\\MIMInstall42"  # what a placeholder takes: a realistic length


def worded(check_id: str, reason: str) -> PreflightRow:
    names = outcomes.placeholders("preflight", check_id, reason)
    w = outcomes.word("preflight", check_id, reason, dict.fromkeys(names, VALUE))
    return PreflightRow(check_id, w.status, w.message, w.remedy, reason)


def with_remedy() -> list[tuple[str, str]]:
    out = []
    for check_id, check in outcomes.section("preflight")["checks"].items():
        for reason, entry in check["outcomes"].items():
            if entry.get("remedy") and entry["status"] in ("fail", "warn"):
                out.append((check_id, reason))
    return out


def report(first: PreflightRow) -> PreflightReport:
    """`first` ahead of a full table of passes (the table would take the screen)."""
    passes = [PreflightRow(cid, "pass", "It passed, with a message long enough to be cut.")
              for cid in outcomes.check_ids("preflight") if cid != first.id]
    return PreflightReport([first, *passes], computer="CORPIDM", seconds=1.0)


async def shown(pilot, row: PreflightRow) -> tuple[VerticalScroll, str]:
    from screens.preflight import PreflightScreen

    screen = PreflightScreen(offline_session(), run=False)
    await pilot.app.push_screen(screen)
    screen.show(report(row))
    await pilot.pause()
    box = screen.query_one(".flow-detail-box", VerticalScroll)
    return box, screen_text(pilot.app)


def flat(text: str) -> str:
    return " ".join(text.split())


CHUNKS = 6  # the cases in a few tests of their own, so parallel workers share them


def test_the_remedy_cases_include_the_ones_seen_cut():
    cases = with_remedy()
    assert any(c == "mim-installed" for c, _ in cases)
    assert any(c == "install-running" for c, _ in cases)


@pytest.mark.parametrize("chunk", range(CHUNKS))
async def test_every_remedy_is_whole_at_80x24(chunk):
    """install-running and mim-installed were cut mid-sentence: no check's remedy may be."""
    cases = with_remedy()[chunk::CHUNKS]
    app = app_with()
    async with app.run_test(size=SIZE) as pilot:
        for check_id, reason in cases:
            row = worded(check_id, reason)
            box, text = await shown(pilot, row)
            assert box.max_scroll_y == 0, f"{check_id}/{reason}: the detail needs scrolling"
            lines = [line[1:].rstrip() for line in text.splitlines()[-8:]]
            assert flat(row.remedy)[-30:] in flat(" ".join(lines)), (
                f"{check_id}/{reason}: the remedy's end is not on screen:\n{text}")
            app.pop_screen()
            await pilot.pause()


@pytest.mark.parametrize("width", [60, 120])
async def test_columns_follow_the_terminal(width):
    """Sized once, the message column stayed cut when the terminal grew and lost its '…' when
    it shrank."""
    row = PreflightRow("sharepoint", "fail", "SharePoint is not installed on the target; the MIM "
                       "Portal is installed into a site collection.", "Install SharePoint.")
    app = app_with()
    async with app.run_test(size=SIZE) as pilot:
        await shown(pilot, row)
        await pilot.resize_terminal(width, 24)
        await pilot.pause()
        await pilot.pause()
        line = next(t for t in screen_text(app).splitlines() if "fail" in t and "SharePoint" in t)
        if width == 120:
            assert "the MIM Portal is installed" in line
        else:
            assert line.rstrip().endswith("…") and len(line.rstrip()) <= width

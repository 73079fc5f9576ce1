"""Words the admin reads (#16.11): counts agree with their numbers, "it" for one, where the log
lines are, and a fixed item stays "(fixed)" after a later fix."""

from __future__ import annotations

import io

from tests.support.wizard import app_with, offline_session
from tui.commands.printer import EventPrinter
from tui.engine.checklist import Item
from tui.engine.events import Finished
from tui.engine.preflight import PreflightReport, PreflightRow
from tui.engine.results import interpret


def item(item_id: str, status: str, fixed: bool = False) -> Item:
    return Item(item_id, item_id.title(), status, "message", "evidence", "remedy",
                fixable=True, fixed=fixed)


def test_checklist_counts_read_as_english():
    from screens.checklist import summary

    items = [item(f"p{n}", "pass") for n in range(7)] + [item("zone", "fail")]
    _, text = summary(items, set())
    assert "7 passed, 1 failed" in text, text
    _, text = summary(items + [item("fw", "fail")], set())
    assert "7 passed, 2 failed" in text, text


async def test_one_failure_is_it_not_them():
    from screens.preflight import PreflightScreen

    report = PreflightReport([PreflightRow("sharepoint", "fail", "Not installed.", "Install it.")])
    app = app_with()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = PreflightScreen(offline_session(), run=False)
        await app.push_screen(screen)
        screen.show(report)
        await pilot.pause()
        screen.action_install()
        await pilot.pause()
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert any("Fix it, then" in m for m in said), said


def test_plain_output_does_not_send_the_admin_below_the_lines():
    outcome = interpret(1603)
    f = Finished("failed", 1603, outcome.message, outcome.next_steps, "DeployAndPopulateDatabase",
                 ("Error 25009. Login failed for user 'CONTOSO\\MIMService'.",), "C:\\x.log", 3.0)
    out = io.StringIO()
    EventPrinter(out, mode="lines")(f)
    text = out.getvalue()
    assert text.index("| Error 25009") < text.index("next:")  # the lines come first...
    assert "below" not in text  # ...so "below" would point at nothing
    assert "below" not in interpret(1234).next_steps


async def test_a_fixed_item_stays_fixed_after_another_fix():
    from screens.checklist import ChecklistScreen

    s = offline_session()
    app = app_with()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = ChecklistScreen(s, run=False)
        await app.push_screen(screen)
        screen.show([item("zone", "pass", fixed=True), item("mpr", "fail")], ("zone",))
        await pilot.pause()
        screen.show([item("zone", "pass"), item("mpr", "pass", fixed=True)], ("mpr",))
        await pilot.pause()
        assert [i.fixed for i in s.checklist] == [True, True]
        assert s.report().to_markdown().count("(fixed)") == 2

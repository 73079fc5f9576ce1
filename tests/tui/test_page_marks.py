"""Page marks that mean something (#16.9): fields still empty are "incomplete" (◐), not wrong
(✗); the Target page without a server is not complete; Review keeps its mark once visited."""

from __future__ import annotations

from tests.support.wizard import app_with, type_text
from tui.app import WizardApp
from tui.widgets.sections import SectionList

SIZE = (80, 24)


def state(app, page: str) -> str:
    return app.query_one(SectionList).state(page)


async def test_typing_the_first_field_is_incomplete_not_wrong():
    app = WizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await app.show_page("service_account")
        await type_text(pilot, "MIMService")  # name; domain and e-mail still to come
        await pilot.pause()
        assert state(app, "service_account") == "incomplete"
        await pilot.press("enter")
        await type_text(pilot, "contoso")
        await pilot.press("enter")
        await type_text(pilot, "MIMService.contoso.local")  # wrong: no @
        await pilot.pause()
        assert state(app, "service_account") == "errors"


async def test_target_without_a_server_is_not_complete():
    app = app_with()
    app.data["target"].pop("host")
    async with app.run_test(size=SIZE) as pilot:
        await app.show_page("target")
        await app.show_page("review")
        await pilot.pause()
        assert state(app, "target") == "incomplete"


async def test_review_keeps_its_mark_once_visited():
    app = app_with()
    async with app.run_test(size=SIZE) as pilot:
        await app.show_page("review")
        await app.show_page("mail")
        await pilot.pause()
        assert state(app, "review") == "complete"

"""Every page at 80x24 (cursor blink off, see conftest). Update with --snapshot-update after
looking at the SVGs."""

from __future__ import annotations

import pytest

from tests.support.wizard import app_with
from tui.app import WizardApp

SIZE = (80, 24)
PAGES = (
    "components", "database", "mail", "certificate", "service_account", "synchronization",
    "portal", "registration_portal", "reset_portal", "target", "review",
)


@pytest.mark.parametrize("page", PAGES)
def test_page(snap_compare, page):
    async def go(pilot):
        await pilot.app.show_page(page)
        await pilot.pause()

    assert snap_compare(app_with(), run_before=go, terminal_size=SIZE)


def test_new_form(snap_compare):
    assert snap_compare(WizardApp(), terminal_size=SIZE)


def test_errors_at_the_fields(snap_compare):
    async def go(pilot):
        await pilot.app.show_page("mail")
        await pilot.press("ctrl+n")
        await pilot.pause()

    # an error (Exchange Online without its mailbox password) and warnings (localhost with SSL)
    app = app_with({"mail": {"server": "localhost", "use_ssl": True, "exchange_online": True}},
                   drop=("portal",))
    assert snap_compare(app, run_before=go, terminal_size=SIZE)


def test_review_with_problems(snap_compare):
    async def go(pilot):
        await pilot.app.show_page("review")
        await pilot.pause()

    app = app_with({"database": {"server": "bad server"}, "reset_portal": {"port": 8080}})
    assert snap_compare(app, run_before=go, terminal_size=SIZE)


def test_help(snap_compare):
    assert snap_compare(WizardApp(), press=["f1"], terminal_size=SIZE)


def test_save_prompt(snap_compare):
    async def go(pilot):
        pilot.app.action_save_as()
        await pilot.pause()

    assert snap_compare(WizardApp(path="answers.toml"), run_before=go, terminal_size=SIZE)

"""Each page driven with Pilot: valid input, each error at its field, cross-field problems at the
field they name, skipped pages."""

from __future__ import annotations

from textual.widgets import Input, Select

from tests.support.wizard import app_with, message, row, type_text
from tui.app import WizardApp
from tui.widgets.sections import SectionList

SIZE = (80, 24)


def state(app: WizardApp, page: str) -> str:
    return app.query_one(SectionList).state(page)


async def test_contoso_opens_complete_on_the_first_page():
    app = app_with()
    async with app.run_test(size=SIZE):
        assert app.current == "components"
        assert app.found == []
        for page in ("components", "database", "mail", "portal", "reset_portal", "target"):
            assert state(app, page) == "complete"


async def test_components_unselected_pages_are_skipped():
    app = WizardApp()
    async with app.run_test(size=SIZE) as pilot:
        assert state(app, "registration_portal") == "skipped"
        assert state(app, "reset_portal") == "skipped"
        # turn the Portal off: its page is still needed by the MIM Service
        await pilot.press("tab", "space")
        assert app.data["components"]["portal"] is False
        assert state(app, "portal") != "skipped"
        # the Service off too: the portal page is skipped, Next never lands on it
        await pilot.press("shift+tab", "space")
        assert state(app, "portal") == "skipped"
        assert state(app, "database") == "skipped"
        await pilot.press("ctrl+n")
        assert app.current == "certificate"
        # Reset portal on: its page is offered again
        await app.show_page("components")
        await pilot.press("tab", "tab", "tab", "space")
        assert state(app, "reset_portal") == "not-started"


async def test_skipped_page_says_so_and_is_disabled():
    app = WizardApp()
    async with app.run_test(size=SIZE):
        await app.show_page("reset_portal")
        page = app.page()
        assert page.query_one(".page-banner").has_class("-shown")
        assert row(app, "reset_portal", "account").disabled


async def test_database_valid_and_invalid_server():
    app = WizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        assert app.current == "database"
        await type_text(pilot, "bad server")
        severity, text = message(app, "database", "server")
        assert severity == "error" and "not a SQL Server name" in text
        await pilot.press("ctrl+n")
        assert app.current == "database"  # Next refuses a page with errors
        await pilot.press("ctrl+u")
        await type_text(pilot, "corpsql\\MIM")
        assert message(app, "database", "server") is None
        await pilot.press("ctrl+n")
        assert app.current == "mail"
        assert state(app, "database") == "complete"


async def test_next_validates_untouched_required_fields():
    app = WizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await app.show_page("service_account")
        assert message(app, "service_account", "name") is None  # not yet: nothing typed
        await pilot.press("ctrl+n")
        assert app.current == "service_account"
        for name in ("name", "domain", "email"):
            assert message(app, "service_account", name)[0] == "error"
        # empty, not wrong: the page list says incomplete (#16.9)
        assert state(app, "service_account") == "incomplete"
        # the first field in error has the focus
        assert app.focused is row(app, "service_account", "name").control


async def test_database_name_rule():
    app = app_with()
    async with app.run_test(size=SIZE) as pilot:
        await app.show_page("database", ("database", "name"))
        await pilot.press("ctrl+u")
        await type_text(pilot, "9bad-name")
        assert message(app, "database", "name")[0] == "error"


async def test_mail_localhost_cross_field_warnings_at_each_checkbox():
    # Warnings: the installer takes them (it checks the server's name only); unwise (#14.3).
    app = WizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await app.show_page("mail")
        await type_text(pilot, "localhost")
        for name in ("use_ssl", "is_exchange", "poll_exchange"):
            severity, text = message(app, "mail", name)
            assert severity == "warning" and "localhost" in text
        await pilot.press("tab", "space")  # SSL off
        assert message(app, "mail", "use_ssl") is None
        assert message(app, "mail", "is_exchange")[0] == "warning"


async def test_mail_exchange_online_needs_the_mailbox_password():
    app = app_with({"mail": {"server": "mail.contoso.local", "is_exchange": True}})
    async with app.run_test(size=SIZE) as pilot:
        await app.show_page("mail", ("mail", "exchange_online"))
        await pilot.press("space")
        severity, text = message(app, "mail", "mailbox_password")
        assert severity == "error" and "mailbox password" in text
        # keep it as asked at install time: fixed
        select = row(app, "mail", "mailbox_password").control
        select.value = "prompt"
        await pilot.pause()
        assert message(app, "mail", "mailbox_password") is None
        # Exchange Online off again: the password is now only a warning
        await app.show_page("mail", ("mail", "exchange_online"))
        await pilot.press("space")
        assert message(app, "mail", "mailbox_password")[0] == "warning"
        assert row(app, "mail", "mailbox_password").query_one(".field-message").has_class(
            "-warning")


async def test_certificate_existing_needs_a_thumbprint():
    app = app_with()
    async with app.run_test(size=SIZE) as pilot:
        await app.show_page("certificate")
        row(app, "certificate", "mode").control.value = "existing"
        await pilot.pause()
        assert "thumbprint" in message(app, "certificate", "thumbprint")[1]
        await app.show_page("certificate", ("certificate", "thumbprint"))
        await type_text(pilot, "12ab")
        assert message(app, "certificate", "thumbprint")[0] == "error"
        await type_text(pilot, "0123456789abcdef0123456789abcdef0123")
        assert message(app, "certificate", "thumbprint") is None
        assert state(app, "certificate") == "complete"


async def test_service_account_gmsa_rules():
    app = app_with()
    async with app.run_test(size=SIZE) as pilot:
        await app.show_page("service_account", ("service_account", "name"))
        await type_text(pilot, "$")
        severity, text = message(app, "service_account", "managed")
        assert severity == "error" and "group managed" in text
        await app.show_page("service_account", ("service_account", "email"))
        await pilot.press("ctrl+u")
        await type_text(pilot, "not-an-address")
        assert message(app, "service_account", "email")[0] == "error"


async def test_synchronization_ma_account_must_differ_from_the_service_account():
    app = app_with()
    async with app.run_test(size=SIZE) as pilot:
        await app.show_page("synchronization", ("synchronization", "ma_account"))
        await pilot.press("ctrl+u")
        await type_text(pilot, "contoso\\MIMService")
        severity, text = message(app, "synchronization", "ma_account")
        assert severity == "error" and "differ" in text
        await pilot.press("ctrl+u")
        await type_text(pilot, "contoso")
        assert "DOMAIN" in message(app, "synchronization", "ma_account")[1] or message(
            app, "synchronization", "ma_account")[0] == "error"


async def test_portal_url_port_warning_and_needed_fields():
    app = app_with()
    async with app.run_test(size=SIZE) as pilot:
        await app.show_page("portal", ("portal", "registration_url"))
        await pilot.press("ctrl+u")
        await type_text(pilot, "http://CorpIDM.contoso.local:9000")
        severity, text = message(app, "portal", "registration_url")
        assert severity == "warning" and "8080" in text
        assert state(app, "portal") == "warnings"
        await pilot.press("ctrl+n")  # a warning does not stop Next
        assert app.current == "registration_portal"
        await app.show_page("portal", ("portal", "service_address"))
        await pilot.press("ctrl+u")
        assert message(app, "portal", "service_address")[1].startswith("The MIM Portal needs it")


async def test_portal_url_rule():
    app = app_with()
    async with app.run_test(size=SIZE) as pilot:
        await app.show_page("portal", ("portal", "sharepoint_url"))
        await pilot.press("ctrl+u")
        await type_text(pilot, "CorpIDM")
        assert message(app, "portal", "sharepoint_url")[0] == "error"


async def test_registration_portal_port_of_the_service_and_secret_in_file():
    app = app_with()
    async with app.run_test(size=SIZE) as pilot:
        await app.show_page("registration_portal", ("registration_portal", "port"))
        await pilot.press("ctrl+u")
        await type_text(pilot, "5725")
        assert "5725" in message(app, "registration_portal", "port")[1]
        # the password kept in the answer file: masked, copy/cut refused, a warning
        password = row(app, "registration_portal", "password")
        password.control.value = "value"
        await pilot.pause()
        text = password.query_one("#secret-text", Input)
        assert text.password and text.display
        text.focus()
        await type_text(pilot, "Pass@word1")
        assert app.data["registration_portal"]["password"] == "Pass@word1"
        assert password.message[0] == "warning" and "clear text" in password.message[1]
        await pilot.press("ctrl+a", "shift+end", "ctrl+c", "ctrl+x")
        assert text.value == "Pass@word1"  # cut did nothing
        assert app.clipboard != "Pass@word1"
        # going back to "ask at install time" forgets the password
        password.control.value = "prompt"
        await pilot.pause()
        assert app.data["registration_portal"]["password"] == {"prompt": True}
        assert text.value == "" and not text.display


async def test_secret_from_environment_variable():
    app = app_with()
    async with app.run_test(size=SIZE) as pilot:
        await app.show_page("target")
        password = row(app, "target", "password")
        password.control.value = "env"
        await pilot.pause()
        assert password.message[0] == "error"  # no name yet
        password.query_one("#secret-text", Input).focus()
        await type_text(pilot, "MIM_INSTALL_PASSWORD")
        assert app.data["target"]["password"] == {"env": "MIM_INSTALL_PASSWORD"}
        assert password.message is None


async def test_reset_portal_same_binding_as_registration():
    app = app_with({"reset_portal": {"port": 8080}})
    async with app.run_test(size=SIZE):
        await app.show_page("reset_portal")
        severity, text = message(app, "reset_portal", "port")
        assert severity == "error" and "same host name and port" in text
        assert state(app, "reset_portal") == "errors"


async def test_target_basic_over_http_warns_and_msi_path_rule():
    app = app_with({"target": {"https": False, "transport": "basic"}})
    async with app.run_test(size=SIZE) as pilot:
        await app.show_page("target")
        assert message(app, "target", "transport")[0] == "warning"
        assert isinstance(row(app, "target", "transport").control, Select)
        await app.show_page("target", ("install", "msi_path"))
        await pilot.press("ctrl+u")
        await type_text(pilot, "setup.exe")
        assert message(app, "install", "msi_path")[0] == "error"


async def test_review_lists_problems_and_jumps_to_the_field():
    app = app_with({"database": {"server": "bad server"}, "reset_portal": {"port": 8080}})
    async with app.run_test(size=SIZE) as pilot:
        await app.show_page("review")
        problems = app.query_one("#review-problems")
        assert problems.option_count == len(app.found) >= 2
        problems.focus()
        problems.highlighted = 0
        await pilot.press("enter")
        assert app.current == "database"
        assert app.focused is row(app, "database", "server").control
        assert message(app, "database", "server")[0] == "error"


async def test_review_values_mask_secrets_and_show_the_plan():
    from tests.support.paths import CONTOSO
    from tui.model.msi import build_plan
    from tui.model.validation import read_file

    app = app_with({"service_account": {"password": "Pass@word1"}})
    async with app.run_test(size=SIZE):
        await app.show_page("review")
        values = str(app.query_one(".review-values").text)  # unwrapped: test_wrapping.py
        assert "Pass@word1" not in values
        assert "******** (in the answer file)" in values
        assert "asked at install time" in values
        plan = str(app.query_one(".review-plan").text)
        assert plan.replace("\n", "") == build_plan(read_file(CONTOSO).answers).command_line()


async def test_field_rule_checked_while_typing_even_in_an_unfilled_optional_section():
    # Target is optional: while its required fields are empty it is left out of the file, so
    # only the field's own rule (value_problem) can speak while the port is typed.
    app = WizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await app.show_page("target", ("target", "port"))
        await type_text(pilot, "70000")
        assert "65535" in message(app, "target", "port")[1]
        assert not any(p.loc[:1] == ("target",) for p in app.found)

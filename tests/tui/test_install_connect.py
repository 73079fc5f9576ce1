"""Install on a real connection (the simulated server as any server, no demo shortcut): the
passwords kept as "ask at install time" in a masked dialog, a refused logon and a missing
target told as a sentence and a remedy."""

from __future__ import annotations

from textual.widgets import Input

from tests.support.answers import contoso_data
from tests.support.wizard import on_screen, screen_text, sim_server, type_text, until
from tui.app import WizardApp
from tui.commands.common import remote_shell

SIZE = (80, 24)
PASSWORD = "Adm1n-Pa55!"


def wizard(data: dict) -> WizardApp:
    return WizardApp(data=data, from_file=True, start_page="review", remote_shell=remote_shell)


async def answer_passwords(pilot, first: str) -> None:
    """The target's password, then a throwaway one for each MSI password."""
    app = pilot.app
    fields = list(app.screen.query(Input))
    for i, _field in enumerate(fields):
        await type_text(pilot, first if i == 0 else f"Svc-{i}-pw")
        await pilot.press("enter")


async def test_passwords_are_asked_masked_then_the_preflight_runs():
    with sim_server(PASSWORD) as (_machine, data):
        app = wizard(data)
        async with app.run_test(size=SIZE) as pilot:
            app.action_install()
            await until(pilot, lambda: on_screen(app, "SecretsPrompt"), what="the passwords")
            text = screen_text(app)
            for label in ("Install account password (target.password)",
                          "Service account password (service_account.password)",
                          "Application pool password (registration_portal.password)",
                          "Application pool password (reset_portal.password)"):
                assert label in text
            first = app.screen.query(Input).first()
            assert first.password and first.has_focus
            await type_text(pilot, PASSWORD)
            assert PASSWORD not in screen_text(app) and "•" * len(PASSWORD) in screen_text(app)
            await pilot.press("ctrl+a", "ctrl+c")  # copying a password does nothing
            assert app.clipboard != PASSWORD
            await pilot.press("enter")  # the next field
            assert app.screen.query(Input)[1].has_focus
            await pilot.press("enter")  # an empty one is refused
            assert "Write the password" in screen_text(app)
            for i in (1, 2, 3):
                await type_text(pilot, f"Svc-{i}-pw")
                await pilot.press("enter")
            await until(pilot, lambda: on_screen(app, "PreflightScreen")
                        and not app.screen.running, what="the pre-flight")
            assert "nothing stands in the installer's way" in screen_text(app)
            assert app.install_session.secrets == {
                "SERVICE_ACCOUNT_PASSWORD": "Svc-1-pw", "REGISTRATION_ACCOUNT_PASSWORD": "Svc-2-pw",
                "RESET_ACCOUNT_PASSWORD": "Svc-3-pw"}


async def test_escape_in_the_password_dialog_installs_nothing():
    with sim_server(PASSWORD) as (_machine, data):
        app = wizard(data)
        async with app.run_test(size=SIZE) as pilot:
            app.action_install()
            await until(pilot, lambda: on_screen(app, "SecretsPrompt"), what="the passwords")
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is app.screen_stack[0] and app.install_session is None


async def test_a_refused_logon_is_a_sentence_and_a_remedy():
    with sim_server(PASSWORD) as (_machine, data):
        app = wizard(data)
        async with app.run_test(size=SIZE) as pilot:
            app.action_install()
            await until(pilot, lambda: on_screen(app, "SecretsPrompt"), what="the passwords")
            await answer_passwords(pilot, "wrong-password")
            await until(pilot, lambda: on_screen(app, "PreflightScreen")
                        and not app.screen.running, what="the pre-flight")
            text = screen_text(app)
            assert "✗ " in text and "What to do:" in text and "r tries again" in text
            assert app.screen.report is None
            await pilot.press("i")  # nothing to install from
            await pilot.pause()
            assert on_screen(app, "PreflightScreen")


async def test_no_target_is_told_before_any_password_is_asked():
    data = {k: v for k, v in contoso_data().items() if k != "target"}
    app = wizard(data)
    async with app.run_test(size=SIZE) as pilot:
        app.action_install()
        await until(pilot, lambda: on_screen(app, "MessageDialog"), what="the problem")
        text = screen_text(app)
        assert "No target server" in text and "What to do:" in text
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is app.screen_stack[0]


async def test_a_password_from_an_unset_variable_is_named(monkeypatch):
    monkeypatch.delenv("MIMSETUP_TEST_UNSET", raising=False)
    with sim_server(PASSWORD) as (_machine, data):
        data["service_account"]["password"] = {"env": "MIMSETUP_TEST_UNSET"}
        app = wizard(data)
        async with app.run_test(size=SIZE) as pilot:
            app.action_install()
            await until(pilot, lambda: on_screen(app, "MessageDialog"), what="the problem")
            assert "MIMSETUP_TEST_UNSET is not set" in screen_text(app)

"""Fields as the real installer has them (#16.5): polling is greyed out and unchecked while no
Exchange box is checked, so the walkthrough's two unchecked boxes leave nothing to fix; the
synchronization server is offered as the installer fills it; the Components page says why the
Password Change Notification Service is not there."""

from __future__ import annotations

from tests.support.wizard import app_with, message, row, screen_text

SIZE = (100, 40)


async def test_the_walkthroughs_two_boxes_are_enough_with_localhost():
    app = app_with({"mail": {"server": "localhost", "use_ssl": True, "is_exchange": True,
                             "poll_exchange": True}})
    async with app.run_test(size=SIZE) as pilot:
        await app.show_page("mail", ("mail", "use_ssl"))
        await pilot.press("space")  # Use SSL off
        await pilot.pause()
        row(app, "mail", "is_exchange").focus_control()
        await pilot.press("space")  # Mail server is Exchange off: polling greys out
        await pilot.pause()
        await pilot.pause()
        poll = row(app, "mail", "poll_exchange")
        assert poll.disabled and poll.value is False
        assert app.data["mail"]["poll_exchange"] is False
        for name in ("use_ssl", "is_exchange", "poll_exchange", "exchange_online"):
            assert message(app, "mail", name) is None, (name, message(app, "mail", name))
        row(app, "mail", "is_exchange").focus_control()
        await pilot.press("space")  # Exchange again: polling can be chosen again
        await pilot.pause()
        assert not row(app, "mail", "poll_exchange").disabled


async def test_the_synchronization_server_is_offered_from_the_target():
    app = app_with({"synchronization": {"server": None}})
    app.data["synchronization"].pop("server")
    async with app.run_test(size=SIZE) as pilot:
        await app.show_page("synchronization")
        await pilot.pause()
        assert row(app, "synchronization", "server").value == "CORPIDM"
        assert message(app, "synchronization", "server") is None


async def test_components_say_where_pcns_is():
    app = app_with()
    async with app.run_test(size=SIZE) as pilot:
        await app.show_page("components")
        await pilot.pause()
        text = " ".join(screen_text(app).split())
        assert "Password Change Notification Service" in text and "domain controller" in text

"""The whole walkthrough typed into an empty form with the keyboard alone, saved, and loaded
back equal to answers/contoso.toml."""

from __future__ import annotations

import stat

from tests.support.paths import CONTOSO
from tests.support.wizard import type_text
from tui.app import WizardApp
from tui.model.validation import read_file


async def test_walkthrough_typed_from_an_empty_form(tmp_path):
    out = tmp_path / "mine.toml"
    app = WizardApp()
    async with app.run_test(size=(80, 24)) as pilot:
        p = pilot.press
        assert app.current == "components"
        # Components: MIM Service and Portal are on; add both password portals
        await p("tab", "tab", "space", "tab", "space", "ctrl+n")
        assert app.current == "database"
        await type_text(pilot, "corpsql")
        await p("ctrl+n")
        assert app.current == "mail"
        # no mail server: localhost, and the top two checkboxes unchecked, as the walkthrough
        # says (polling greys out, unchecked, as in the installer)
        await type_text(pilot, "localhost")
        await p("tab", "space", "tab", "space", "ctrl+n")
        assert app.current == "certificate"
        await p("ctrl+n")  # a new self-signed certificate: the defaults
        assert app.current == "service_account"
        await type_text(pilot, "MIMService")
        await p("enter")
        await type_text(pilot, "contoso")
        await p("enter")
        await type_text(pilot, "MIMService@contoso.local")
        await p("ctrl+n")
        assert app.current == "synchronization"
        await type_text(pilot, "CORPIDM")
        await p("enter")
        await type_text(pilot, "contoso\\MIMMA")
        await p("ctrl+n")
        assert app.current == "portal"
        for text in ("CORPIDM", "http://CorpIDM.contoso.local",
                     "http://CorpIDM.contoso.local:8080", "http://CorpIDM.contoso.local:8088"):
            await type_text(pilot, text)
            await p("enter")
        await p("ctrl+n")
        assert app.current == "registration_portal"
        for account, port, page in (("contoso\\MIMSSPR", "8080", "reset_portal"),
                                    ("Contoso\\MIMSSPRService", "8088", "target")):
            await type_text(pilot, account)
            await p("tab", "tab")  # past "how the password is kept": asked at install time
            await type_text(pilot, "CORPIDM")
            await p("enter")
            await type_text(pilot, port)
            await p("enter", "enter")  # past "open port in firewall" (on)
            await type_text(pilot, "CorpIDM.contoso.local")
            await p("ctrl+n")
            assert app.current == page
        await type_text(pilot, "C:\\Install\\Service and Portal\\Service and Portal.msi")
        await p(*["tab"] * 5)  # log path, install folder, EULA, CEIP: defaults
        await type_text(pilot, "CORPIDM.contoso.local")
        await p(*["tab"] * 6)  # https, port, validation, CA bundle, transport: defaults
        await type_text(pilot, "contoso\\Administrator")
        await p("ctrl+n")
        assert app.current == "review", app.found
        assert app.found == []
        await p("ctrl+s")
        await p("ctrl+u")  # clear the proposed path
        await type_text(pilot, str(out))
        await p("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not app.dirty
    saved = read_file(out)
    assert saved.ok, saved.problems
    assert saved.answers == read_file(CONTOSO).answers
    assert stat.S_IMODE(out.stat().st_mode) == 0o600

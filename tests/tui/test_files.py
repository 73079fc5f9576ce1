"""Opening, saving, drafts and quitting."""

from __future__ import annotations

import json
import stat

from tests.support.answers import contoso_data
from tests.support.paths import CONTOSO
from tests.support.wizard import message, screen_text, type_text
from tui import drafts
from tui.app import WizardApp
from tui.commands.wizard import build
from tui.model.tomlio import dump_data
from tui.model.validation import read_file

SIZE = (80, 24)


def write(path, data: dict) -> None:
    path.write_text(dump_data(data), encoding="utf-8")


async def test_edit_contoso_fills_every_field():
    app = build(str(CONTOSO))
    async with app.run_test(size=SIZE):
        assert app.found == []
        assert app.current == "components"
        await app.show_page("synchronization")
        assert app.query_one("#field-synchronization-ma_account #control").value == (
            "contoso\\MIMMA")
        assert not app.dirty


async def test_partial_file_opens_at_its_first_incomplete_page(tmp_path):
    data = contoso_data()
    for section in ("service_account", "synchronization", "portal"):
        del data[section]
    path = tmp_path / "partial.toml"
    write(path, data)
    app = build(str(path))
    async with app.run_test(size=SIZE):
        assert app.current == "service_account"
        assert message(app, "service_account", "name")[0] == "error"


async def test_invalid_file_shows_its_problems_at_the_fields(tmp_path):
    data = contoso_data()
    data["database"]["server"] = "http://corpsql"
    data["database"]["sevrer"] = "x"
    data["registration_portal"]["port"] = 5726
    path = tmp_path / "bad.toml"
    write(path, data)
    app = build(str(path))
    async with app.run_test(size=SIZE):
        assert app.current == "database"
        assert message(app, "database", "server")[0] == "error"
        page_problems = str(app.page().query_one(".page-problems").render())
        assert "sevrer" in page_problems and "did you mean 'server'" in page_problems
        await app.show_page("registration_portal")
        assert "5726" in message(app, "registration_portal", "port")[1]


async def test_unreadable_and_broken_files_give_a_message_not_a_crash(tmp_path):
    binary = tmp_path / "x.toml"
    binary.write_bytes(b"\x00\x01")
    assert "binary" in build(str(binary))
    broken = tmp_path / "y.toml"
    broken.write_text("[database\nserver = 1\n")
    assert "TOML syntax" in build(str(broken))
    wrong_types = tmp_path / "z.toml"
    wrong_types.write_text("schema_version = 7\ncomponents = 3\n[database]\nserver = 12\n")
    app = build(str(wrong_types))
    async with app.run_test(size=SIZE):
        assert any(p.loc == ("schema_version",) for p in app.found)
        await app.show_page("review")


async def test_save_as_new_file_then_overwrite_confirmation(tmp_path):
    out = tmp_path / "answers.toml"
    out.write_text("old")
    app = build(str(CONTOSO))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")  # MIM Service off, then on again: a change
        await pilot.press("space")
        assert app.dirty
        app.action_save_as()
        await pilot.pause()
        await pilot.press("ctrl+u")
        await type_text(pilot, str(out))
        await pilot.press("enter")
        await pilot.pause()
        assert out.read_text() == "old"  # asks first
        await pilot.press("c")  # cancel
        await app.workers.wait_for_complete()
        assert out.read_text() == "old"
        app.action_save_as()
        await pilot.pause()
        await pilot.press("ctrl+u")
        await type_text(pilot, str(out))
        await pilot.press("enter", "r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.path == out and not app.dirty
    assert read_file(out).answers == read_file(CONTOSO).answers
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


async def test_draft_has_no_clear_text_secret_and_is_restored(tmp_path, state_dir):
    path = tmp_path / "a.toml"
    write(path, contoso_data())
    app = build(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await app.show_page("database", ("database", "server"))
        await pilot.press("ctrl+u")
        await type_text(pilot, "sql2")
        row = app.query_one("#field-service_account-password") if app.page("service_account") \
            else None
        assert row is None
        await app.show_page("service_account")
        app.query_one("#field-service_account-password #control").value = "value"
        await pilot.pause()
        app.query_one("#field-service_account-password #secret-text").focus()
        await type_text(pilot, "Sentinel-Pa55")
        app.lifecycle.save_draft()
    files = list(state_dir.glob("draft-*.json"))
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    text = files[0].read_text()
    assert "Sentinel-Pa55" not in text
    assert json.loads(text)["data"]["service_account"]["password"] == {"prompt": True}
    # the next start finds it
    restored = build(str(path))
    async with restored.run_test(size=SIZE):
        assert restored.dirty
        assert restored.data["database"]["server"] == "sql2"
        assert restored.current == "service_account"


async def test_quit_with_unsaved_changes_asks(tmp_path):
    app = WizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running
        assert app.screen.__class__.__name__ == "Choice"
        await pilot.press("c")
        await app.workers.wait_for_complete()
        assert app.is_running
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("d")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert not app.is_running
    assert drafts.load(None) is None  # discarding forgets the draft


async def test_quit_without_changes_does_not_ask():
    app = WizardApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_open_command_loads_another_file(tmp_path):
    path = tmp_path / "b.toml"
    write(path, contoso_data())
    app = WizardApp()
    async with app.run_test(size=SIZE) as pilot:
        app.action_open()
        await pilot.pause()
        await type_text(pilot, str(path))
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.path == path
        assert app.found == []
        app.action_open()
        await pilot.pause()
        await type_text(pilot, str(tmp_path / "missing.toml"))
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        assert app.path == path  # a missing file changes nothing


async def test_command_palette_offers_the_commands():
    app = WizardApp()
    async with app.run_test(size=SIZE):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for wanted in ("Save", "Save as", "Open", "Validate", "Show plan", "Theme: ansi-dark"):
            assert wanted in titles


async def test_help_and_next_back_availability():
    app = WizardApp()
    async with app.run_test(size=SIZE) as pilot:
        assert app.check_action("back", ()) is None  # dimmed on the first page
        assert app.check_action("next", ()) is True
        await pilot.press("f1")
        assert app.screen.__class__.__name__ == "HelpScreen"
        await pilot.press("escape")
        await app.show_page("review")
        assert app.check_action("next", ()) is None


async def test_help_lists_each_key_from_its_binding():
    """The help is made from the bindings: a key bound (or rebound) is listed with its tooltip,
    and Ctrl+P names the palette's commands."""
    from screens.help import key_name

    app = WizardApp()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f1")
        text = " ".join(screen_text(app).split())
        for binding in WizardApp.BINDINGS:
            assert f"{key_name(binding.key)} {binding.tooltip}" in text
        palette = text[text.index("Ctrl+P commands: "):]
        for title, *_ in WizardApp.COMMANDS:
            assert title in palette
        assert "Enter next field" in text and "Escape close a dialog" in text


async def test_each_palette_command_runs_its_action():
    app = build(str(CONTOSO))
    async with app.run_test(size=SIZE) as pilot:
        commands = {c.title: c.callback for c in app.get_system_commands(app.screen)}
        await commands["Validate"]()
        await pilot.pause()
        assert app.current == "review"


async def test_validate_and_show_plan_commands():
    app = build(str(CONTOSO))
    async with app.run_test(size=SIZE) as pilot:
        app.action_validate()
        await pilot.pause()
        assert app.current == "review"
        app.action_show_plan()
        await pilot.pause()
        assert app.screen.__class__.__name__ == "TextScreen"


async def test_theme_from_environment(monkeypatch):
    monkeypatch.setenv("MIMSETUP_THEME", "ansi-dark")
    app = WizardApp()
    async with app.run_test(size=SIZE):
        assert app.theme == "ansi-dark"


async def test_no_color_is_respected(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = WizardApp()
    async with app.run_test(size=SIZE):
        assert app.no_color
        # page states read without colour: a glyph each
        from tui.widgets.sections import SectionList

        prompt = app.query_one(SectionList).get_option("database").prompt
        assert str(prompt).startswith("○ ")


async def test_the_demo_never_saves_over_its_built_in_example(tmp_path, monkeypatch):
    """`mimsetup demo` without a file opens the example shipped with mimsetup (inside the
    installed package, or the checkout's answers/): Ctrl+S asks where to save, and the example
    is never written."""
    from tui.commands.demo import CONTOSO as EXAMPLE
    from tui.commands.demo import demo_app, demo_secrets
    from tui.model.validation import read_file

    before = EXAMPLE.read_bytes()
    monkeypatch.chdir(tmp_path)
    answers = read_file(EXAMPLE).answers
    with demo_app(EXAMPLE, answers, demo_secrets(answers, EXAMPLE.parent), speed=300.0,
                  example=True) as app:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            app.action_save()
            await pilot.pause()
            await pilot.press("ctrl+u")
            await type_text(pilot, str(tmp_path / "mine.toml"))
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.path == tmp_path / "mine.toml"
    assert EXAMPLE.read_bytes() == before
    assert (tmp_path / "mine.toml").is_file()

"""The Server Core console can draw it (#16.12): on a Windows console without Windows Terminal
and on the Linux console the wizard and the pre-flight draw only glyphs of the console's code
pages (tui/glyphs.py), chosen automatically or with --glyphs / $MIMSETUP_GLYPHS."""

from __future__ import annotations

import pytest

from tests.support.cli import run_cli
from tests.support.wizard import app_with, offline_session, screen_text
from tui.engine.preflight import PreflightReport, PreflightRow
from tui.glyphs import SAFE, wants_safe

SIZE = (80, 24)
REPORT = PreflightReport([
    PreflightRow("sharepoint", "fail", "SharePoint is not installed on the target.",
                 "Install SharePoint, then run the pre-flight again."),
    PreflightRow("pending-reboot", "warn", "A restart is pending.", "Restart the server."),
    PreflightRow("elevated", "pass", "CONTOSO\\Administrator is an administrator."),
    PreflightRow("iis", "skip", "No password portal is selected."),
], computer="CORPIDM", seconds=1.0)


@pytest.mark.parametrize(("setting", "env", "platform", "safe"), [
    (None, {}, "win32", True),  # conhost: no WT_SESSION
    (None, {"WT_SESSION": "1f2e"}, "win32", False),  # Windows Terminal has font fallback
    (None, {"TERM": "linux"}, "linux", True),  # the Linux console
    (None, {"TERM": "xterm-256color"}, "linux", False),
    (None, {"MIMSETUP_GLYPHS": "safe", "TERM": "xterm"}, "linux", True),
    (None, {"MIMSETUP_GLYPHS": "unicode"}, "win32", False),
    ("unicode", {"TERM": "linux"}, "linux", False),
    ("safe", {"WT_SESSION": "x"}, "win32", True),
])
def test_auto_and_the_settings(setting, env, platform, safe):
    assert wants_safe(setting, env, platform) is safe


def unsafe(text: str) -> set[str]:
    return {c for c in text if c not in SAFE and c != "\n"}


async def screens(glyphs: str) -> list[str]:
    """What the terminal shows on pages with marks, errors, a drop-down, the page list and the
    pre-flight."""
    from screens.preflight import PreflightScreen

    app = app_with({"mail": {"server": "localhost"}, "database": {"server": ""}},
                   glyphs=glyphs)
    shown = []
    async with app.run_test(size=SIZE) as pilot:
        for page in ("mail", "database", "target", "review"):
            await app.show_page(page)
            await pilot.pause()
            shown.append(screen_text(app))
        await pilot.press("f2")
        await pilot.pause()
        shown.append(screen_text(app))
        await pilot.press("escape")
        screen = PreflightScreen(offline_session(), run=False)
        await app.push_screen(screen)
        screen.show(REPORT)
        await pilot.pause()
        shown.append(screen_text(app))
    return shown


async def test_safe_mode_draws_only_the_consoles_glyphs():
    for text in await screens("safe"):
        assert not unsafe(text), (unsafe(text), text)


async def test_unicode_mode_draws_what_the_console_cannot():
    """The check above can fail: the same screens in unicode mode hold ✓ ✗ and the like."""
    found = set().union(*(unsafe(t) for t in await screens("unicode")))
    assert {"✓", "✗"} <= found, found


def test_a_wrong_setting_is_refused():
    res = run_cli("edit", env={"MIMSETUP_GLYPHS": "ascii-art"})
    assert res.returncode == 2 and "MIMSETUP_GLYPHS" in res.stderr


def test_wizard_in_safe_mode(snap_compare):
    async def go(pilot):
        await pilot.app.show_page("mail")
        await pilot.pause()

    app = app_with({"mail": {"server": "localhost"}}, glyphs="safe")
    assert snap_compare(app, run_before=go, terminal_size=SIZE)


def test_preflight_in_safe_mode(snap_compare):
    from screens.preflight import PreflightScreen

    async def go(pilot):
        screen = PreflightScreen(offline_session(), run=False)
        await pilot.app.push_screen(screen)
        screen.show(REPORT)
        await pilot.pause()

    assert snap_compare(app_with(glyphs="safe"), run_before=go, terminal_size=SIZE)

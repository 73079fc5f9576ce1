"""No password leaks: the whole flow (edit, draft, pre-flight, install, result, checklist with
fixes, report, save) with every password a sentinel read from the environment; every file
mimsetup wrote and every screen it showed hold the sentinel zero times, while the simulated
server did receive it (so it went where it had to).

Two runs: in-process with Pilot against a server reached through [target] (the sentinel is
also the logon password), and `mimsetup demo FILE` in a real pseudo-terminal (what `make demo`
runs), whose whole output is searched."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from textual.widgets import DataTable

from tests.support.wizard import on_screen, save_report, screen_text, sim_server, type_text, until
from tui.commands import wizard
from tui.engine.sim.install_script import installer_of
from tui.model.tomlio import dump_data

SENTINEL = "S3ntinel-Pw!"
ENV = "MIMSETUP_TEST_SENTINEL"
SECRETS = (("target", "password"), ("service_account", "password"),
           ("registration_portal", "password"), ("reset_portal", "password"))


def forms(text: str) -> list[bytes]:
    """The sentinel as it could appear in a file: UTF-8, UTF-16 (Windows), JSON-escaped."""
    return [text.encode(), text.encode("utf-16-le"), text.replace("!", "\\u0021").encode()]


def assert_clean(where: str, blob: bytes) -> None:
    for form in forms(SENTINEL):
        assert form not in blob, f"the sentinel is in {where}"


def files_under(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


async def test_the_wizard_flow_leaks_no_password(tmp_path, monkeypatch, state_dir):
    monkeypatch.setenv(ENV, SENTINEL)
    monkeypatch.chdir(tmp_path)
    screens: list[str] = []

    def shot(app) -> None:
        screens.append(app.export_screenshot())
        screens.append(screen_text(app))

    # verbose-log: the simulated package hides no property, so /l*v writes the passwords in clear
    # in PROPERTY CHANGE, Command Line and CustomActionData lines of the log on the target.
    with sim_server(SENTINEL, scenario="verbose-log") as (machine, data):
        for section, name in SECRETS:
            data[section][name] = {"env": ENV}
        answers = tmp_path / "mim.toml"
        answers.write_text(dump_data(data), encoding="utf-8")
        app = wizard.build(str(answers))
        async with app.run_test(size=(80, 24)) as pilot:
            # an edit, so that a draft is written
            await app.show_page("target")
            await type_text(pilot, "x")
            await pilot.press("backspace")
            await until(pilot, lambda: any(state_dir.glob("draft-*.json")), what="a draft")
            await app.show_page("review")
            shot(app)
            app.action_install()
            await until(pilot, lambda: on_screen(app, "PreflightScreen")
                        and not app.screen.running, what="the pre-flight")
            shot(app)
            await pilot.press("i")
            await until(pilot, lambda: on_screen(app, "ProgressScreen")
                        and app.screen.lines_shown, what="the install")
            shot(app)
            await until(pilot, lambda: on_screen(app, "ResultScreen"), what="the result")
            shot(app)
            await pilot.press("c")
            await until(pilot, lambda: on_screen(app, "ChecklistScreen")
                        and not app.screen.running, what="the checklist")
            for item in ("intranet-zone", "mpr-own-attributes"):
                table = app.screen.query_one(DataTable)
                table.move_cursor(row=table.get_row_index(item))
                await pilot.press("f")
                await until(pilot, lambda: on_screen(app, "Choice"), what="the question")
                shot(app)
                await pilot.press("y")
                await until(pilot, lambda: on_screen(app, "ChecklistScreen")
                            and not app.screen.running, what="the re-check")
            shot(app)
            await save_report(pilot, app, tmp_path / "report.md")
            shot(app)
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("ctrl+s")  # the answer file, saved over itself
            await until(pilot, lambda: not app.dirty, what="the save")
            shot(app)
        run = installer_of(machine).runs[-1]
        assert run.properties["SERVICE_ACCOUNT_PASSWORD"] == SENTINEL  # it did go to msiexec
        assert run.exit_code == 0
        target = machine.state
        assert SENTINEL.encode("utf-16-le") in target.path(target.install_log_path).read_bytes()
        # what auditing on the target would have recorded: command lines, the module log
        assert target.process_log and target.module_log
        for line in target.process_log:
            assert_clean("a process command line on the target", line.encode())
        for cmdlet, text in target.module_log:
            assert_clean(f"the module log on the target ({cmdlet})", text.encode())
    written = files_under(state_dir, tmp_path)
    names = {p.name for p in written}
    assert {"mim.toml", "report.md", "report.json"} <= names
    assert any(p.parent.name == "installs" for p in written)  # the install's state file
    for path in written:
        assert_clean(str(path), path.read_bytes())
    for i, text in enumerate(screens):
        assert_clean(f"screen {i}", text.encode())


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")
def test_mimsetup_demo_in_a_terminal_leaks_no_password(tmp_path, monkeypatch, state_dir):
    """`mimsetup demo FILE` (what `make demo` runs) from the first key to the last, in a pty."""
    from tests.support.answers import contoso_data
    from tests.support.pty import Terminal

    data = contoso_data()
    for section, name in SECRETS[1:]:  # the simulated server's own logon is never asked
        data[section][name] = {"env": ENV}
    answers = tmp_path / "mim.toml"
    answers.write_text(dump_data(data), encoding="utf-8")
    monkeypatch.setenv(ENV, SENTINEL)
    monkeypatch.setenv("MIMSETUP_DEMO_SPEED", "300")
    monkeypatch.chdir(tmp_path)
    term = Terminal(state_dir, "demo", str(answers))
    try:
        # generous waits: the first start imports everything and makes a TLS certificate
        term.read_until("Demo: Install", timeout=60)
        term.send("\r")  # Install is focused
        term.read_until("nothing stands in the installer's way", timeout=40)
        term.send("i")
        term.read_until("installed successfully", timeout=60)
        term.send("c")
        term.read_until("to tick by hand", timeout=40)
        term.send("f")
        term.read_until("Fix on the target?")
        term.send("y")
        term.read_until("Fixed:", timeout=40)
        term.send("s")
        term.read_until("Save the report")
        term.send("\x15")  # Ctrl+U clears the proposed path (a key of its own)
        term.drain(0.2)
        term.send(str(tmp_path / "demo-report.md"))
        term.drain(0.2)
        term.send("\r")
        term.read_until("Report saved")
        term.send("\x11")  # Ctrl+Q
        assert term.close() == 0
    finally:
        if term.proc.poll() is None:
            term.proc.kill()
    assert (tmp_path / "demo-report.json").exists()
    assert_clean("the terminal output", term.output)
    for path in files_under(state_dir, tmp_path):
        assert_clean(str(path), path.read_bytes())

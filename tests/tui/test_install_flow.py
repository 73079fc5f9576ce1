"""The install flow in the wizard, driven with the keyboard against the simulated Windows target
(the real pywinrm client over loopback, the real engine): pre-flight, install, result,
checklist, report. The simulated install replays the reference log 300 times faster."""

from __future__ import annotations

import json
import stat

import pytest
from textual.widgets import DataTable

from tests.support.paths import CONTOSO
from tests.support.wizard import demo_wizard, on_screen, save_report, screen_text, until
from tui.engine.checklist import ITEMS
from tui.engine.sim.demo import demo_target
from tui.engine.sim.install_script import installer_of
from tui.engine.state import unfinished
from tui.model.validation import read_file

SIZE = (80, 24)
FAST = 300.0


@pytest.fixture
def answers():
    return read_file(CONTOSO).answers


def sim(answers, scenario: str = "healthy", speed: float = FAST):
    return demo_target(answers, scenario, speed=speed)


async def to_preflight(pilot) -> None:
    app = pilot.app
    await pilot.press("enter")  # the demo opens on Review with Install focused
    await until(pilot, lambda: on_screen(app, "PreflightScreen") and not app.screen.running,
                what="the pre-flight")


async def install(pilot, timeout: float = 30.0) -> None:
    app = pilot.app
    await pilot.press("i")
    await until(pilot, lambda: on_screen(app, "ProgressScreen"), what="the progress screen")
    await until(pilot, lambda: on_screen(app, "ResultScreen"), timeout, what="the result")


def select_row(app, item_id: str) -> None:
    table = app.screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(item_id))


async def test_healthy_install_to_a_passing_checklist(answers, tmp_path):
    with sim(answers) as d:
        app = demo_wizard(d)
        async with app.run_test(size=SIZE) as pilot:
            await to_preflight(pilot)
            assert "nothing stands in the installer's way" in screen_text(app)
            await install(pilot)
            text = screen_text(app)
            assert "✓ MIM Service and Portal installed successfully." in text
            assert "Exit code: 0" in text
            assert "C:\\Windows\\Temp\\mimsetup-service-portal.log" in text
            # the checklist: two items fail until fixed, the add-ins are ticked by hand
            await pilot.press("c")
            await until(pilot, lambda: on_screen(app, "ChecklistScreen")
                        and not app.screen.running, what="the checklist")
            failing = {i.id for i in app.screen.items if i.status == "fail"}
            assert failing == {"intranet-zone", "mpr-own-attributes"}
            for item in ("intranet-zone", "mpr-own-attributes"):
                select_row(app, item)
                await pilot.press("f")
                await until(pilot, lambda: on_screen(app, "Choice"), what="the fix question")
                assert "Fix" in screen_text(app)
                await pilot.press("y")
                await until(pilot, lambda: on_screen(app, "ChecklistScreen")
                            and not app.screen.running, what="the check after the fix")
                fixed = next(i for i in app.screen.items if i.id == item)
                assert fixed.status == "pass" and fixed.fixed
            select_row(app, "addins")
            await pilot.press("space")
            await pilot.pause()
            assert "✓ The checklist is complete" in screen_text(app)
            assert app.install_session.report().install.exit_code == 0
            # the report, saved from the checklist like Save as
            await save_report(pilot, app, tmp_path / "report.md")
            await pilot.press("escape")  # back to the answers
            await pilot.pause()
            assert app.screen is app.screen_stack[0] and app.current == "review"
    md, js = tmp_path / "report.md", tmp_path / "report.json"
    for path in (md, js):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    report = json.loads(js.read_text())
    assert report["install"]["exit_code"] == 0
    assert {c["status"] for c in report["preflight"]} == {"pass", "skip"} or report["preflight"]
    assert [i["status"] for i in report["checklist"] if i["id"] != "addins"] == ["pass"] * 8
    assert report["answers"]["service_account"]["password"] == {"prompt": True}
    assert "Done: ticked by hand" in md.read_text()


async def test_a_preflight_failure_stops_the_way(answers):
    with sim(answers, "no-sharepoint") as d:
        app = demo_wizard(d)
        async with app.run_test(size=SIZE) as pilot:
            await to_preflight(pilot)
            text = screen_text(app)
            assert "✗ 1 failure" in text and "the installer would fail" in text
            assert "✗ fail    SharePoint installed" in text
            assert "What to do: Install SharePoint" in text  # the highlighted failure's remedy
            await pilot.press("i")
            await pilot.pause()
            assert on_screen(app, "PreflightScreen")
            assert installer_of(d.machine).runs == []


async def test_warnings_need_an_explicit_yes(answers):
    with sim(answers, speed=2000) as d:
        d.machine.state.free_mb["C"] = 2000  # below the 4 GB recommended: a warning
        app = demo_wizard(d)
        async with app.run_test(size=SIZE) as pilot:
            await to_preflight(pilot)
            assert "! 1 warning" in screen_text(app)
            await pilot.press("i")
            await until(pilot, lambda: on_screen(app, "Choice"), what="the question")
            assert "Free disk space" in screen_text(app)
            await pilot.press("n")
            await pilot.pause()
            assert on_screen(app, "PreflightScreen") and installer_of(d.machine).runs == []
            await pilot.press("i")
            await until(pilot, lambda: on_screen(app, "Choice"), what="the question")
            await pilot.press("y")
            await until(pilot, lambda: on_screen(app, "ResultScreen"), what="the result")
            assert app.install_session.finished.outcome == "success"


async def test_a_1603_failure_is_shown_with_its_cause(answers):
    with sim(answers, "install-fails") as d:
        app = demo_wizard(d)
        async with app.run_test(size=SIZE) as pilot:
            await to_preflight(pilot)
            await install(pilot)
            text = screen_text(app)
            assert "✗ InstallFIMPortal failed" in text
            assert "Exit code: 1603" in text
            assert "Failing action: InstallFIMPortal" in text
            assert "Log on the target: C:\\Windows\\Temp\\mimsetup-service-portal.log" in text
            # the log's line that shows the cause (wrapped at 80 columns)
            assert '"microsoftidentitymanagement.wsp", and only one deployment' in text
            # the known failure the log shows, what to do about it, and the rollback
            assert "Cause: A SharePoint solution deployment was already under way" in text
            assert "Next: Wait for the job, or find it" in text
            assert "Login failed" not in text  # the pre-flight saw SQL Server accept it
            assert "Rolled back: yes" in text
            finished = app.install_session.finished
            assert finished.cause.id == "sharepoint-deployment-under-way"
            assert finished.rolled_back
            await pilot.press("c")  # no checklist after a failure
            await pilot.pause()
            assert on_screen(app, "ResultScreen")


async def test_detach_says_how_to_attach_and_the_install_goes_on(answers):
    with sim(answers, speed=150) as d:
        app = demo_wizard(d)
        async with app.run_test(size=SIZE) as pilot:
            await to_preflight(pilot)
            await pilot.press("i")
            await until(pilot, lambda: on_screen(app, "ProgressScreen")
                        and app.screen.lines_shown > 0, what="the first log lines")
            await pilot.press("d")
            await until(pilot, lambda: on_screen(app, "ResultScreen"), what="the result")
            state = app.install_session.state
            text = screen_text(app)
            assert "⇢ You detached. The install goes on on the target." in text
            assert f"mimsetup attach {state.install_id}" in text
            assert [s.install_id for s in unfinished()] == [state.install_id]
            inst = installer_of(d.machine)
            inst.wait(30)
            assert inst.runs[-1].exit_code == 0  # msiexec went on to the end
            # attach again, here: the result of the install that went on
            await pilot.press("a")
            await until(pilot, lambda: on_screen(app, "ResultScreen")
                        and app.install_session.finished is not None, what="the new result")
            assert "✓ MIM Service and Portal installed successfully." in screen_text(app)
            assert unfinished() == []


async def to_cancel_question(pilot):
    """Start the install, press x once msiexec runs; the progress screen, under the question."""
    app = pilot.app
    await to_preflight(pilot)
    await pilot.press("i")
    await until(pilot, lambda: on_screen(app, "ProgressScreen")
                and app.install_session.state is not None, what="msiexec started")
    screen = app.screen
    await pilot.press("x")
    await until(pilot, lambda: on_screen(app, "Choice"), what="the question")
    return screen


async def test_cancel_explains_and_asks_first(answers):
    with sim(answers, speed=40) as d:
        app = demo_wizard(d)
        async with app.run_test(size=SIZE) as pilot:
            await to_cancel_question(pilot)
            text = screen_text(app)
            assert "rolls back" in text and "returns to its state before" in text
            await pilot.press("n")  # keep installing
            await pilot.pause()
            assert on_screen(app, "ProgressScreen") and not app.screen.done
            await pilot.press("x")
            await until(pilot, lambda: on_screen(app, "Choice"), what="the question")
            await pilot.press("y")
            await until(pilot, lambda: on_screen(app, "ResultScreen"), what="the result")
            f = app.install_session.finished
            assert (f.outcome, f.exit_code) == ("cancelled", 1602)
            assert "rolled back" in screen_text(app)


async def test_a_cancel_that_cannot_end_the_runner_says_the_install_goes_on(answers):
    with sim(answers, speed=40) as d:
        installer_of(d.machine).kill_denied = True  # Process.Kill: access denied
        app = demo_wizard(d)
        async with app.run_test(size=SIZE) as pilot:
            screen = await to_cancel_question(pilot)
            await pilot.press("y")

            def shown() -> str:  # the log keeps the notice (the line above it changes later)
                return " ".join(str(line) for line in screen.query_one("#log").lines)

            await until(pilot, lambda: "not cancelled" in shown(), what="the cancel's answer")
            assert "The install was not cancelled and goes on" in shown()
            assert "Task Scheduler" in shown()  # what to do about it
            await until(pilot, lambda: not screen.cancelling, what="x offered again")
            await until(pilot, lambda: on_screen(app, "ResultScreen"), what="the result")
            assert app.install_session.finished.outcome == "success"


async def test_a_checklist_item_fixed_on_an_existing_install(answers):
    with sim(answers, "mim-installed") as d:
        app = demo_wizard(d)
        async with app.run_test(size=SIZE) as pilot:
            await to_preflight(pilot)
            assert "already installed" in screen_text(app)
            await pilot.press("c")
            await until(pilot, lambda: on_screen(app, "ChecklistScreen")
                        and not app.screen.running, what="the checklist")
            assert app.screen.current().id == "portal"  # the first item that fails
            select_row(app, "intranet-zone")
            await pilot.pause()
            assert "f fixes it from here." in screen_text(app)
            await pilot.press("f")
            await until(pilot, lambda: on_screen(app, "Choice"), what="the fix question")
            # what Fix does, in the engine's words for this item (tui/engine/checklist.py)
            assert " ".join(ITEMS["intranet-zone"][1].split()[:6]) in " ".join(
                screen_text(app).split())
            await pilot.press("y")
            await until(pilot, lambda: on_screen(app, "ChecklistScreen")
                        and not app.screen.running, what="the check after the fix")
            item = next(i for i in app.screen.items if i.id == "intranet-zone")
            assert item.status == "pass" and item.fixed
            assert "✓ fixed" in screen_text(app)
            await pilot.press("r")  # re-check everything
            await until(pilot, lambda: not app.screen.running, what="the re-check")
            assert next(i for i in app.screen.items if i.id == "intranet-zone").status == "pass"


async def test_quitting_while_installing_asks_and_detaches(answers):
    with sim(answers, speed=150) as d:
        app = demo_wizard(d)
        async with app.run_test(size=SIZE) as pilot:
            await to_preflight(pilot)
            await pilot.press("i")
            await until(pilot, lambda: on_screen(app, "ProgressScreen")
                        and app.install_session.state is not None, what="msiexec started")
            await pilot.press("ctrl+q")
            await until(pilot, lambda: on_screen(app, "Choice"), what="the question")
            assert "Quitting detaches" in screen_text(app)
            await pilot.press("s")  # stay
            await pilot.pause()
            assert on_screen(app, "ProgressScreen") and not app.screen.done
            await pilot.press("ctrl+q")
            await until(pilot, lambda: on_screen(app, "Choice"), what="the question")
            await pilot.press("q")
            await until(pilot, lambda: app.return_code is not None, what="the exit")
        assert app.return_code == 0
        installer_of(d.machine).wait(30)  # the install itself went on


async def test_an_answer_for_a_screen_that_has_gone_is_dropped(answers):
    """The admin went back (or quit) while a worker waited on the target: its answer, coming
    from the worker's thread, must not reach the removed screen's widgets."""
    import asyncio

    from screens.checklist import ChecklistScreen

    with sim(answers, "mim-installed") as d:
        app = demo_wizard(d)
        async with app.run_test(size=SIZE) as pilot:
            await to_preflight(pilot)
            await pilot.press("c")
            await until(pilot, lambda: on_screen(app, "ChecklistScreen")
                        and not app.screen.running, what="the checklist")
            screen: ChecklistScreen = app.screen  # type: ignore[assignment]
            await pilot.press("escape")
            await pilot.pause()
            shown = []
            await asyncio.to_thread(screen.from_thread, shown.append, "late answer")
            await pilot.pause()
            assert shown == [] and app.screen is app.screen_stack[0]


async def test_success_with_a_restart_needed(answers):
    with sim(answers, "reboot-required") as d:
        app = demo_wizard(d)
        async with app.run_test(size=SIZE) as pilot:
            await to_preflight(pilot)
            await install(pilot)
            text = screen_text(app)
            assert "✓ MIM Service and Portal installed; Windows needs a restart" in text
            assert "Exit code: 3010" in text
            assert "restart the server when convenient" in text
            await pilot.press("c")  # the checklist is the next step here too
            await until(pilot, lambda: on_screen(app, "ChecklistScreen"), what="the checklist")


async def test_the_full_log_and_back(answers):
    with sim(answers, speed=150) as d:
        app = demo_wizard(d)
        async with app.run_test(size=SIZE) as pilot:
            await to_preflight(pilot)
            await pilot.press("i")
            await until(pilot, lambda: on_screen(app, "ProgressScreen"), what="the install")
            assert "(l: full screen)" in screen_text(app)
            assert "Creating the MIM" in screen_text(app)
            await pilot.press("l")
            await pilot.pause()
            text = screen_text(app)
            assert "(l: back to the phases)" in text and "Creating the MIM" not in text
            await pilot.press("l")
            await pilot.pause()
            assert "Creating the MIM" in screen_text(app)
            await pilot.press("d")
        replayer = installer_of(d.machine).replayer
        if replayer is not None:  # still installing: no need to wait for the end
            replayer.stop()


@pytest.mark.parametrize(("scenario", "code"), [
    ("install-fails", 1), ("reboot-required", 3010), ("healthy", 0)])
async def test_the_interactive_demo_exits_as_apply(answers, scenario, code):
    """#16.10: quitting the wizard after an install exits as `apply` would have (the README's
    'as apply'), not 0 whatever happened."""
    from tui.commands.common import wizard_exit_code

    with sim(answers, scenario) as d:
        app = demo_wizard(d)
        async with app.run_test(size=SIZE) as pilot:
            await to_preflight(pilot)
            await install(pilot)
            app.exit(0)  # how the wizard's own quit ends it (tui/wizard/files.py)
        assert wizard_exit_code(app, None) == code

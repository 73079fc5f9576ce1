"""The result of a failed install at 80x24: a known cause, the next step and the failing action's
log lines can take more than the screen. Nothing may be cut off or squeezed to nothing: the
body scrolls, and the log lines keep every row."""

from __future__ import annotations

import dataclasses

from textual.containers import VerticalScroll
from textual.widgets import Static

from tests.support.wizard import app_with, offline_session
from tui.engine.events import Finished
from tui.engine.knownfailures import Diagnosis

SIZE = (80, 24)


LINES = tuple(f"CAQuietExec: line {i} of a SharePoint deployment that went wrong" for i in range(9))
FAILED = Finished(
    "failed", 1603, "InstallFIMPortal failed at 10:54:12 (exit code 1603).",
    "Wait for the deployment, or cancel it, then run the install again.", "InstallFIMPortal",
    LINES, "C:\\Windows\\Temp\\mimsetup-service-portal.log", 312.0,
    Diagnosis("deployment-under-way", "A SharePoint solution deployment was already under way",
              "an earlier WSP job is stuck in SharePoint's timer service " * 2,
              "cancel the job, restart SPTimerV4, retry", LINES[0], ("TechNet wiki 4152",)),
    True,
)


async def test_a_long_failure_scrolls_and_keeps_every_log_line():
    from screens.result import ResultScreen

    session = offline_session()
    session.finished = dataclasses.replace(FAILED)
    app = app_with()
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(ResultScreen(session))
        await pilot.pause()
        body = app.screen.query_one("#result-body", VerticalScroll)
        lines = app.screen.query_one("#result-lines", Static)
        assert lines.size.height >= len(LINES)  # every line, none squeezed away
        assert body.max_scroll_y > 0  # more than the screen: it scrolls, nothing is cut
        body.scroll_end(animate=False)
        await pilot.pause()
        assert lines.region.bottom <= body.region.bottom

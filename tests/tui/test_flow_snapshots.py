"""The install flow's screens at 80x24, driven with fixed data (no target, no clock): the
pre-flight, the install in progress, a failed result and the checklist. Update with
--snapshot-update after looking at the SVGs."""

from __future__ import annotations

import pytest

from tests.support.wizard import app_with, offline_session
from tui.engine.checklist import Item
from tui.engine.events import Finished, LogLines, Notice, PhaseStarted, Progress
from tui.engine.preflight import PreflightReport, PreflightRow
from tui.engine.state import InstallState

SIZE = (80, 24)


@pytest.fixture
def session():
    return offline_session()


REPORT = PreflightReport([
    PreflightRow("elevated", "pass", "CONTOSO\\Administrator is an administrator of this computer, "
          "with an elevated token."),
    PreflightRow("os-version", "pass", "Microsoft Windows Server 2019 Datacenter (10.0.17763)."),
    PreflightRow("pending-reboot", "warn", "A restart is pending (Windows Update).",
          "Restart the server before installing: the installer may fail to replace files."),
    PreflightRow("sharepoint", "fail", "SharePoint is not installed on the target; the MIM Portal "
          "is installed into a SharePoint site collection.", "Install SharePoint (2016 SP1 or "
          "later, or 2019), create the web application and the site collection, then run the "
          "pre-flight again."),
    PreflightRow("sql-reachable", "pass", "SQL Server corpsql answers on corpsql:1433."),
    PreflightRow("iis", "skip", "No password portal is selected."),
], computer="CORPIDM", seconds=1.2)

STATE = InstallState("20250114-103012-1a2b3c", {"host": "CORPIDM.contoso.local"},
                     "mimsetup-install-20250114-103012-1a2b3c", "C:\\Windows\\Temp\\mimsetup-x",
                     "C:\\Windows\\Temp\\mimsetup-x\\status.json",
                     "C:\\Windows\\Temp\\mimsetup-service-portal.log", 0.0)

LINES = (
    "Action 10:53:46: InstallCerts.",
    "Action 10:53:48: UpdateAppConfigSettings.",
    "Action 10:53:49: WriteRegistryValues. Writing system registry values",
    "Action 10:53:49: InstallServices. Installing new services",
    "Action 10:53:50: InstallPSExtension.",
    "Action 10:53:50: DeployAndPopulateDatabase.",
)

FAILED = Finished(
    "failed", 1603, "DeployAndPopulateDatabase failed at 10:54:12 (exit code 1603).",
    "Read the failing action and its lines below; fix the cause and run the install again "
    "(the pre-flight checks the usual causes).", "DeployAndPopulateDatabase",
    ("Error 25009.The Forefront Identity Manager Service setup wizard cannot configure the "
     "specified database. Login failed for user 'CONTOSO\\MIMService'.",
     "CustomAction DeployAndPopulateDatabase returned actual error code 1603",
     "Action ended 10:54:12: InstallExecute. Return value 3."),
    "C:\\Windows\\Temp\\mimsetup-service-portal.log", 312.0,
)

ITEMS = [
    Item("portal", "MIM Portal answers at /identitymanagement", "pass", "The MIM Portal answers.",
         "HTTP 200 from http://CorpIDM.contoso.local/identitymanagement"),
    Item("intranet-zone", "Portal site in the Local intranet zone", "fail",
         "The portal's site is not in the Local intranet zone.",
         "HKCU:\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\ZoneMap\\"
         "Domains\\contoso.local\\corpidm http=(none)",
         "Add it in Internet Options > Security > Local intranet > Sites.", fixable=True),
    Item("mpr-own-attributes", "MPR \"User management: Users can read attributes of their "
         "own\" enabled", "pass", "The MPR is enabled.", "Disabled=False", fixed=True),
    Item("firewall", "Inbound firewall rules for TCP 5725 and 5726", "unknown",
         "The firewall rules could not be read.", "Get-NetFirewallRule: access denied"),
    Item("fimservice", "FIMService running", "pass", "FIMService runs.", "FIMService: Running"),
    Item("addins", "Optional: MIM add-ins and extensions installed", "manual",
         "Tick it when done."),
]


def test_preflight(snap_compare, session):
    from screens.preflight import PreflightScreen

    async def go(pilot):
        screen = PreflightScreen(session, run=False)
        await pilot.app.push_screen(screen)
        screen.show(REPORT)
        await pilot.pause()

    assert snap_compare(app_with(), run_before=go, terminal_size=SIZE)


def test_progress(snap_compare, session):
    from screens.install import ProgressScreen

    async def go(pilot):
        screen = ProgressScreen(session, run=False, clock=lambda: 0.0)
        await pilot.app.push_screen(screen)
        screen.feed([STATE, PhaseStarted("preparing", "Preparing"),
                     PhaseStarted("files", "Copying files"), LogLines(LINES, 4096),
                     PhaseStarted("database", "Creating the MIM Service database"),
                     Notice("The connection dropped; resumed the log at byte 4096.", "warning"),
                     Progress(31.5, "database", 412.0, 187.0)])
        await pilot.pause()

    assert snap_compare(app_with(), run_before=go, terminal_size=SIZE)


def test_result_failed(snap_compare, session):
    from screens.result import ResultScreen

    async def go(pilot):
        session.finished, session.state = FAILED, STATE
        await pilot.app.push_screen(ResultScreen(session))
        await pilot.pause()

    assert snap_compare(app_with(), run_before=go, terminal_size=SIZE)


def test_checklist(snap_compare, session):
    from screens.checklist import ChecklistScreen

    async def go(pilot):
        screen = ChecklistScreen(session, run=False)
        await pilot.app.push_screen(screen)
        screen.show(ITEMS)
        await pilot.pause()

    assert snap_compare(app_with(), run_before=go, terminal_size=SIZE)

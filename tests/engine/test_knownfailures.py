"""The knowledge base of known MIM install failures: each entry found from a log line as a failed
install writes it, and nothing found where nothing is known."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from tui.engine import msilog
from tui.engine.knownfailures import diagnose, known_failures, rolled_back
from tui.engine.sim.logreplay import build_script

# One failing log line (and the failing action, as failure_context names it) per entry.
CASES = {
    "sql-login-failed": (
        "Error 25009.The Forefront Identity Manager Service setup wizard cannot configure the "
        "specified database. Login failed for user 'CONTOSO\\mimadmin'.",
        "DeployAndPopulateDatabase"),
    "sql-unreachable": (
        "Error 25009.The Forefront Identity Manager Service setup wizard cannot configure the "
        "specified database. A network-related or instance-specific error occurred while "
        "establishing a connection to SQL Server. (provider: Named Pipes Provider, error: 40 - "
        "Could not open a connection to SQL Server)", "DeployAndPopulateDatabase"),
    "sql-database": (
        "Error 25009.Der Setup-Assistent für den Forefront Identity Manager-Dienst kann die "
        "angegebene Datenbank nicht konfigurieren. CREATE DATABASE permission denied.",
        "DeployAndPopulateDatabase"),
    "sharepoint-deployment-under-way": (
        "CAQuietExec:  Error: A deployment or retraction is already under way for the solution "
        "\"Microsoft.IdentityManagement.WebUI.wsp\", and only one deployment or retraction at a "
        "time is supported", "InstallFIMPortal"),
    "sharepoint-timeout": (
        "CAQuietExec:  Error: Timed out waiting for the solution deployment job to finish "
        "(SHAREPOINTTIMEOUT = 180).", "InstallCommonPortal"),
    "sharepoint-compatibility-level": (
        "CAQuietExec:  Error: The site collection http://corpidm uses CompatibilityLevel 14; "
        "the portal cannot be upgraded.", "InstallFIMPortal"),
    "false-prerequisite": (
        "Error 25070.The features you have selected have the following prerequisites. Refer to "
        "the installation guide for more information. - SharePoint", None),
    "fimservice-did-not-start": (
        "Error 1920.Service 'Forefront Identity Manager Service' (FIMService) failed to start. "
        "Verify that you have sufficient privileges to start system services.", "StartServices"),
    "source-not-found": (
        "Error 1311.Source file not found: C:\\MIM\\Service and Portal\\Data1.cab. Verify that "
        "the file exists and that you can access it.", None),
    "service-account-rejected": (
        "Action ended 10:41:07: ValidateServiceAccount. Return value 3.", "ValidateServiceAccount"),
    "sync-account-rejected": (
        "Action ended 10:41:09: CheckSynchronizationServiceExists. Return value 3.",
        "CheckSynchronizationServiceExists"),
    "sharepoint-not-ready": (
        "Aktion beendet um 10:41:12: CheckSharepointTimerServiceRunning. Rückgabewert 3.",
        "CheckSharepointTimerServiceRunning"),
    "portal-already-deployed": (
        "Action ended 10:41:13: CheckFIMWebSiteorSolutionPackExisting. Return value 3.",
        "CheckFIMWebSiteorSolutionPackExisting"),
    "sql-prerequisite": (
        "Action ended 10:41:10: CheckFullTextSearchInstalled. Return value 3.",
        "CheckFullTextSearchInstalled"),
    "firewall-service-stopped": (
        "Action ended 10:41:11: CheckFirewallServiceRunning. Return value 3.",
        "CheckFirewallServiceRunning"),
}


def test_every_entry_has_a_case_and_a_source():
    ids = [e.id for e in known_failures()]
    assert sorted(ids) == sorted(CASES)
    assert len(set(ids)) == len(ids)
    assert all(e.sources and e.cause and e.remedy for e in known_failures())


@pytest.mark.parametrize("entry", sorted(CASES))
def test_entry_is_found_from_its_log_line(entry):
    line, action = CASES[entry]
    log = ["Action start 10:40:01: InstallExecute.", line] if action is None else [line]
    found = diagnose(log, action)
    assert found is not None and found.id == entry
    assert found.evidence in (line, action)


def test_an_unknown_failure_is_not_given_a_cause():
    lines = ["Error 1722.There is a problem with this Windows Installer package.",
             "Action ended 10:41:07: InstallExecute. Return value 3."]
    assert diagnose(lines, "SomeOtherAction") is None
    assert diagnose([], None) is None


def test_an_action_bound_entry_needs_its_action():
    # A time-out outside the portal's actions is not a SharePoint deployment time-out.
    line = "CAQuietExec:  Error: Timed out waiting for the job (SHAREPOINTTIMEOUT)."
    assert diagnose([line], "InstallCommonPortal").id == "sharepoint-timeout"
    assert diagnose([line], "DeployAndPopulateDatabase") is None


def test_data_file_is_the_one_place():
    data = json.loads(resources.files("tui.engine").joinpath("known-failures.json").read_text())
    assert [e["id"] for e in data["entries"]] == [e.id for e in known_failures()]


def test_the_simulated_failure_is_found_through_the_filter():
    """What the tail sends of the replayed 1603 (the reference log's own Error 25009) is enough
    to name the cause and to see the rollback; a successful log shows neither."""
    sent = msilog.log_filter().select([ln.text for ln in build_script(1603)])
    failure = msilog.failure_context(sent)
    assert failure is not None
    assert diagnose(sent, failure.action).id == "sql-login-failed"
    assert rolled_back(sent)
    ok = msilog.log_filter().select([ln.text for ln in build_script(0)])
    assert not rolled_back(ok) and msilog.failure_context(ok) is None


def test_rollback_is_read_from_the_action_name_in_any_language():
    assert rolled_back(["Aktion 10:54:11: Rollback. Aktion wird rückgängig gemacht:"])
    assert not rolled_back(["Action start 10:54:11: RollbackCleanup."])

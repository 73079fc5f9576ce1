"""The demo does not contradict itself (#16.3): a scenario whose install fails fails for a cause
its own pre-flight did not report as passing, and install-fails fails for a cause no pre-flight
can see (a SharePoint deployment job scheduled after it ran), named specifically."""

from __future__ import annotations

import pytest

from tests.support.answers import contoso
from tests.support.sim import rig
from tui.engine import msilog
from tui.engine.install import install
from tui.engine.knownfailures import diagnose, known_failures, rolled_back
from tui.engine.preflight import CHECKS, run_preflight
from tui.engine.shell import RemoteShell
from tui.engine.sim.install_script import SCENARIO_OUTCOMES
from tui.engine.sim.logscript import FAILURE_ACTIONS, build_script
from tui.engine.sim.scenarios import SCENARIOS

FAILING = [name for name in SCENARIOS if SCENARIO_OUTCOMES.get(name, 0) not in (0, 3010)]


def test_the_failing_scenarios_are_found():
    assert {"install-fails", "sql-login-refused"} <= set(FAILING)


@pytest.mark.parametrize("scenario", FAILING)
def test_a_failing_install_does_not_contradict_its_preflight(scenario):
    """The cause the failed log shows is not one a check of the same machine's pre-flight
    reported as passing (the knowledge base's ruled_out_by)."""
    with rig(scenario, speed=1000.0) as r:
        with RemoteShell(r.target.endpoint.client_endpoint(operation_timeout=2,
                                                           read_timeout=10)) as shell:
            report = run_preflight(shell, contoso())
        result = install(r.shell, r.request(), r.events.append)
    assert (result.outcome, result.exit_code) == ("failed", 1603)
    assert result.cause is not None, result.message
    entry = next(e for e in known_failures() if e.id == result.cause.id)
    passed = {c.id for c in report.by_status("pass")}
    assert not passed & set(entry.ruled_out_by), (
        f"{scenario}: the pre-flight passed {sorted(passed & set(entry.ruled_out_by))}, "
        f"then the install failed with '{result.cause.title}'")
    assert result.rolled_back


def test_install_fails_names_a_cause_the_preflight_cannot_see():
    with rig("install-fails", speed=1000.0) as r:
        result = install(r.shell, r.request(), r.events.append)
    assert result.failing_action == "InstallFIMPortal"
    assert result.cause.id == "sharepoint-deployment-under-way"
    assert not any("Login failed" in line for line in result.error_lines)


def test_sql_login_refused_shows_the_problem_in_its_preflight():
    """The SQL logon the install fails on is what its pre-flight reports: a failure, and the
    checks that needed the logon are not passed either."""
    with rig("sql-login-refused", speed=1000.0) as r:
        with RemoteShell(r.target.endpoint.client_endpoint(operation_timeout=2,
                                                           read_timeout=10)) as shell:
            report = run_preflight(shell, contoso())
        result = install(r.shell, r.request(), r.events.append)
    assert report.get("sql-version").status == "fail"
    assert report.get("sql-sysadmin").status != "pass"
    assert result.cause.id == "sql-login-failed"


def test_ruled_out_by_names_preflight_checks():
    named = {c for e in known_failures() for c in e.ruled_out_by}
    assert named and named <= set(CHECKS)


def test_the_deployment_failure_is_written_as_a_real_log_writes_it():
    """InstallFIMPortal's own lines up to the deployment, SharePoint's exception, CAQuietExec's
    two failure lines, the custom action's 1603 and the rollback; found through the filter."""
    lines = [ln.text for ln in build_script(1603, failure="sharepoint-deployment-under-way")]
    start = lines.index("Action 11:01:41: InstallFIMPortal. Deploying FIM Portal solution pack")
    after = lines[start + 1:]
    end = next(i for i, t in enumerate(after) if t.startswith("CustomAction "))
    assert after[end].startswith("CustomAction InstallFIMPortal returned actual error code 1603")
    own = after[:end]
    assert all(t.startswith("CAQuietExec:  ") for t in own)
    assert "CAQuietExec:  Deploying MicrosoftIdentityManagement.wsp" in own
    assert not any("Adding feature" in t for t in own)  # the deployment never finished
    assert own[-2:] == ["CAQuietExec:  Error 0x80070001: Command line returned an error.",
                        "CAQuietExec:  Error 0x80070001: CAQuietExec Failed"]
    assert not any("25009" in t or "Login failed" in t for t in lines)
    assert after[end + 1].endswith(": InstallExecute. Return value 3.")
    assert after[end + 2].endswith(": Rollback. Rolling back action:")
    assert lines[-2].endswith("MainEngineThread is returning 1603")
    sent = msilog.log_filter().select(lines)
    failure = msilog.failure_context(sent)
    assert failure is not None and failure.action == "InstallFIMPortal"
    assert diagnose(sent, failure.action).id == "sharepoint-deployment-under-way"
    assert rolled_back(sent)


def test_an_unknown_failure_is_refused():
    assert set(FAILURE_ACTIONS) == {"sql-login", "sharepoint-deployment-under-way"}
    with pytest.raises(ValueError, match="failure must be one of"):
        build_script(1603, failure="disk-full")

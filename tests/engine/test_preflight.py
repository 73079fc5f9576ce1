"""The pre-flight: its parameters, the script's contract, parsing, and real runs over WinRM."""

from __future__ import annotations

import json
import re

import pytest

from tests.support.answers import contoso
from tests.support.sim import EXPECTED_FAILURES, PREFLIGHT_SCENARIOS
from tui.engine import scripts
from tui.engine.errors import CommandTimeout, ConnectionProblem
from tui.engine.preflight import (
    CHECKS,
    PREFLIGHT_ID,
    PreflightReport,
    PreflightRow,
    count_connection,
    parse_output,
    preflight_params,
    run_preflight,
)
from tui.engine.shell import RemoteShell
from tui.engine.sim.machine import WindowsMachine
from tui.engine.sim.target import SimTarget
from tui.model.secrets import SecretRef

SECRET = "Zz-s3cret-Pa$$w0rd"


@pytest.fixture
def answers():
    return contoso()


# --- the contract between the client and the script ------------------------------------------


def test_every_check_id_is_written_in_the_script():
    text = scripts.text("preflight")
    for cid in CHECKS:
        assert f"'{cid}'" in text, cid
    emitted = set(re.findall(r"(?:Add-Check|Test-Step) '([a-z0-9-]+)'", text))
    assert emitted <= set(CHECKS)


def test_the_script_reads_only_params_the_client_sends(answers):
    params = preflight_params(answers)
    used = set(re.findall(r"\$Params\.([A-Za-z_]+)", scripts.text("preflight")))
    used.discard("outcomes")  # the catalog, which only the exports pass (mimsetup words itself)
    # the install account and its password, which run_preflight adds from the shell's logon
    assert {"run_as_user", "run_as_password"} <= used
    used -= {"run_as_user", "run_as_password"}
    assert used <= set(params), used - set(params)
    assert used == set(params), "params nobody reads: " + str(set(params) - used)


def test_params_carry_no_secret(answers):
    a = answers.model_copy(deep=True)
    a.service_account.password = SecretRef(value=SECRET)
    a.registration_portal.password = SecretRef(value=SECRET)
    a.target.password = SecretRef(value=SECRET)
    params = preflight_params(a)
    assert SECRET not in json.dumps(params)
    assert not [k for k in _keys(params) if "password" in k.lower()]
    assert SECRET not in scripts.stdin_payload("preflight", params).decode()


def _keys(value) -> list[str]:
    if isinstance(value, dict):
        return [*value, *(k for v in value.values() for k in _keys(v))]
    if isinstance(value, list):
        return [k for v in value for k in _keys(v)]
    return []


def test_params_follow_the_components(answers):
    p = preflight_params(answers)
    assert p["msi_path"] == answers.install.msi_path
    assert p["database"] == {"server": "corpsql", "name": "FIMService", "existing": False}
    assert [s["port"] for s in p["sspr"]] == [8080, 8088]
    assert p["firewall"] is True
    a = answers.model_copy(deep=True)
    a.components.service = False
    a.components.registration_portal = a.components.reset_portal = False
    p = preflight_params(a)
    assert p["database"] is None and p["service_account"] is None and p["sspr"] == []
    assert p["portal"]["sharepoint_url"] == "http://CorpIDM.contoso.local"


# --- parsing -------------------------------------------------------------------------------------


def _doc(*checks: dict) -> str:
    return json.dumps({"schema": 1, "computer": "X", "checks": list(checks)})


ALL_PASS = [{"id": c, "status": "pass", "message": "ok", "remedy": ""} for c in CHECKS]


def test_parse_a_good_document_with_noise_before_it():
    out = "WARNING: a snap-in said something\r\n" + _doc(*ALL_PASS) + "\r\n"
    report = parse_output(out)
    assert report.status == "pass" and report.ok and report.computer == "X"
    assert [c.id for c in report.checks] == list(CHECKS)
    assert report.checks[0].title == "Administrator rights"


@pytest.mark.parametrize(
    "stdout, stderr",
    [
        ("", ""),
        ("{not json", ""),
        ('{"checks": "nope"}', ""),
        ("[1, 2]", ""),
        ("", "#< CLIXML\r\nAt line:1 char:1\r\n+ ConvertFrom-Json : Invalid JSON primitive"),
    ],
)
def test_unreadable_output_is_one_failed_check(stdout, stderr):
    report = parse_output(stdout, stderr, 1)
    assert report.status == "fail" and not report.ok
    (check,) = report.checks
    assert check.id == PREFLIGHT_ID and check.status == "fail"
    assert "did not report its checks (exit code 1)" in check.message
    assert check.remedy
    if stderr:
        assert "At line:1" in check.message


def test_odd_entries_are_kept_visible():
    checks = [*ALL_PASS[2:], {"id": "elevated", "status": "PASSED", "message": "m"}, "junk"]
    report = parse_output(_doc(*checks))
    elevated = report.get("elevated")
    assert elevated.status == "warn" and "unknown status 'PASSED'" in elevated.message
    missing = report.get(PREFLIGHT_ID)
    assert missing.status == "warn" and "os-version" in missing.message
    assert any("not a check" in n for n in report.notes)
    assert report.status == "warn" and report.ok


def test_overall_status():
    def rep(*states):
        return PreflightReport([PreflightRow(str(i), s, "m") for i, s in enumerate(states)]).status

    assert rep("pass", "skip") == "pass"
    assert rep("pass", "warn", "skip") == "warn"
    assert rep("warn", "fail") == "fail"
    assert PreflightReport([PreflightRow("x", "fail", "m")]).to_json()["checks"][0]["title"] == "x"


class _FakeShell:
    def __init__(self, exc=None, result=None):
        self.exc, self.result = exc, result

    def run_script(self, name, params, deadline=None, on_stdout=None, if_lost="report"):
        if self.exc:
            raise self.exc
        return self.result


def test_run_preflight_turns_a_timeout_into_a_failed_check(answers):
    shell = _FakeShell(CommandTimeout("The script did not finish within 300 s.", "Allow more."))
    report = run_preflight(shell, answers)
    assert report.status == "fail" and report.checks[0].message.startswith("The script")


def test_run_preflight_lets_connection_problems_through(answers):
    with pytest.raises(ConnectionProblem):
        run_preflight(_FakeShell(ConnectionProblem("gone", "fix")), answers)


# --- the real client against the simulated target -----------------------------------------------


@pytest.mark.parametrize("scenario", PREFLIGHT_SCENARIOS)
def test_each_scenario_over_winrm(scenario, answers):
    with WindowsMachine(scenario, answers=answers) as machine, SimTarget(
        machine=machine, operation_timeout_cap=0.5
    ) as target:
        endpoint = target.endpoint.client_endpoint(operation_timeout=2, read_timeout=10)
        with RemoteShell(endpoint) as shell:
            report = run_preflight(shell, answers)
        count_connection(report, shell)
        commands = target.counters.requests["Command"]
        http_requests = target.counters.http_requests
    assert {c.id for c in report.by_status("fail")} == EXPECTED_FAILURES[scenario]
    assert report.ok == (not EXPECTED_FAILURES[scenario])
    assert [c.id for c in report.checks] == list(CHECKS)
    assert report.computer == "CORPIDM"
    assert commands == 1  # one command, whatever the number of checks
    assert report.requests == http_requests  # as they are (#13.7)
    sent = dict(machine.started[0].params)
    # the install account's password travels on stdin, for the checks of other computers
    assert (sent.pop("run_as_user"), sent.pop("run_as_password")) == (endpoint.user,
                                                                       endpoint.password)
    assert sent == preflight_params(answers)
    refused = "batch-logon" in EXPECTED_FAILURES[scenario]  # the task's logon, refused
    assert report.get("probe-logon").status == ("warn" if refused else "pass")


def test_https_and_sealed_http_give_the_same_report(answers):
    reports = []
    for https in (False, True):
        with WindowsMachine("pending-reboot", answers=answers) as m, SimTarget(
            machine=m, https=https
        ) as t:
            with RemoteShell(t.endpoint.client_endpoint()) as shell:
                reports.append(run_preflight(shell, answers))
    plain = [[(c.id, c.status, c.message) for c in r.checks] for r in reports]
    assert plain[0] == plain[1]

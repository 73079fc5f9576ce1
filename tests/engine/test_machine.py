"""The simulated Windows server on its own: scenarios, state, and the commands it answers."""

from __future__ import annotations

import base64
import json

import pytest

from tests.support.answers import contoso
from tests.support.sim import (
    ADMIN,
    EXPECTED_FAILURES,
    PREFLIGHT_SCENARIOS,
    checks_of,
    run_command,
    run_direct,
    with_password,
)
from tui.engine.preflight import CHECKS, PRODUCT_CODE, preflight_params
from tui.engine.sim import scenarios
from tui.engine.sim.machine import WindowsMachine, registered_scripts, script


@pytest.fixture
def answers():
    return contoso()


def test_scenarios_are_listed_in_one_place():
    assert scenarios.names() == list(EXPECTED_FAILURES)
    with pytest.raises(ValueError, match="healthy, no-sharepoint"):
        scenarios.scenario_named("nope")
    assert scenarios.scenario_named("SQL_unreachable").name == "sql-unreachable"


@pytest.mark.parametrize("scenario", PREFLIGHT_SCENARIOS)
def test_each_scenario_fails_exactly_its_checks(scenario, answers):
    with WindowsMachine(scenario, answers=answers) as m:
        out, err, code = run_direct(m, "preflight", with_password(preflight_params(answers)))
    assert (code, err) == (0, "")
    checks = checks_of(out)
    assert list(checks) == list(CHECKS)  # every check, in the script's order
    failed = {cid for cid, c in checks.items() if c["status"] == "fail"}
    assert failed == EXPECTED_FAILURES[scenario]
    for c in checks.values():
        assert c["message"], c
        if c["status"] == "fail":
            assert c["remedy"], c


def test_the_machine_follows_default_paths_without_answers(answers):
    with WindowsMachine() as m:
        out, _, _ = run_direct(m, "preflight", with_password(preflight_params(answers)))
    assert {c["status"] for c in checks_of(out).values()} <= {"pass", "skip"}


def test_state_is_inspectable_and_changes_what_it_reports(answers):
    params = with_password(preflight_params(answers))
    with WindowsMachine("healthy", answers=answers) as m:
        msi = m.state.path(answers.install.msi_path)
        assert msi.is_file() and msi.is_relative_to(m.root)
        assert m.state.read_msi(answers.install.msi_path)["ProductCode"] == PRODUCT_CODE

        # What a finished install leaves behind makes the next pre-flight say "installed".
        scenarios.mark_mim_installed(m.state)
        checks = checks_of(run_direct(m, "preflight", params)[0])
        assert checks["mim-installed"]["reason"] == "installed"

        # A corrupt package cannot be opened; a missing one does not exist.
        msi.write_bytes(b"\xd0\xcf\x11\xe0 truncated")
        checks = checks_of(run_direct(m, "preflight", params)[0])
        assert checks["msi-file"]["reason"] == "unreadable"
        assert checks["msi-product"]["status"] == "skip"
        msi.unlink()
        checks = checks_of(run_direct(m, "preflight", params)[0])
        assert checks["msi-file"]["reason"] == "missing"

        m.state.service("SPTimerV4").status = "Stopped"
        m.state.find_account("contoso\\MIMMA").enabled = False
        m.state.listening[8080] = "w3wp"
        checks = checks_of(run_direct(m, "preflight", params)[0])
        assert checks["sharepoint-timer-service"]["status"] == "fail"
        assert checks["ma-account"]["reason"] == "disabled"
        assert checks["sspr-ports"]["reason"] == "in-use"
        assert checks["sspr-ports"]["values"]["used"].startswith("8080 ")
    assert not m.root.exists()  # closed: the temporary directory is gone


def test_from_the_winrm_logon_other_computers_are_not_seen(answers):
    # NTLM cannot pass credentials on (the double hop): SQL Server on corpsql sees ANONYMOUS
    # LOGON, the directory answers nothing. Nothing about them may pass.
    with WindowsMachine("healthy", answers=answers) as m:
        m.state.find_account("contoso\\MIMMA").enabled = False
        checks = checks_of(run_direct(m, "preflight", preflight_params(answers))[0])
    assert checks["probe-logon"]["reason"] == "this-logon"
    assert checks["sql-reachable"]["status"] == "pass"
    assert (checks["sql-version"]["status"], checks["sql-version"]["reason"]) == (
        "warn", "double-hop")
    assert {checks[i]["status"] for i in ("sql-sysadmin", "sql-agent", "sql-database")} == {"skip"}
    assert checks["ma-account"]["reason"] == "exists-unread"  # disabled, but not seen
    assert checks["ma-account"]["status"] == "warn"
    assert checks["sharepoint-farm"]["status"] == "warn"


def test_with_the_password_the_checks_of_other_computers_run_as_the_install_account(answers):
    with WindowsMachine("healthy", answers=answers) as m:
        m.state.find_account("contoso\\MIMMA").enabled = False
        m.state.find_sql("corpsql").agent_running = False
        checks = checks_of(run_direct(m, "preflight", with_password(preflight_params(answers)))[0])
    assert checks["probe-logon"]["reason"] == "task"
    assert [i for i in checks if i.startswith("sql-") and checks[i]["status"] == "skip"] == []
    assert checks["sql-agent"]["reason"] == "not-running"
    assert checks["ma-account"]["reason"] == "disabled"
    assert checks["sharepoint-farm"]["status"] == "pass"


def test_non_admin_and_existing_database(answers):
    params = with_password(preflight_params(answers), "CONTOSO\\helpdesk")
    with WindowsMachine("healthy", answers=answers) as m:
        m.state.find_sql("corpsql").databases.add("FIMService")
        m.state.user_rights["SeBatchLogonRight"].add("contoso\\helpdesk")
        checks = checks_of(run_direct(m, "preflight", params, user="CONTOSO\\helpdesk")[0])
    assert checks["elevated"]["status"] == "fail"
    assert checks["sql-sysadmin"]["status"] == "fail"
    assert checks["sql-database"]["reason"] == "exists-new"


def test_components_not_selected_are_skipped(answers):
    a = answers.model_copy(deep=True)
    a.components.portal = False
    a.components.registration_portal = False
    a.components.reset_portal = False
    with WindowsMachine("no-sharepoint", answers=a) as m:
        checks = checks_of(run_direct(m, "preflight", with_password(preflight_params(a)))[0])
    for cid in ("sharepoint", "sharepoint-site", "iis", "sspr-ports", "sspr-accounts"):
        assert checks[cid]["status"] == "skip", cid
    assert not [c for c in checks.values() if c["status"] == "fail"]


def test_cmd_commands(answers):
    with WindowsMachine() as m:
        assert run_command(m, "hostname") == ("CORPIDM\r\n", "", 0)
        assert run_command(m, "whoami") == ("contoso\\administrator\r\n", "", 0)
        assert "IPv4 Address" in run_command(m, "ipconfig")[0]
        assert run_command(m, "cmd", ["/c", "exit", "3"])[2] == 3
        out, err, code = run_command(m, "format", ["c:"])
        assert code == 9009 and "is not recognized" in err
        assert [s.command_line for s in m.started][:2] == ["hostname", "whoami"]


def _encoded(text: str) -> str:
    return base64.b64encode(text.encode("utf-16-le")).decode("ascii")


def test_run_ps_style_commands(answers):
    params = preflight_params(answers)
    check = (
        "# mimsetup-check: pending-reboot\n"
        f"$Params = '{json.dumps(params)}' | ConvertFrom-Json\n"
        "Test-Path 'HKLM:\\SOFTWARE\\...\\RebootPending'\n"
    )
    with WindowsMachine("pending-reboot", answers=answers) as m:
        out, _, code = run_command(m, f"powershell -encodedcommand {_encoded(check)}")
        assert code == 0 and json.loads(out)["reason"] == "pending"
        assert m.started[-1].script == "check:pending-reboot"
        assert run_command(m, f"powershell -encodedcommand {_encoded('hostname')}")[0] == (
            "CORPIDM\r\n"
        )
        assert run_command(m, f"powershell -encodedcommand {_encoded('Get-Process')}")[2] == 1


def test_bootstrap_dispatches_by_header_to_registered_handlers(answers):
    assert "preflight" in registered_scripts()
    seen = {}

    def echo(run):
        seen.update(name=run.name, params=run.params, user=run.user, state=run.state)
        run.out.stdout("done\r\n")
        return 5

    with WindowsMachine(scripts={"preflight": echo}) as m:
        out, _, code = run_direct(m, "preflight", {"a": "ü"})
        assert (out, code) == ("done\r\n", 5)
        assert seen["params"] == {"a": "ü"} and seen["user"] == ADMIN
        assert seen["state"] is m.state
        assert m.scripts_run() == ["preflight"]
        _, err, code = run_direct(m, "bootstrap", {})
        assert code == 1 and "no emulation of the script 'bootstrap'" in err


def test_script_decorator_registers_for_every_machine():
    @script("test-only-hello")
    def hello(run):
        run.out.stdout(f"hello {run.params['who']}\r\n")
        return 0

    from tui.engine import scripts as s

    with WindowsMachine() as m:
        # A script file need not exist for the emulation: the header names it.
        proc = m.start(s.POWERSHELL, s.bootstrap_args(), ADMIN)
        doc = {"script": "# mimsetup-script: test-only-hello\n", "params": {"who": "you"}}
        proc.write_stdin(json.dumps(doc).encode(), True)
        out = b""
        while True:
            o, _, code = proc.read(2)
            out += o
            if code is not None:
                break
    assert (out, code) == (b"hello you\r\n", 0)


def test_a_gmsa_this_server_may_not_use_fails(answers):
    a = answers.model_copy(deep=True)
    a.service_account.managed, a.service_account.name = True, "MIMService$"
    params = with_password(preflight_params(a))
    with WindowsMachine("healthy", answers=a) as m:
        assert checks_of(run_direct(m, "preflight", params)[0])["gmsa-password"]["status"] == (
            "pass")
        m.state.find_account("contoso\\MIMService$").gmsa_readers = {"contoso\\mimservers"}
        gmsa = checks_of(run_direct(m, "preflight", params)[0])["gmsa-password"]
    assert (gmsa["status"], gmsa["reason"]) == ("fail", "not-allowed")
    assert gmsa["values"]["holders"] == "contoso\\mimservers"

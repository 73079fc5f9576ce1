"""The scenarios of a hardened or remote Windows (tui/engine/sim/hardened.py), each as an admin
meets it: the real CLI in process, the real pywinrm, the simulated target over loopback.
They assert statuses and reasons, never the simulated target's wording."""

from __future__ import annotations

import json

import pytest

from tests.support.paths import CONTOSO
from tests.support.sim import (
    PW_ENV,
    answers_for,
    checks_of,
    run_direct,
    target_toml,
    write_answers,
)
from tui.cli import main
from tui.engine import outcomes, scripts
from tui.engine.preflight import preflight_params
from tui.engine.sim.machine import WindowsMachine
from tui.engine.sim.target import SimTarget
from tui.model.validation import read_file

SQL_IDS = ("sql-reachable", "sql-version", "sql-sysadmin", "sql-agent", "sql-fulltext",
           "sql-database")


def answers():
    return read_file(CONTOSO).answers


@pytest.fixture
def sim(request, monkeypatch):
    with WindowsMachine(request.param, answers=answers()) as m, SimTarget(
        machine=m, https=True, operation_timeout_cap=0.5
    ) as t:
        monkeypatch.setenv(PW_ENV, t.endpoint.password)
        yield m, t


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def preflight(sim, tmp_path, capsys) -> tuple[int, dict[str, dict]]:
    _, target = sim
    path = write_answers(tmp_path, target_toml(target, https=True))
    code, out, _ = run(capsys, "preflight", str(path), "--json")
    return code, {c["id"]: c for c in json.loads(out)["checks"]}


@pytest.mark.parametrize("sim", ["batch-logon-denied"], indirect=True)
def test_batch_logon_denied_fails_a_named_check_and_starts_nothing(sim, tmp_path, capsys,
                                                                   monkeypatch):
    machine, target = sim
    code, checks = preflight(sim, tmp_path, capsys)
    assert code == 1
    assert checks["batch-logon"]["status"] == "fail"
    assert checks["batch-logon"]["reason"] == "denied"
    assert "domain admins" in checks["batch-logon"]["values"]["by"]
    assert checks["probe-logon"]["reason"] == "task-failed"  # the same logon, refused
    monkeypatch.setenv("MIM_PW", "Pa55-w0rd")
    monkeypatch.setenv("SIM_ADMIN_PW", target.endpoint.password)
    code, _, err = run(capsys, "apply", str(answers_for(target, tmp_path)), "--yes")
    assert code == 1, err
    assert set(machine.scripts_run()) == {"preflight"}  # no install-start, no task


@pytest.mark.parametrize("sim", ["remote-sql-ntlm"], indirect=True)
def test_remote_sql_over_ntlm_every_sql_check_runs(sim, tmp_path, capsys):
    machine, _ = sim
    inst = machine.state.find_sql("corpsql")
    assert not machine.state.is_this_computer(inst.host)
    code, checks = preflight(sim, tmp_path, capsys)
    assert code == 0
    assert checks["probe-logon"]["reason"] == "task"
    assert {cid: checks[cid]["status"] for cid in SQL_IDS} == dict.fromkeys(SQL_IDS, "pass")
    # From the WinRM logon alone (no password to log on with), SQL Server sees ANONYMOUS LOGON.
    out, _, _ = run_direct(machine, "preflight", preflight_params(answers()))
    alone = checks_of(out)
    assert alone["sql-version"]["reason"] == "double-hop"
    assert {alone[cid]["status"] for cid in SQL_IDS[2:]} == {"skip"}


@pytest.mark.parametrize("sim", ["sql-alias"], indirect=True)
def test_a_sql_client_alias_resolves_and_the_sql_checks_pass(sim, tmp_path, capsys):
    machine, _ = sim
    assert machine.state.resolve("corpsql") is None  # not in DNS: only the alias knows it
    code, checks = preflight(sim, tmp_path, capsys)
    assert code == 0
    assert checks["sql-reachable"]["reason"] == "answers-alias"
    assert checks["sql-reachable"]["values"]["alias"] == "corpsql"
    assert {checks[cid]["status"] for cid in SQL_IDS} == {"pass"}


@pytest.mark.parametrize("sim", ["no-profile"], indirect=True)
def test_no_profile_intranet_zone_is_unknown_and_never_fixed(sim, tmp_path, capsys):
    machine, target = sim
    path = write_answers(tmp_path, target_toml(target, https=True))
    registry = {k: dict(v) for k, v in machine.state.registry.items()}
    code, out, err = run(capsys, "check", str(path), "--fix", "intranet-zone", "--json")
    items = {i["id"]: i for i in json.loads(out)["items"]}
    zone = items["intranet-zone"]
    assert (zone["status"], zone["fixed"]) == ("unknown", False), err
    assert machine.state.registry == registry  # nothing written, in no hive


@pytest.mark.parametrize("sim", ["constrained-language"], indirect=True)
def test_constrained_language_is_one_sentence_naming_the_mode(sim, tmp_path, capsys):
    _, target = sim
    path = write_answers(tmp_path, target_toml(target, https=True))
    code, out, err = run(capsys, "preflight", str(path), "--json")
    assert code != 0
    worded = outcomes.word("bootstrap", "language-mode", "not-full",
                           {"mode": "ConstrainedLanguage"})
    (only,) = json.loads(out)["checks"]  # one sentence, nothing else
    assert (only["status"], only["message"]) == ("fail", worded.message)
    assert "ConstrainedLanguage" in worded.message and worded.message.count(". ") == 0
    code, out, err = run(capsys, "preflight", str(path))
    assert code != 0 and "ConstrainedLanguage" in out
    assert "did not report its checks" not in out + err


def test_the_bootstrap_checks_the_language_mode_before_anything_else():
    text = scripts.text("bootstrap")
    check = text.index("$ExecutionContext.SessionState.LanguageMode")
    # [Console]:: and New-Object of .NET types fail in Constrained Language Mode
    assert check < text.index("[Console]::") and check < text.index("New-Object")
    assert '"id": "language-mode", "reason": "not-full"' in text
    assert outcomes.lookup("bootstrap", "language-mode", "not-full") is not None

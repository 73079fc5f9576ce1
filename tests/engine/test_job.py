"""The install job both front ends wrap: which passwords a run needs (typed, never labels parsed
back), what the pre-flight lets it do, and its report."""

from __future__ import annotations

import pytest

from tests.support.answers import contoso, contoso_data
from tui.engine.endpoint import Endpoint
from tui.engine.job import (
    TARGET,
    InstallJob,
    by_prop,
    preflight_gate,
    resolve_known,
    secret_needs,
)
from tui.engine.preflight import PreflightReport, PreflightRow
from tui.model.msi import build_plan
from tui.model.validation import validate_data


def test_secret_needs_are_the_logon_then_what_msiexec_needs():
    answers = contoso()
    needs = secret_needs(answers)
    assert needs[0].prop == TARGET and needs[0].field == "target.password"
    assert needs[0].label == "Install account password (target.password)"
    plan = build_plan(answers)
    assert [n.prop for n in needs[1:]] == list(plan.secret_properties())
    sources = {p.name: p.source for p in plan.properties}
    assert all(n.field == sources[n.prop] and n.label.endswith(f"({n.field})")
               for n in needs[1:])
    assert secret_needs(answers, install=False) == needs[:1]


def test_resolve_known_reads_references_and_names_what_is_missing(tmp_path, monkeypatch):
    data = contoso_data()
    data["service_account"]["password"] = {"env": "MIMSETUP_TEST_SVC"}
    data["registration_portal"]["password"] = {"file": "pool.txt"}
    (tmp_path / "pool.txt").write_text("from-a-file\n", encoding="utf-8")
    monkeypatch.delenv("MIMSETUP_TEST_SVC", raising=False)
    needs = secret_needs(validate_data(data, "t.toml").answers)
    values, problems = resolve_known(needs, tmp_path)
    assert by_prop(values) == {"REGISTRATION_ACCOUNT_PASSWORD": "from-a-file"}
    assert len(problems) == 1 and "MIMSETUP_TEST_SVC" in problems[0]
    # nobody to ask: the prompts are named too
    _, problems = resolve_known(needs, tmp_path, can_ask=False)
    prompts = [n for n in needs if n.ref.kind == "prompt"]
    assert prompts and all(any(n.label in p for p in problems) for n in prompts)
    monkeypatch.setenv("MIMSETUP_TEST_SVC", "from-the-environment")
    values, _ = resolve_known(needs, tmp_path)
    assert by_prop(values)["SERVICE_ACCOUNT_PASSWORD"] == "from-the-environment"


def _report(*statuses: str, installed: bool = False) -> PreflightReport:
    rows = [PreflightRow(f"row{i}", s, "m") for i, s in enumerate(statuses)]
    if installed:
        rows.append(PreflightRow("mim-installed", "fail", "MIM is installed."))
    return PreflightReport(rows)


@pytest.mark.parametrize(("statuses", "decision"), [
    (("pass", "skip"), "go"),
    (("pass", "warn"), "confirm"),
    (("warn", "fail"), "stop"),
])
def test_the_preflight_gate(statuses, decision):
    gate = preflight_gate(_report(*statuses))
    assert gate.decision == decision
    assert [r.status for r in gate.warnings] == [s for s in statuses if s == "warn"]
    assert not gate.already_installed


def test_the_gate_knows_mim_is_already_installed():
    gate = preflight_gate(_report("pass", installed=True))
    assert gate.decision == "stop" and gate.already_installed


def test_one_report_from_what_ran():
    job = InstallJob(contoso(), Endpoint("corpidm", user="u"), lambda ep: None, "corpidm")
    job.preflight = _report("pass", "warn")
    report = job.report()
    assert [r["status"] for r in report.preflight] == ["pass", "warn"]
    assert all(r["title"] for r in report.preflight)
    assert report.install is None and report.checklist == []


def _busy_job(d):
    from tui.engine.shell import RemoteShell

    return InstallJob(d.answers, d.endpoint, RemoteShell, d.label, None, {}, d.time_scale)


def test_another_install_is_waited_for_visibly_then_the_pre_flight_passes():
    """#16.10: another install running is a wait with a limit, not a stop: said each time."""
    from tui.engine.job import busy_only
    from tui.engine.sim.demo import demo_target

    with demo_target(contoso(), "install-running", https=False) as d:
        job = _busy_job(d)
        said: list[str] = []

        def notify(message: str) -> None:
            said.append(message)
            if len(said) == 2:  # the other install ends during the second wait
                state = d.machine.state
                state.msi_mutex_held = False
                state.processes[:] = [p for p in state.processes if p.pid != 4242]

        job.preflight_waiting(notify, wait=0.01)
        assert len(said) == 2 and "1618" in said[0] and "try 2 of 4" in said[0]
        assert not busy_only(job.gate()) and job.gate().decision != "stop"


def test_the_wait_for_another_install_has_a_limit():
    from tui.engine.job import busy_only
    from tui.engine.sim.demo import demo_target

    with demo_target(contoso(), "install-running", https=False) as d:
        job = _busy_job(d)
        said: list[str] = []
        job.preflight_waiting(said.append, retries=2, wait=0.01)
        assert [m.split("(try ")[1] for m in said] == ["2 of 3).", "3 of 3)."]
        assert busy_only(job.gate())

"""`mimsetup apply`, `attach`, `check` and `demo --headless`, as an admin runs them: the real CLI
in a subprocess, the real pywinrm, the simulated target over loopback."""

from __future__ import annotations

import json
import signal

import pytest

from tests.support.answers import SENTINEL, contoso
from tests.support.cli import mimsetup, popen_mimsetup
from tests.support.paths import CONTOSO
from tests.support.sim import answers_for
from tui.engine.sim.install_script import installer_of
from tui.engine.sim.machine import WindowsMachine
from tui.engine.sim.target import SimTarget


@pytest.fixture
def sim(tmp_path):
    machine = WindowsMachine(answers=contoso())
    installer_of(machine).speed = 120
    with SimTarget(machine=machine, https=True) as target:
        yield target, machine
    installer_of(machine).wait(30)
    machine.close()


def test_apply_installs_and_prints_json_events(sim, tmp_path):
    target, machine = sim
    path = answers_for(target, tmp_path)
    r = mimsetup(["apply", str(path), "--yes", "--json", "--report", "out.md"], tmp_path,
                  SIM_ADMIN_PW=target.endpoint.password)
    assert r.returncode == 0, r.stderr
    events = [json.loads(line) for line in r.stdout.splitlines()]
    kinds = [e["event"] for e in events]
    assert kinds[0] == "Preflight" and kinds[-1] == "Finished"
    assert {"PhaseStarted", "Progress", "LogLines"} <= set(kinds)
    assert events[-1]["outcome"] == "success"
    (run,) = installer_of(machine).runs
    assert run.properties["SERVICE_ACCOUNT_PASSWORD"] == SENTINEL
    for written in (tmp_path / "out.md", tmp_path / "out.json"):
        assert written.stat().st_mode & 0o777 == 0o600
        assert SENTINEL not in written.read_text()
    assert SENTINEL not in r.stdout + r.stderr
    # once installed, apply stops at the pre-flight: already installed
    again = mimsetup(["apply", str(path), "--yes"], tmp_path,
                      SIM_ADMIN_PW=target.endpoint.password)
    assert again.returncode == 1 and "already installed" in again.stderr
    # and the checklist fixes what it can
    check = mimsetup(["check", str(path), "--yes", "--fix-all", "--report", "check.md"],
                      tmp_path, SIM_ADMIN_PW=target.endpoint.password)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "(fixed)" in check.stdout
    assert "| pass |" in (tmp_path / "check.md").read_text()


def test_apply_with_yes_and_a_prompt_secret_fails_at_once(tmp_path):
    r = mimsetup(["apply", str(CONTOSO), "--yes"], tmp_path, timeout=30)
    assert r.returncode == 2
    assert "target.password" in r.stderr and "service_account.password" in r.stderr
    assert "Traceback" not in r.stderr
    # at once: before any connection (the example's host does not resolve here, so an attempt
    # would have said so) and without a prompt
    assert r.stdout == "" and "could not be found" not in r.stderr


def test_ctrl_c_detaches_and_attach_follows_to_the_end(sim, tmp_path):
    target, machine = sim
    installer_of(machine).speed = 25
    path = answers_for(target, tmp_path)
    proc = popen_mimsetup(["apply", str(path), "--yes", "--json"], tmp_path,
                          SIM_ADMIN_PW=target.endpoint.password)
    seen = 0
    for line in proc.stdout:
        if '"LogLines"' in line:
            seen += 1
        if seen >= 3:
            proc.send_signal(signal.SIGINT)
            break
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "mimsetup attach" in out + err
    states = list((tmp_path / "state" / "installs").glob("*.json"))
    assert len(states) == 1 and SENTINEL not in states[0].read_text()
    r = mimsetup(["attach", "--yes", "--json"], tmp_path, SIM_ADMIN_PW=target.endpoint.password)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout.splitlines()[-1])["outcome"] == "success"
    assert len(installer_of(machine).runs) == 1  # the install ran once


@pytest.mark.parametrize(("scenario", "code", "words"), [
    ("healthy", 0, "installed successfully"),
    ("install-fails", 1, "cause: A SharePoint solution deployment was already under way"),
    ("reboot-required", 3010, "restart"),
    ("no-sharepoint", 1, "SharePoint"),
    # another install never ends: waited for, visibly, at most 3 times, then a stop (#16.10)
    ("install-running", 1, "then the pre-flight again (try 4 of 4)"),
])
def test_demo_headless(tmp_path, scenario, code, words):
    r = mimsetup(["demo", "--headless", "--scenario", scenario], tmp_path,
                 MIMSETUP_DEMO_SPEED="1000")
    assert r.returncode == code, r.stdout[-2000:] + r.stderr
    assert words in r.stdout + r.stderr
    assert "Traceback" not in r.stdout + r.stderr


def test_demo_failure_names_its_known_cause_in_json_and_report(tmp_path):
    """--json's Finished event and the report carry the known failure and the rollback."""
    r = mimsetup(["demo", "--headless", "--scenario", "install-fails", "--json",
                  "--report", "out.md"], tmp_path, MIMSETUP_DEMO_SPEED="1000")
    assert r.returncode == 1, r.stderr
    finished = [e for line in r.stdout.splitlines() if line.startswith("{")
                and (e := json.loads(line)).get("event") == "Finished"][-1]
    assert finished["cause"]["id"] == "sharepoint-deployment-under-way"
    assert "A deployment or retraction is already under way" in finished["cause"]["evidence"]
    assert finished["failing_action"] == "InstallFIMPortal"
    assert finished["cause"]["sources"] and finished["rolled_back"] is True
    report = (tmp_path / "out.md").read_text()
    assert "cause: **A SharePoint solution deployment was already under way**" in report
    assert "rolled back" in report
    assert json.loads((tmp_path / "out.json").read_text())["install"]["cause"]["id"] == \
        "sharepoint-deployment-under-way"

"""A refused logon is never tried again, by any command (#12.9): each command that connects is
run against the simulated target with a wrong password, and the server counts the refused
logons: exactly one, one sentence, exit 2. A retried logon counts towards the account's lockout
threshold (windows-behaviour.md), so a second one is a failure here."""

from __future__ import annotations

import signal

import pytest

from tests.support.answers import contoso
from tests.support.cli import mimsetup, popen_mimsetup
from tests.support.sim import answers_for
from tui.engine.sim.install_script import installer_of
from tui.engine.sim.machine import WindowsMachine
from tui.engine.sim.target import SimTarget

WRONG = "not-the-password"


@pytest.fixture
def sim(tmp_path):
    machine = WindowsMachine(answers=contoso())
    installer_of(machine).speed = 40
    with SimTarget(machine=machine, https=True) as target:
        yield target, machine
    installer_of(machine).wait(30)
    machine.close()


def _fleet(tmp_path, base, second):
    """Two hosts, neither creating the database (so that neither waits for the other), the
    second on another simulated target."""
    path = tmp_path / "fleet.toml"
    ep = second.endpoint
    path.write_text(
        f'schema_version = 1\nkind = "fleet"\nbase = "{base.name}"\n'
        '[hosts.one.database]\nexisting = true\n'
        f'[hosts.two.target]\nhost = "localhost"\nport = {ep.port}\n'
        f'ca_bundle = "{ep.ca_path}"\n'
        '[hosts.two.database]\nexisting = true\n'
        '[hosts.two.components]\nregistration_portal = false\nreset_portal = false\n',
        encoding="utf-8")
    return path


def _refused_once(target, r, before: int) -> None:
    out = r.stdout + r.stderr
    assert r.returncode == 2, out
    assert "refused the logon" in out or "logon" in out.lower(), out
    assert target.counters.auth_failures == before + 1, (
        f"{target.counters.auth_failures - before} refused logons: tried again\n{out}")
    assert "Traceback" not in out


@pytest.mark.parametrize("command", [
    ["preflight"], ["apply"], ["check"],
])
def test_a_command_stops_at_the_first_refused_logon(sim, tmp_path, command):
    target, _ = sim
    path = answers_for(target, tmp_path)
    before = target.counters.auth_failures
    r = mimsetup([*command, str(path), "--yes"], tmp_path, SIM_ADMIN_PW=WRONG)
    _refused_once(target, r, before)


def test_a_fleet_stops_at_the_first_refused_logon(sim, tmp_path):
    """The hosts share the logon's password: after one refusal no other host tries it."""
    target, _ = sim
    base = answers_for(target, tmp_path)
    machine2 = WindowsMachine(answers=contoso())
    with SimTarget(machine=machine2, https=True) as second:
        fleet = _fleet(tmp_path, base, second)
        ok = mimsetup(["validate", str(fleet)], tmp_path)
        assert ok.returncode == 0, ok.stdout + ok.stderr
        before = target.counters.auth_failures + second.counters.auth_failures
        r = mimsetup(["apply", str(fleet), "--yes", "--parallel", "1"], tmp_path,
                      SIM_ADMIN_PW=WRONG)
        out = r.stdout + r.stderr
        tried = target.counters.auth_failures + second.counters.auth_failures - before
        assert tried == 1, f"{tried} refused logons\n{out}"
        assert r.returncode == 2 and "Traceback" not in out, out
    machine2.close()


def test_attach_stops_at_the_first_refused_logon(sim, tmp_path):
    target, machine = sim
    path = answers_for(target, tmp_path)
    proc = popen_mimsetup(["apply", str(path), "--yes", "--json"], tmp_path,
                          SIM_ADMIN_PW=target.endpoint.password)
    assert proc.stdout is not None
    for line in proc.stdout:  # detach once the install is being followed
        if '"LogLines"' in line:
            break
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)
    before = target.counters.auth_failures
    served, http = sum(target.counters.requests.values()), target.counters.http_requests
    r = mimsetup(["attach", "--yes"], tmp_path, SIM_ADMIN_PW=WRONG)
    _refused_once(target, r, before)
    # and then it stopped: no WS-Man request was served after the refusal, and the only HTTP
    # requests were the legs of that one logon (no reconnecting, no waiting on the install)
    assert sum(target.counters.requests.values()) == served
    assert target.counters.http_requests - http <= 3
    installer_of(machine).wait(60)

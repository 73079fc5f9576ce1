"""`mimsetup preflight` and `mimsetup demo` end to end: the real pywinrm client against the
simulated target over loopback, through the command line."""

from __future__ import annotations

import json
import socket

import pytest

from tests.support.cli import run_cli
from tests.support.paths import CONTOSO
from tests.support.sim import (
    EXPECTED_FAILURES,
    PREFLIGHT_SCENARIOS,
    PW_ENV,
    target_toml,
    write_answers,
)
from tui.cli import main
from tui.engine.preflight import CHECKS
from tui.engine.sim.machine import WindowsMachine
from tui.engine.sim.target import SimTarget
from tui.model.validation import read_file


def answers():
    return read_file(CONTOSO).answers


@pytest.fixture
def sim(request, monkeypatch):
    """(machine, target) for the scenario in the test's parameter, else healthy."""
    scenario = getattr(request, "param", "healthy")
    with WindowsMachine(scenario, answers=answers()) as m, SimTarget(
        machine=m, https=True, operation_timeout_cap=0.5
    ) as t:
        monkeypatch.setenv(PW_ENV, t.endpoint.password)
        yield m, t


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("sim", PREFLIGHT_SCENARIOS, indirect=True)
def test_each_scenario_gives_its_checks_and_exit_code(sim, tmp_path, capsys):
    machine, target = sim
    path = write_answers(tmp_path, target_toml(target, https=True))
    code, out, err = run(capsys, "preflight", str(path), "--json")
    doc = json.loads(out)
    assert {c["id"] for c in doc["checks"] if c["status"] == "fail"} == EXPECTED_FAILURES[
        machine.scenario
    ]
    assert code == (1 if EXPECTED_FAILURES[machine.scenario] else 0), err
    assert [c["id"] for c in doc["checks"]] == list(CHECKS)
    assert target.counters.requests["Command"] == 1


def test_ntlm_with_message_encryption_over_http(tmp_path, capsys, monkeypatch):
    with WindowsMachine("pending-reboot", answers=answers()) as m, SimTarget(machine=m) as t:
        monkeypatch.setenv(PW_ENV, t.endpoint.password)
        path = write_answers(tmp_path, target_toml(t, https=False))
        code, out, err = run(capsys, "preflight", str(path))
        assert t.counters.ntlm_handshakes >= 1
    assert code == 1, err
    assert "FAIL   pending-reboot" in out
    assert "remedy: Restart the server" in out
    assert "the installer would fail" in out


def test_https_with_the_ca_from_the_file_or_the_flag(sim, tmp_path, capsys):
    _, target = sim
    path = write_answers(tmp_path, target_toml(target, https=True))
    code, out, _ = run(capsys, "preflight", str(path))
    everything = f"{len(CHECKS) - 1} pass, 1 skip"  # gmsa-password: contoso has no gMSA
    assert code == 0 and f"{everything}: nothing stands in the installer's way." in out
    bare = write_answers(tmp_path, target_toml(target, https=True, ca=False), "bare.toml")
    code, out, _ = run(capsys, "preflight", str(bare), "--ca-bundle", str(target.endpoint.ca_path))
    assert code == 0


def test_tls_failure_is_one_sentence(sim, tmp_path, capsys):
    _, target = sim
    path = write_answers(tmp_path, target_toml(target, https=True, ca=False))
    code, out, err = run(capsys, "preflight", str(path))
    assert code == 2 and out == ""
    assert "certificate of 127.0.0.1" in err and "could not be verified" in err
    assert "--ca-bundle" in err and "Traceback" not in err


def test_wrong_password_is_one_sentence(sim, tmp_path, capsys):
    _, target = sim
    path = write_answers(tmp_path, target_toml(target, https=True, password="wrong"))
    code, out, err = run(capsys, "preflight", str(path), "--json")
    assert code == 2
    assert "refused the logon" in err and "Traceback" not in err
    assert json.loads(out)["status"] == "error"


def test_refused_connection_and_flags_override_the_file(sim, tmp_path, capsys):
    _, target = sim
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    path = write_answers(tmp_path, target_toml(target, https=True).replace(
        f"port = {target.endpoint.port}", f"port = {closed}"))
    code, _, err = run(capsys, "preflight", str(path))
    assert code == 2 and "refused the connection" in err
    code, out, err = run(capsys, "preflight", str(path), "--port", str(target.endpoint.port))
    assert code == 0, err


def test_basic_over_http_is_refused_before_connecting(sim, tmp_path, capsys):
    _, target = sim
    path = write_answers(tmp_path, target_toml(target, https=False, transport="basic"))
    code, _, err = run(capsys, "preflight", str(path))
    assert code == 2 and "unencrypted" in err
    assert target.counters.http_requests == 0


def test_usage_problems(tmp_path, capsys):
    code, _, err = run(capsys, "preflight", str(tmp_path / "missing.toml"))
    assert code == 2 and "does not exist" in err
    no_target = tmp_path / "nt.toml"
    text = CONTOSO.read_text(encoding="utf-8")
    no_target.write_text(text[: text.index("[target]")], encoding="utf-8")
    code, _, err = run(capsys, "preflight", str(no_target), "--yes", "--host", "x")
    assert code == 2 and "target.password" in err
    with pytest.raises(SystemExit) as exc:
        main(["preflight", str(no_target), "--transport", "telnet"])
    assert exc.value.code == 2


def _mimsetup(*argv: str, **env: str):
    return run_cli(*argv, env=env)


def test_yes_with_a_prompt_secret_fails_at_once_naming_it(tmp_path):
    # contoso.toml keeps the target password as { prompt = true }; stdin is closed.
    path = write_answers(tmp_path, CONTOSO.read_text(encoding="utf-8")[
        CONTOSO.read_text(encoding="utf-8").index("[target]"):])
    for extra in (["--yes"], []):  # without --yes, no terminal: the same, stdin is never read
        res = _mimsetup("preflight", str(path), *extra)
        assert res.returncode == 2, res.stderr
        assert "Install account password (target.password) is set to be asked" in res.stderr
        assert "Traceback" not in res.stderr and res.stdout == ""
        # the way out names --yes only when it was given (#16.11)
        assert ("--yes" in res.stderr) == bool(extra), res.stderr


def test_demo_headless_runs_the_preflight_against_the_simulation():
    fast = {"MIMSETUP_DEMO_SPEED": "1000"}  # the install's pace is not what this test is about
    res = _mimsetup("demo", "--headless", **fast)
    assert res.returncode == 0, res.stderr
    everything = f"{len(CHECKS) - 1} pass, 1 skip"  # gmsa-password: contoso has no gMSA
    assert "simulated Windows server" in res.stdout and everything in res.stdout
    res = _mimsetup("demo", "--headless", "--scenario", "wrong-msi", "--http", "--json", **fast)
    assert res.returncode == 1
    doc = json.loads(res.stdout)
    assert [c["id"] for c in doc["checks"] if c["status"] == "fail"] == ["msi-product"]
    res = _mimsetup("demo", **fast)
    assert res.returncode == 0 and "running the headless demo" in res.stderr
    res = _mimsetup("demo", "--headless", "--scenario", "nope")
    assert res.returncode == 2 and "the scenarios are: healthy" in res.stderr
    for bad in ("fast", "0", "-3"):
        res = _mimsetup("demo", "--headless", MIMSETUP_DEMO_SPEED=bad)
        assert res.returncode == 2 and "MIMSETUP_DEMO_SPEED" in res.stderr, res.stderr
        assert "Traceback" not in res.stderr and "internal error" not in res.stderr

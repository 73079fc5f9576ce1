"""`mimsetup apply`, `attach`, `check` and `demo --headless`, as an admin runs them: the real CLI
in a subprocess, the real pywinrm, the simulated target over loopback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.engine._preflight_support import CONTOSO, contoso
from tui.engine.sim.install_script import installer_of
from tui.engine.sim.machine import WindowsMachine
from tui.engine.sim.target import SimTarget
from tui.model.secrets import SecretRef
from tui.model.target import Target
from tui.model.tomlio import save

ROOT = Path(__file__).resolve().parents[2]
SENTINEL = "S3ntinel-Pw!x"


def _env(tmp_path: Path, **extra: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MIMSETUP_STATE_DIR": str(tmp_path / "state"),
           "MIM_PW": SENTINEL, **extra}
    env.pop("MIMSETUP_DEBUG", None)
    return env


def _mimsetup(args: list[str], tmp_path: Path, timeout: float = 120, **env: str):
    return subprocess.run([sys.executable, "-m", "tui", *args], cwd=tmp_path, env=_env(
        tmp_path, **env), capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def _answers_for(target: SimTarget, tmp_path: Path) -> Path:
    """contoso.toml pointed at the simulated target; every password from $MIM_PW."""
    a = contoso().model_copy(deep=True)
    ep = target.endpoint
    env = SecretRef(env="MIM_PW")
    a.target = Target(host=ep.host, port=ep.port, https=ep.https, ca_bundle=str(ep.ca_path),
                      user=ep.user, password=SecretRef(env="SIM_ADMIN_PW"))
    a.service_account = a.service_account.model_copy(update={"password": env})
    a.registration_portal = a.registration_portal.model_copy(update={"password": env})
    a.reset_portal = a.reset_portal.model_copy(update={"password": env})
    path = tmp_path / "sim.toml"
    save(a, path)
    return path


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
    path = _answers_for(target, tmp_path)
    r = _mimsetup(["apply", str(path), "--yes", "--json", "--report", "out.md"], tmp_path,
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
    again = _mimsetup(["apply", str(path), "--yes"], tmp_path,
                      SIM_ADMIN_PW=target.endpoint.password)
    assert again.returncode == 1 and "already installed" in again.stderr
    # and the checklist fixes what it can
    check = _mimsetup(["check", str(path), "--yes", "--fix-all", "--report", "check.md"],
                      tmp_path, SIM_ADMIN_PW=target.endpoint.password)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "(fixed)" in check.stdout
    assert "| pass |" in (tmp_path / "check.md").read_text()


def test_apply_with_yes_and_a_prompt_secret_fails_at_once(tmp_path):
    started = time.monotonic()
    r = _mimsetup(["apply", str(CONTOSO), "--yes"], tmp_path, timeout=30)
    assert r.returncode == 2
    assert "target.password" in r.stderr and "service_account.password" in r.stderr
    assert "Traceback" not in r.stderr
    assert time.monotonic() - started < 20


def test_ctrl_c_detaches_and_attach_follows_to_the_end(sim, tmp_path):
    target, machine = sim
    installer_of(machine).speed = 25
    path = _answers_for(target, tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "tui", "apply", str(path), "--yes", "--json"],
                            cwd=tmp_path, env=_env(tmp_path, SIM_ADMIN_PW=target.endpoint.password),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL)
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
    r = _mimsetup(["attach", "--yes", "--json"], tmp_path, SIM_ADMIN_PW=target.endpoint.password)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout.splitlines()[-1])["outcome"] == "success"
    assert len(installer_of(machine).runs) == 1  # the install ran once


@pytest.mark.parametrize(("scenario", "code", "words"), [
    ("healthy", 0, "installed successfully"),
    ("install-fails", 1, "DeployAndPopulateDatabase"),
    ("reboot-required", 3010, "restart"),
    ("no-sharepoint", 1, "SharePoint"),
])
def test_demo_headless(tmp_path, scenario, code, words):
    r = _mimsetup(["demo", "--headless", "--scenario", scenario], tmp_path)
    # POSIX keeps 8 bits of an exit status: 3010 arrives as 194 (Windows keeps 3010).
    want = code if os.name == "nt" else code % 256
    assert r.returncode == want, r.stdout[-2000:] + r.stderr
    assert words in r.stdout + r.stderr
    assert "Traceback" not in r.stdout + r.stderr

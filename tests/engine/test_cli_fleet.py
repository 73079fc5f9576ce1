"""`mimsetup apply` on a fleet file: two simulated servers over loopback, the real CLI."""

from __future__ import annotations

import contextlib

import pytest

from tests.support.answers import SENTINEL, contoso
from tests.support.cli import mimsetup
from tests.support.sim import answers_for
from tui.engine.sim.install_script import installer_of
from tui.engine.sim.machine import WindowsMachine
from tui.engine.sim.target import SimTarget


@contextlib.contextmanager
def _two_targets(second_scenario: str):
    with contextlib.ExitStack() as stack:
        sims = []
        for scenario in ("healthy", second_scenario):
            machine = stack.enter_context(WindowsMachine(scenario, answers=contoso()))
            installer_of(machine).speed = 150
            sims.append((stack.enter_context(SimTarget(machine=machine, https=True)), machine))
        # Both servers use one SQL Server; the simulation keeps one per machine, so the second
        # sees the database the first creates.
        for inst in sims[1][1].state.sql.values():
            inst.databases.add("FIMService")
        yield sims
        for _, machine in sims:
            installer_of(machine).wait(30)


def _fleet(tmp_path, sims) -> str:
    (t1, _), (t2, _) = sims
    answers_for(t1, tmp_path)  # sim.toml: the base, passwords from the environment
    hosts = {"mim01": ("127.0.0.1", t1), "mim02": ("localhost", t2)}
    text = ['schema_version = 1', 'kind = "fleet"', 'base = "sim.toml"']
    for name, (host, target) in hosts.items():
        text += [f"[hosts.{name}.components]", "registration_portal = false",
                 "reset_portal = false", f"[hosts.{name}.target]", f'host = "{host}"',
                 f"port = {target.endpoint.port}", f"ca_bundle = '{target.endpoint.ca_path}'"]
    text += ["[hosts.mim02.database]", "existing = true"]
    (tmp_path / "fleet.toml").write_text("\n".join(text) + "\n")
    return str(tmp_path / "fleet.toml")


@pytest.mark.parametrize("second", ["healthy", "install-fails"])
def test_fleet_apply(tmp_path, second):
    with _two_targets(second) as sims:
        path = _fleet(tmp_path, sims)
        ok = mimsetup(["validate", path], tmp_path)
        assert ok.returncode == 0, ok.stdout + ok.stderr
        # Both simulated servers accept the same administrator password.
        r = mimsetup(["apply", path, "--yes"], tmp_path, timeout=180,
                      SIM_ADMIN_PW=sims[0][0].endpoint.password)
        out = r.stdout + r.stderr
        assert "Traceback" not in out and SENTINEL not in out
        summary = out.split("Summary:", 1)[1]
        assert "mim01" in summary and "success" in summary.split("mim02")[0]
        (run1,) = installer_of(sims[0][1]).runs
        (run2,) = installer_of(sims[1][1]).runs
        assert run1.properties["EXISTINGDATABASE"] == "0"
        assert run2.properties["EXISTINGDATABASE"] == "1"
        assert "[mim01]" in out and "[mim02]" in out
        if second == "healthy":
            assert r.returncode == 0, out[-3000:]
            assert "2 of 2 host(s) installed" in summary
        else:
            assert r.returncode == 1
            assert "DeployAndPopulateDatabase" in summary.split("mim02", 1)[1]
            assert "1 of 2 host(s) installed" in summary

"""`mimsetup apply` on a fleet file: two simulated servers over loopback, the real CLI."""

from __future__ import annotations

import pytest

from tests.support.answers import SENTINEL
from tests.support.cli import mimsetup
from tests.support.sim import fleet_file, two_targets
from tui.engine.sim.install_script import installer_of


@pytest.mark.parametrize("second", ["healthy", "install-fails"])
def test_fleet_apply(tmp_path, second):
    with two_targets(second) as sims:
        path = fleet_file(tmp_path, sims)
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
            assert "InstallFIMPortal" in summary.split("mim02", 1)[1]
            assert "1 of 2 host(s) installed" in summary

"""`make demo SCENARIO=install-fails` shows the specific cause of the failed install (#16.3):
without a terminal the demo runs headless, and its plain output names the known failure. The
scenario's name is data: it reaches mimsetup as one argument, never as shell text."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import ROOT

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the Makefile is for POSIX make")


def make_demo(tmp_path: Path, scenario: str) -> subprocess.CompletedProcess:
    # The running interpreter's mimsetup; -o: never rebuild .venv from inside a test.
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "MIMSETUP_STATE_DIR": str(tmp_path / "state"),
           "MIMSETUP_DEMO_SPEED": "1000"}
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), "-o", ".venv/.installed-stamp",
         f"BIN={bin_dir}", "demo", f"SCENARIO={scenario}"],
        env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300,
        check=False)


def test_make_demo_names_the_cause_of_install_fails(tmp_path):
    r = make_demo(tmp_path, "install-fails")
    out = r.stdout + r.stderr
    assert r.returncode != 0, out[-2000:]  # the demo exits 1, as apply after a 1603
    assert "failing action: InstallFIMPortal" in out
    assert "cause: A SharePoint solution deployment was already under way" in out
    assert "Windows Installer rolled back" in out
    assert "Login failed" not in out and "Traceback" not in out


def test_make_demo_passes_the_scenario_as_data(tmp_path):
    marker = tmp_path / "ran"
    r = make_demo(tmp_path, f'x"; touch {marker}; "')
    assert r.returncode != 0
    assert "unknown scenario" in r.stdout + r.stderr
    assert not marker.exists()

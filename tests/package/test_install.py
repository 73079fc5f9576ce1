"""mimsetup as users install it: the wheel built from this checkout, installed into a fresh
virtual environment, runs `mimsetup demo` from a folder that is not the checkout (the example
answers, scripts and simulated-target data travel in the wheel)."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.support.paths import ROOT

BIN = "Scripts" if os.name == "nt" else "bin"


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    r = subprocess.run(args, capture_output=True, text=True, timeout=180, check=False, **kwargs)
    assert r.returncode == 0, f"{args}: exit {r.returncode}\n{r.stdout}\n{r.stderr}"
    return r


@pytest.fixture
def installed(tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed (no checkout on its path). Its dependencies come
    from this test run's environment through a path entry placed after its own site-packages,
    so nothing is downloaded; mimsetup itself is installed in neither place twice, since the
    test environment has it only as an editable path to the checkout, which the entry skips."""
    base = tmp_path_factory.mktemp("install")
    wheels = base / "wheels"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
        "--disable-pip-version-check", "-q", "-w", str(wheels), str(ROOT))
    venv = base / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    python = venv / BIN / ("python.exe" if os.name == "nt" else "python")
    run(sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
        "--no-index", "--disable-pip-version-check", "-q", *map(str, wheels.glob("*.whl")))
    site = Path(run(str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))")
                .stdout.strip())
    (site / "zz_test_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return venv


def clean_env(cwd: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "MIMSETUP_", "VIRTUAL_ENV"))}
    # The demo's install replayed fast: its pace is not what these tests are about.
    return env | {"MIMSETUP_STATE_DIR": str(cwd / "state"), "NO_COLOR": "1",
                  "MIMSETUP_DEMO_SPEED": "1000"}


def test_the_wheel_in_a_fresh_venv_runs_the_demo_from_another_folder(installed, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    python = installed / BIN / ("python.exe" if os.name == "nt" else "python")
    r = run(str(python), "-c", "import tui; print(tui.__file__)", cwd=elsewhere,
            env=clean_env(elsewhere))
    assert Path(r.stdout.strip()).is_relative_to(installed)  # the wheel's copy, not the checkout
    r = run(str(installed / BIN / "mimsetup"), "demo", "--headless", cwd=elsewhere,
            env=clean_env(elsewhere))
    assert "contoso.toml is pointed at" in r.stdout
    assert "[pass] Password Reset portal answers" in r.stdout

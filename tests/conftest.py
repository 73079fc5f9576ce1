"""Fixtures every test gets: its own mimsetup state folder, so that no test writes drafts or
install records into the user's own (~/.local/state/mimsetup), and parallel workers never see
one another's records (`unfinished()` lists every install in the folder)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tui.folders import ENV_DIR


@pytest.fixture(autouse=True)
def own_state_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    path = tmp_path / "mimsetup-state"
    monkeypatch.setenv(ENV_DIR, str(path))
    return path


# Most tests wait rather than compute: on the simulated target's replies over a real socket, on an
# install replayed at speed, on a terminal's next frame. With one worker per core the two cores
# of a small machine sat idle most of the run, so `-n auto` starts four per core (measured on
# 2 cores: 2 workers 420 s, 6 workers 223 s, 8 workers taking work as they free up 176 s; past
# that each worker's start-up costs more than its waiting saves).
WORKERS_PER_CORE = 4
MAX_WORKERS = 16


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook: pytest alone runs without it
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    # the cores this process may use (a container's share), where the platform can tell
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(MAX_WORKERS, WORKERS_PER_CORE * (cores or 1))

"""The command line as the tests run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.paths import ROOT


def cli_env() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("MIMSETUP_DEBUG", None)
    return env


def run_cli(
    *args: str, input: str | bytes | None = None, cwd: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    """`python -m tui ARGS` in a subprocess, as an admin runs it."""
    text = not isinstance(input, bytes)
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        input=input,
        capture_output=True,
        text=text,
        encoding="utf-8" if text else None,
        errors="replace" if text else None,
        cwd=cwd or ROOT,
        env=cli_env(),
        timeout=timeout,
        check=False,
    )


def mimsetup_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a command run in `tmp_path`: its own state folder, every password the
    answers keep in $MIM_PW set to the sentinel."""
    from tests.support.answers import SENTINEL

    env = {**cli_env(), "MIMSETUP_STATE_DIR": str(tmp_path / "state"), "MIM_PW": SENTINEL,
           **extra}
    return env


def mimsetup(args: list[str], tmp_path: Path, timeout: float = 120, **env: str):
    """`python -m tui ARGS` in a subprocess run in `tmp_path`, no standard input."""
    return subprocess.run([sys.executable, "-m", "tui", *args], cwd=tmp_path,
                          env=mimsetup_env(tmp_path, **env), capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL, check=False)

"""Shared helpers for the answer-file unit tests."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ANSWERS = ROOT / "answers"
CONTOSO = ANSWERS / "contoso.toml"
SENTINEL = "S3ntinel-Pw!"

_CONTOSO_DATA = tomllib.loads(CONTOSO.read_text(encoding="utf-8"))


def contoso_data() -> dict[str, Any]:
    """A fresh copy of the walkthrough's answer data (raw TOML dict)."""
    return copy.deepcopy(_CONTOSO_DATA)


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


@pytest.fixture
def data() -> dict[str, Any]:
    return contoso_data()


def answer_file_paths() -> list[Path]:
    """The answer files under answers/ (fleet files, `kind = "fleet"`, are another format)."""
    out = []
    for path in sorted(ANSWERS.glob("*.toml")):
        try:
            kind = tomllib.loads(path.read_text(encoding="utf-8-sig")).get("kind", "answers")
        except tomllib.TOMLDecodeError:
            kind = "answers"
        if kind == "answers":
            out.append(path)
    return out

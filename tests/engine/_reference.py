"""The reference FIM 2010 R2 install log, for the engine tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from tui.engine.msilog import LogLine, classify_all, decode_lines
from tui.engine.sim.logreplay import reference_bytes

# The shared copy beside the repository when there is one, else the packaged copy.
SHARED = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "reference"
    / "fim2010r2-service-and-portal-install.log"
)


@cache
def log_bytes() -> bytes:
    return SHARED.read_bytes() if SHARED.is_file() else reference_bytes()


@cache
def log_lines() -> tuple[str, ...]:
    return tuple(decode_lines(log_bytes()))


@cache
def log_classified() -> tuple[LogLine, ...]:
    return tuple(classify_all(log_lines()))

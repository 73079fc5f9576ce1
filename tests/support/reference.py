"""The reference FIM 2010 R2 install log (the copy the package ships; tests/engine/test_msilog.py
proves it is ../shared's, byte for byte)."""

from __future__ import annotations

from functools import cache

from tui.engine.msilog import LogLine, classify, decode_lines
from tui.engine.sim.logreplay import reference_bytes

SHARED_LOG = "reference/fim2010r2-service-and-portal-install.log"


@cache
def log_bytes() -> bytes:
    return reference_bytes()


@cache
def log_lines() -> tuple[str, ...]:
    return tuple(decode_lines(log_bytes()))


@cache
def log_classified() -> tuple[LogLine, ...]:
    return tuple(classify(line) for line in log_lines())

"""Waiting for a condition instead of sleeping a guessed time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


def wait_until(predicate: Callable[[], object], timeout: float = 30.0, what: str = "") -> None:
    """Return as soon as `predicate()` holds (checked every few milliseconds); fail after
    `timeout` seconds naming `what`."""
    deadline = time.monotonic() + timeout
    tick = threading.Event()  # a wait that nothing sets: a short pause between checks
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate}")
        tick.wait(0.005)

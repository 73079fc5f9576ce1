"""One fingerprint of the model's sources for every cache derived from them (compiled.json, the
wizard's spec cache): when a source changes, each of them is made again. Line endings aside, so
that a Windows checkout keeps it."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from pathlib import Path

MODEL_DIR = Path(__file__).parent


def fingerprint(salt: str = "", extra: Iterable[Path] = ()) -> str:
    """A crc32 of the model's sources, and of `extra` files and `salt` (what else the cache
    depends on: its format, the Python or library that reads it)."""
    crc = zlib.crc32(salt.encode())
    for path in [*sorted(MODEL_DIR.glob("*.py")), *extra]:
        crc = zlib.crc32(path.name.encode(), crc)
        crc = zlib.crc32(path.read_bytes().replace(b"\r\n", b"\n"), crc)
    return f"{crc:08x}"

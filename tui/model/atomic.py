"""Writing files so that a crash never leaves half a file and nobody else can read it."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def atomic_write(path: Path | str, data: str | bytes, mode: int = 0o600) -> Path:
    """Write to a temporary file beside `path`, fsync it, then rename it over `path`."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(OSError):  # chmod is a no-op beyond read-only on Windows
            os.chmod(tmp, mode)  # noqa: PTH101 - on the open temp name, before rename
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)  # noqa: PTH108
        raise
    if hasattr(os, "O_DIRECTORY"):  # a directory fsync makes the rename durable on POSIX
        dir_fd = os.open(path.parent, os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return path

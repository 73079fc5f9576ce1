"""Reading a file the user named (an answer file, a fleet's base, a password file, an msiexec
command file) with a size limit that holds whatever the path is: `/dev/zero` or `/dev/urandom`
would otherwise be read until memory runs out (their size says 0), and a FIFO would make the
read wait for a writer forever. Only a regular file is read, and never more than `limit` bytes.

Portable: O_NONBLOCK (so that opening a FIFO does not wait) exists on POSIX only, and os.fstat
and the S_ISREG test work on Windows too.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

MAX_BYTES = 1024 * 1024  # an answer file is a few KiB; a command file or a password less


class ReadRefused(OSError):
    """The path is not a regular file, or is larger than the limit; `strerror` says which."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(code, message)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_limited(path: Path | str, limit: int = MAX_BYTES) -> bytes:
    """The bytes of the regular file `path`; OSError when it cannot be read (ReadRefused, with a
    sentence in `strerror`, when it is no regular file or larger than `limit`)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise ReadRefused(errno.EINVAL, f"is {_kind(mode)}, not a file")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 16, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise ReadRefused(errno.EFBIG, f"is larger than {limit // 1024} KiB; this is "
                                  "not the file meant")
        return b"".join(chunks)
    finally:
        os.close(fd)

"""Every file a command writes for the user (a report, the schema, an imported answer file and its
secrets file, an export) goes through `write_outputs`: nothing existing is replaced without
--force, the answer file in use never, and a write that fails says which path and why (a folder,
a missing folder, no permission, a read-only or full disk) instead of "internal error", leaving
no partial file and none of the other files of the same output behind.

Light at import time: `tui.cli` imports it to report an OutputError.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

_CAUSES = {
    errno.EISDIR: "it is a folder",
    errno.ENOENT: "its folder does not exist",
    errno.ENOTDIR: "part of its folder path is a file",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the file system is read-only",
    errno.ENOSPC: "the disk is full",
    errno.ENAMETOOLONG: "the name is too long",
    errno.EFBIG: "the file is larger than this system allows (a file size limit)",
}
if hasattr(errno, "EDQUOT"):
    _CAUSES[errno.EDQUOT] = "the disk quota is exceeded"


class OutputError(OSError):
    """An output that cannot or must not be written; `message` names the path and the cause."""

    def __init__(self, message: str, remedy: str = "") -> None:
        super().__init__(message)
        self.message, self.remedy = message, remedy

    def __str__(self) -> str:
        return self.message


def _shown(path: Path) -> str:
    from tui.model.printable import visible

    return visible(str(path))


def cause(exc: OSError) -> str:
    return _CAUSES.get(exc.errno or 0) or exc.strerror or str(exc)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return a.resolve() == b.resolve()


def check_output(path: Path | str, *, force: bool = False,
                 protect: Iterable[Path | str | None] = ()) -> Path:
    """`path` if it may be written, else OutputError saying why and what to do."""
    path = Path(path)
    for kept in protect:
        if kept is not None and _same_file(path, Path(kept)):
            raise OutputError(f"{_shown(path)} is the answer file in use; mimsetup never writes "
                              "over it", "Give another file name.")
    if path.is_dir():
        raise OutputError(f"cannot write {_shown(path)}: it is a folder",
                          "Give a file name (in that folder, for example).")
    parent = path.parent
    if not parent.is_dir():
        why = "is a file" if parent.exists() else "does not exist"
        raise OutputError(f"cannot write {_shown(path)}: its folder {_shown(parent)} {why}",
                          "Create the folder, or give another path.")
    if (path.exists() or path.is_symlink()) and not force:
        raise OutputError(f"{_shown(path)} exists; mimsetup does not replace a file without "
                          "being asked", "Pass --force to replace it, or give another name.")
    if os.name == "posix" and not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {_shown(path)}: permission denied in "
                          f"{_shown(parent)}", "Give a path in a folder you can write to.")
    return path


def report_paths(path: Path | str) -> tuple[Path, Path]:
    """The Markdown and JSON files a report given as `path` (.md, or .json) is written to."""
    path = Path(path)
    md = path if path.suffix.lower() != ".json" else path.with_suffix(".md")
    return md, md.with_suffix(".json")


def write_outputs(files: Sequence[tuple[Path | str, str | bytes, int]], *, force: bool = False,
                  protect: Iterable[Path | str | None] = ()) -> list[Path]:
    """Write each (path, data, mode), atomically, after checking them all; on a failure remove
    the files this call created, and raise OutputError."""
    from tui.model.atomic import atomic_write

    protect = list(protect)
    paths = [check_output(p, force=force, protect=protect) for p, _, _ in files]
    created: list[Path] = []
    try:
        for path, (_, data, mode) in zip(paths, files, strict=True):
            existed = path.exists()
            try:
                atomic_write(path, data, mode)
            except OSError as exc:
                full = exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
                raise OutputError(f"cannot write {_shown(path)}: {cause(exc)}",
                                  "Free some space, or give another path." if full
                                  else "Give another path.") from None
            if not existed:
                created.append(path)
    except BaseException:
        for path in created:
            try:
                path.unlink()
            except OSError:
                pass
        raise
    return paths

"""Where mimsetup keeps its own files on this machine: one state folder for the wizard's drafts,
its page cache and the records of installs in progress (`mimsetup attach`). Importable from
anywhere (the standard library, and platformdirs when first asked)."""

from __future__ import annotations

import os
from pathlib import Path

ENV_DIR = "MIMSETUP_STATE_DIR"  # overrides the folder (tests, portable use)


def state_dir() -> Path:
    """$MIMSETUP_STATE_DIR, or the user's state folder: ~/.local/state/mimsetup on Linux,
    %LOCALAPPDATA%\\mimsetup on Windows (no author level: appauthor=False)."""
    override = os.environ.get(ENV_DIR)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_state_dir("mimsetup", appauthor=False))


def legacy_state_dirs() -> list[Path]:
    """Where earlier versions kept drafts, when it is not `state_dir()`: platformdirs' default
    adds an author level on Windows (%LOCALAPPDATA%\\mimsetup\\mimsetup)."""
    if os.environ.get(ENV_DIR):
        return []
    import platformdirs

    old = Path(platformdirs.user_state_dir("mimsetup"))
    return [old] if old != state_dir() else []

"""Drafts: the wizard's unsaved answers, kept in the user's state directory so that a crash, a
kill or an SSH hang-up loses nothing. A draft never holds a clear-text password: a secret kept
"in the answer file" is stored as "ask at install time".

One draft per answer file being edited (and one for a new file), as JSON, written atomically
with mode 0600 in a directory with mode 0700. No Textual here."""

from __future__ import annotations

import contextlib
import copy
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from tui.folders import state_dir  # noqa: F401  (also the app's: drafts.state_dir)
from tui.model.atomic import atomic_write

VERSION = 1


class Draft(NamedTuple):  # a named tuple: defining a dataclass costs ~1 ms of every start
    data: dict[str, Any]
    file: str | None = None
    page: str | None = None
    started: Sequence[str] = ()  # pages the user has been on
    saved_at: float = 0.0


def draft_path(file: str | Path | None) -> Path:
    """Where the draft for `file` (None: a new answer file) lives."""
    if file is None:
        name = "new"
    else:
        import hashlib  # here, and json below: not on the way to a new file's first frame

        resolved = str(Path(file).expanduser().resolve())
        name = hashlib.sha256(resolved.encode()).hexdigest()[:16]
    return state_dir() / f"draft-{name}.json"


def without_secrets(data: dict[str, Any]) -> dict[str, Any]:
    """The data with every literal password replaced by { prompt = true }."""
    from tui.model.answers import section_types

    out = copy.deepcopy(data)
    for name, model in section_types().items():
        table = out.get(name)
        if not isinstance(table, dict):
            continue
        for meta in model.fields():
            value = table.get(meta.name)
            if not meta.secret or value is None:
                continue
            if isinstance(value, str) or (isinstance(value, dict) and "value" in value):
                table[meta.name] = {"prompt": True}
    return out


def save(draft: Draft) -> Path:
    import json

    path = draft_path(draft.file)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    payload = {
        "version": VERSION,
        "file": draft.file,
        "page": draft.page,
        "started": list(draft.started),
        "saved_at": time.time(),
        "data": without_secrets(draft.data),
    }
    return atomic_write(path, json.dumps(payload, indent=1, ensure_ascii=False), 0o600)


def load(file: str | Path | None) -> Draft | None:
    """The draft for `file`, or None when there is none or it cannot be read."""
    path = draft_path(file)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, ValueError):  # none, or not UTF-8
        return None
    import json

    try:
        payload = json.loads(text)
    except ValueError:
        return None
    if not isinstance(payload, dict) or payload.get("version") != VERSION:
        return None
    data = payload.get("data")
    if not isinstance(data, dict):
        return None
    return Draft(
        data=data,
        file=payload.get("file"),
        page=payload.get("page") if isinstance(payload.get("page"), str) else None,
        started=[p for p in payload.get("started") or [] if isinstance(p, str)],
        saved_at=float(payload.get("saved_at") or 0.0),
    )


def discard(file: str | Path | None) -> None:
    with contextlib.suppress(OSError):
        draft_path(file).unlink()

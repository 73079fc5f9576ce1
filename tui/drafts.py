"""Drafts: the wizard's unsaved answers, kept in the user's state directory so that a crash, a
kill or an SSH hang-up loses nothing. A draft never holds a clear-text password: a secret kept
"in the answer file", and any value under a key named like a secret, is stored as "ask at
install time".

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
    # the file as the editing found it: (mtime_ns, size); a restore compares it with the file
    file_stamp: tuple[int, int] | None = None


def file_stamp(file: str | Path | None) -> tuple[int, int] | None:
    """(mtime in ns, size) of `file`, or None when there is none: cheap enough for every start,
    and a change by another editor changes it."""
    if file is None:
        return None
    try:
        st = Path(file).stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def changed_since(draft: Draft, file: str | Path) -> bool:
    """Whether `file` changed after the editing that left `draft` began (a draft written before
    stamps were kept: whether the file is newer than the draft)."""
    now = file_stamp(file)
    if now is None:
        return False
    if draft.file_stamp is not None:
        return tuple(draft.file_stamp) != now
    return now[0] / 1e9 > draft.saved_at


def difference(file_data: dict[str, Any], draft_data: dict[str, Any], name: str) -> str:
    """What the draft changes in the file, as a unified diff of the two as TOML; secrets shown
    as the draft keeps them (asked at install time) on both sides, every line printable."""
    import difflib

    from tui.model.printable import visible
    from tui.model.tomlio import dump_data

    def lines(data: dict[str, Any]) -> list[str]:
        return [visible(line) for line in dump_data(without_secrets(data)).splitlines()]

    diff = list(difflib.unified_diff(lines(file_data), lines(draft_data), f"{name} (the file)",
                                     "the draft", lineterm="", n=1))
    return "\n".join(diff) if diff else "The draft and the file hold the same answers."


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
    """The data with every literal that is, or is named like, a secret replaced by
    { prompt = true }: the model's secret fields, and any key the model's rule says is named
    like a secret (a misspelt `pasword`, an extra property MY_PASSWD), at any depth (a fleet
    file's hosts, unknown tables). References (env, file, prompt) are kept."""
    from tui.model.answers import section_types
    from tui.model.secrets import named_like_secret

    secret_fields = {meta.name for model in section_types().values() for meta in model.fields()
                     if meta.secret}

    def literal(value: Any) -> bool:
        if isinstance(value, dict):
            return "value" in value
        return value is not None

    def scrub(node: Any) -> Any:
        if isinstance(node, list):
            return [scrub(v) for v in node]
        if not isinstance(node, dict):
            return copy.copy(node)
        out = {}
        for key, value in node.items():
            if (key in secret_fields or named_like_secret(str(key))) and literal(value):
                out[key] = {"prompt": True}
            else:
                out[key] = scrub(value)
        return out

    return scrub(data)


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
        "file_stamp": list(draft.file_stamp) if draft.file_stamp else None,
        "data": without_secrets(draft.data),
    }
    return atomic_write(path, json.dumps(payload, indent=1, ensure_ascii=False), 0o600)


def load(file: str | Path | None) -> Draft | None:
    """The draft for `file`, or None when there is none or it cannot be read."""
    path = draft_path(file)
    _adopt_legacy(path)
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
        file_stamp=_stamp(payload.get("file_stamp")),
    )


def _stamp(value: Any) -> tuple[int, int] | None:
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return (value[0], value[1])
    return None


def _adopt_legacy(path: Path) -> None:
    """A draft an earlier version left in its folder (tui.folders.legacy_state_dirs) moves to
    `path`, never over a draft already there: the user's unsaved answers are not lost."""
    if path.exists():
        return
    from tui.folders import legacy_state_dirs

    for folder in legacy_state_dirs():
        old = folder / path.name
        if old.is_file():
            with contextlib.suppress(OSError):
                path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                old.replace(path)
            return


def discard(file: str | Path | None) -> None:
    with contextlib.suppress(OSError):
        draft_path(file).unlink()

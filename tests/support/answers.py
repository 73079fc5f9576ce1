"""The walkthrough's answers (answers/contoso.toml) in the forms the tests need."""

from __future__ import annotations

import copy
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from tests.support.paths import ANSWERS, CONTOSO
from tui.model.fleet import Fleet, read_any
from tui.model.validation import Loaded

SENTINEL = "S3ntinel-Pw!"  # a password no output may show


@cache
def _contoso_data() -> dict[str, Any]:
    return tomllib.loads(CONTOSO.read_text(encoding="utf-8"))


def contoso_data() -> dict[str, Any]:
    """A fresh copy of the walkthrough's answer data (raw TOML dict)."""
    return copy.deepcopy(_contoso_data())


def contoso():
    """The walkthrough's answers, validated (a tui.model.answers.AnswerFile)."""
    from tui.model.validation import read_file

    loaded = read_file(CONTOSO)
    assert loaded.answers is not None, [p.format() for p in loaded.problems]
    return loaded.answers


def answer_file_paths() -> list:
    """The answer files under answers/ (fleet files, `kind = "fleet"`, are another format)."""
    out = []
    for path in sorted(ANSWERS.glob("*.toml")):
        try:
            kind = tomllib.loads(path.read_text(encoding="utf-8-sig")).get("kind", "answers")
        except tomllib.TOMLDecodeError:
            kind = "answers"
        if kind == "answers":
            out.append(path)
    return out


def read_fleet(path: Path | str) -> Fleet:
    """A fleet file as `read_any` reads it, as a Fleet even when it cannot be read (the tests
    read fleet files only)."""
    found = read_any(path)
    if isinstance(found, Loaded):
        return Fleet(found.name, problems=found.problems, unreadable=found.unreadable)
    return found

"""Known MIM install failures: from a failed install's log lines to a specific cause and remedy.

The knowledge lives in known-failures.json beside this module (each entry with its sources);
this module only reads it and matches. A 1603 alone says nothing an admin can act on; the
failing action and the error lines usually do, once someone has seen them before.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from tui.engine.msilog import LineKind, classify

DATA = "known-failures.json"


@dataclass(frozen=True)
class KnownFailure:
    id: str
    title: str
    cause: str
    remedy: str
    sources: tuple[str, ...]
    actions: tuple[str, ...] = ()
    signatures: tuple[re.Pattern[str], ...] = ()
    # Pre-flight checks that observe this cause's subject: one that passed rules the cause out.
    ruled_out_by: tuple[str, ...] = ()

    def matches(self, lines: Sequence[str], action: str | None) -> str | None:
        """The line that shows this failure (or the action's name when the action alone
        does), or None."""
        if self.actions and action not in self.actions:
            return None
        if not self.signatures:
            return action if self.actions else None
        return next((ln for ln in lines if any(p.search(ln) for p in self.signatures)), None)


@dataclass(frozen=True)
class Diagnosis:
    """A known failure found in a log: what the result screen, the printed lines, --json and
    the report show."""

    id: str
    title: str
    cause: str
    remedy: str
    evidence: str  # the log line that matched (or the failing action's name)
    sources: tuple[str, ...] = ()


@cache
def known_failures() -> tuple[KnownFailure, ...]:
    text = resources.files("tui.engine").joinpath(DATA).read_text(encoding="utf-8")
    return tuple(
        KnownFailure(
            id=e["id"], title=e["title"], cause=e["cause"], remedy=e["remedy"],
            sources=tuple(e["sources"]), actions=tuple(e.get("actions") or ()),
            signatures=tuple(re.compile(s) for s in e.get("signatures") or ()),
            ruled_out_by=tuple(e.get("ruled_out_by") or ()),
        )
        for e in json.loads(text)["entries"]
    )


def diagnose(lines: Iterable[str], action: str | None = None) -> Diagnosis | None:
    """The first known failure (in the file's order) that the lines and the failing action
    show, or None."""
    seen = list(lines)
    for entry in known_failures():
        if (evidence := entry.matches(seen, action)) is not None:
            return Diagnosis(entry.id, entry.title, entry.cause, entry.remedy, evidence,
                             entry.sources)
    return None


def rolled_back(lines: Iterable[str]) -> bool:
    """Did Windows Installer roll the install back? Its script's `Action 10:54:11: Rollback.`
    line says so: "Rollback" is the action's name, which Windows Installer does not localise."""
    return any(
        ln.kind in (LineKind.ACTION_START, LineKind.ACTION_DEFERRED) and ln.action == "Rollback"
        for ln in map(classify, lines)
    )

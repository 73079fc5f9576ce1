"""A problem found in an answer file: where it is, what is wrong, how to fix it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from tui.model.printable import visible

Loc = tuple[str | int, ...]


class HasProblems:
    """What reading a file gave, as a validate command sees it: `problems` and `unreadable`."""

    problems: list[Problem]
    unreadable: bool

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def ok(self) -> bool:
        return not self.unreadable and not self.errors


def unknown_key(loc: Loc, key: str, allowed: list[str] | tuple[str, ...], where: str) -> Problem:
    """A key the table does not take, with the closest known one or the list of them."""
    import difflib  # only when a key is unknown: it costs start-up otherwise

    close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
    fix = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(allowed)}"
    return Problem(loc, f"unknown key '{key}' in {where}", fix)


@dataclass(frozen=True)
class Problem:
    loc: Loc
    message: str
    fix: str = ""
    severity: Literal["error", "warning"] = "error"
    file: str | None = None
    line: int | None = None

    @property
    def path(self) -> str:
        return ".".join(str(p) for p in self.loc) or "(file)"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def at(self, file: str | None, line: int | None) -> Problem:
        return replace(self, file=file, line=line)

    def format(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.line) if p is not None)
        head = f"{where}: " if where else ""
        kind = "warning" if self.severity == "warning" else "error"
        fix = f" Fix: {self.fix}" if self.fix else ""
        text = f"{head}{kind}: {self.path}: {self.message}.{fix}".replace("..", ".")
        return visible(text)  # a file name or key may hold an escape sequence or a line break

    def to_json(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "path": self.path,
            "severity": self.severity,
            "message": self.message,
            "fix": self.fix,
        }

"""Which Windows Installer log lines are worth sending over the wire, showing and keeping: the
rules in scripts/log-filter.json, read here (Python re) and by the tail script (.NET Regex)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

FILTER_KEYS = ("include", "exclude", "context_triggers", "script_start", "script_end",
               "include_in_script")


@dataclass(frozen=True)
class LogFilter:
    """Which lines are worth sending over the wire and showing: the rule in log-filter.json.

    `include_in_script` lines matter only while the deferred script runs (between a
    `script_start` and a `script_end` line): that is where `Action HH:MM:SS: X.` is real work;
    before it, the same lines only name immediate actions and the script being generated."""

    include: tuple[re.Pattern[str], ...]
    exclude: tuple[re.Pattern[str], ...]
    context_triggers: tuple[re.Pattern[str], ...]
    script_start: tuple[re.Pattern[str], ...] = ()
    script_end: tuple[re.Pattern[str], ...] = ()
    include_in_script: tuple[re.Pattern[str], ...] = ()

    def excluded(self, line: str) -> bool:
        """A line that may hold a value in clear: never sent, shown or stored."""
        return any(p.search(line) for p in self.exclude)

    def matters(self, line: str, in_script: bool = True) -> bool:
        if self.excluded(line):
            return False
        if any(p.search(line) for p in self.include):
            return True
        return in_script and any(p.search(line) for p in self.include_in_script)

    def triggers_context(self, line: str) -> bool:
        """Does this line show a failure, so the lines before it are worth sending too?"""
        return any(p.search(line) for p in self.context_triggers)

    def select(self, lines: Iterable[str]) -> list[str]:
        """The lines a tail sends from a whole log, in order (what the tail script does,
        without the context kept before a failure)."""
        kept: list[str] = []
        in_script = False
        for line in lines:
            if any(p.search(line) for p in self.script_start):
                in_script = True
            elif any(p.search(line) for p in self.script_end):
                in_script = False
            if self.matters(line, in_script):
                kept.append(line)
        return kept


def _filter_resource():
    return resources.files("tui.engine.scripts").joinpath("log-filter.json")


# An action's start or end line, in any language: a word, one to three more, the time, the name.
_ACTION_LINE = r"^\S+(?: [^\d\s]\S*){{1,3}} \d{{1,2}}:\d{{2}}:\d{{2}} ?: (?:{names})\."


@cache
def _document() -> dict:
    return json.loads(_filter_resource().read_text(encoding="utf-8"))


@cache
def probe_actions() -> tuple[str, ...]:
    """The immediate actions whose start and end lines are sent for their timing (log-filter.json
    names them once; tui/engine/phases.py says which phase each foretells)."""
    return tuple(_document().get("probe_actions", ()))


@cache
def filter_rules() -> dict[str, tuple[str, ...]]:
    """The raw patterns by kind (FILTER_KEYS), as the tail script receives them: the file's,
    and an include pattern for the start and end lines of `probe_actions`."""
    doc = _document()
    rules = {key: tuple(doc.get(key, ())) for key in FILTER_KEYS}
    if names := probe_actions():
        probe = _ACTION_LINE.format(names="|".join(re.escape(n) for n in names))
        rules["include"] += (probe,)
    return rules


@cache
def log_filter() -> LogFilter:
    rules = filter_rules()
    return LogFilter(*(tuple(re.compile(p) for p in rules[k]) for k in FILTER_KEYS))


def matters(line) -> bool:
    """Is this line worth tailing and showing (actions, errors, the product result)? Lines of
    the deferred script count as inside it; `LogFilter.select` follows the script window."""
    return log_filter().matters(getattr(line, "text", line))

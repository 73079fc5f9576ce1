"""The one catalog of check outcomes (`scripts/outcomes.json`), and how an outcome is worded.

The target scripts and the simulated target report `(id, reason, values)`; the words (status,
message, remedy, evidence) are written once, in the catalog. This module reads it and fills the
placeholders. `outcomes.ps1` does the same on the target for the exports, which run the scripts
without mimsetup.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from tui.engine import scripts

CATALOG_FILE = "outcomes.json"
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
SECTIONS = ("preflight", "checklist")  # what the catalog test reads from the scripts' text
BOOTSTRAP = "bootstrap"  # what bootstrap.ps1 says before any script runs


@dataclass(frozen=True)
class Worded:
    status: str
    message: str
    remedy: str = ""
    evidence: str = ""


@cache
def catalog() -> dict:
    """The whole catalog, as the exports embed it."""
    text = resources.files(scripts).joinpath(CATALOG_FILE).read_text(encoding="utf-8")
    return json.loads(text)


def section(name: str) -> dict:
    return catalog()[name]


def check_ids(section_name: str) -> list[str]:
    """The ids of a section, in the catalog's order (the pre-flight's report order)."""
    return list(section(section_name)["checks"])


def titles(section_name: str) -> dict[str, str]:
    checks = section(section_name)["checks"]
    return {cid: c.get("title", cid) for cid, c in checks.items()}


def lookup(section_name: str, check_id: str, reason: str) -> dict | None:
    """The catalog entry for (id, reason): the check's own, else the section's common one."""
    sec = section(section_name)
    own = sec["checks"].get(check_id, {}).get("outcomes", {})
    return own.get(reason) or sec["common"].get(reason)


def pairs(section_name: str) -> set[tuple[str, str]]:
    """Every (id, reason) the catalog words; common reasons as ('*', reason)."""
    sec = section(section_name)
    found = {(cid, r) for cid, c in sec["checks"].items() for r in c["outcomes"]}
    return found | {("*", r) for r in sec["common"]}


def expand(text: str, values: dict, *, strict: bool = False) -> str:
    """Fills {name} placeholders in one pass; a value's own braces are never expanded.
    A missing value reads as '?' (strict: KeyError, for tests)."""

    def one(m: re.Match) -> str:
        name = m.group(1)
        if name not in values:
            if strict:
                raise KeyError(name)
            return "?"
        return _text(values[name])

    return PLACEHOLDER.sub(one, text)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"  # as PowerShell's [string] writes them
    if value is None:
        return ""
    return str(value)


def word(section_name: str, check_id: str, reason: str, values: dict | None = None, *,
         strict: bool = False) -> Worded | None:
    """The worded outcome, or None when the catalog does not know (id, reason)."""
    entry = lookup(section_name, check_id, reason)
    if entry is None:
        return None
    vals = values if isinstance(values, dict) else {}
    return Worded(
        entry["status"],
        expand(entry.get("message", ""), vals, strict=strict),
        expand(entry.get("remedy", ""), vals, strict=strict),
        expand(entry.get("evidence", ""), vals, strict=strict),
    )


def placeholders(section_name: str, check_id: str, reason: str) -> set[str]:
    entry = lookup(section_name, check_id, reason) or {}
    return {m for key in ("message", "remedy", "evidence")
            for m in PLACEHOLDER.findall(entry.get(key, ""))}


def refusal(stdout: str) -> Worded | None:
    """What the bootstrap said when it refused to run any script (Constrained Language Mode), as
    the one worded sentence; None when it did not refuse."""
    for line in (stdout or "").splitlines():
        line = line.strip().lstrip("\ufeff")
        if not line.startswith('{"refused"'):
            continue
        try:
            refused = json.loads(line)["refused"]
            return word(BOOTSTRAP, str(refused["id"]), str(refused["reason"]),
                        refused.get("values") or {})
        except (ValueError, KeyError, TypeError):
            return None
    return None

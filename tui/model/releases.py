"""The releases of Service and Portal and what each requires, from one table (releases.json):
the pre-flight checks it on the target (the table is one of its parameters) and the wizard's help
for the fields it concerns is made from it here. Pydantic-free: the field declarations use it.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

TABLE_FILE = "releases.json"


@cache
def table() -> dict[str, Any]:
    text = resources.files("tui.model").joinpath(TABLE_FILE).read_text(encoding="utf-8")
    return json.loads(text)


def releases() -> list[dict[str, Any]]:
    return table()["releases"]


def parse_version(text: str) -> tuple[int, ...]:
    """'4.6.673.0' as (4, 6, 673, 0); () when it is not a version."""
    try:
        return tuple(int(p) for p in text.strip().split("."))
    except ValueError:
        return ()


def release_of(version: str) -> dict[str, Any] | None:
    """The release a ProductVersion belongs to (by its major.minor), or None."""
    parts = parse_version(version)
    key = ".".join(str(p) for p in parts[:2])
    return next((r for r in releases() if key in r["versions"]), None)


def first_with(requirement: str) -> dict[str, Any]:
    """The first release that has `requirement` (gmsa, exchange_online)."""
    return next(r for r in releases() if r.get(requirement))


def since(requirement: str) -> str:
    """'MIM 2016 SP2 (4.6.34.0) and later', for field help."""
    r = first_with(requirement)
    build = r["first_build"] + (".x" if len(parse_version(r["first_build"])) < 3 else "")
    return f"{r['title']} ({build}) and later"


def sp3_note() -> str:
    """What the newest release asks of the server, for the package path's help."""
    r = releases()[-1]
    windows = " or ".join(f"Windows Server {w}" for w in r["windows_server"])
    return (f"{r['title']} installs only on {windows}, its portal only on "
            f"{r['portal_sharepoint']['title']}, and upgrades in place only from "
            f"{r['upgrade_from']}")

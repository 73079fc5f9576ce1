"""The hosts of a fleet file and the rules across them: the MIM Service hosts share one
database and one service account, only the first of them creates the database, and password
portal host names and target servers are not shared between hosts. (Reading and merging a fleet
file is tui/model/fleet.py.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tui.model.problems import Problem

if TYPE_CHECKING:
    from tui.model.answers import AnswerFile

SSPR_SECTIONS = ("registration_portal", "reset_portal")


@dataclass
class FleetHost:
    """One host of the fleet: its overrides, the merged answer data and, when valid, the model."""

    name: str
    overrides: dict[str, Any]
    data: dict[str, Any]
    answers: AnswerFile | None = None

    @property
    def runs_service(self) -> bool:
        return bool(self.answers and self.answers.components.service and self.answers.database)

    @property
    def creates_database(self) -> bool:
        return bool(self.runs_service and not self.answers.database.existing)  # type: ignore[union-attr]


# --- rules across hosts ----------------------------------------------------------------------

def across_hosts(hosts: list[FleetHost]) -> Iterator[tuple[str, Problem]]:
    yield from _one_database(hosts)
    yield from _one_service_account(hosts)
    yield from _unique(
        hosts,
        lambda a: [("target", "host", a.target.host)] if a.target else [],
        "target server", "each host of a fleet is its own server",
    )
    yield from _unique(
        hosts,
        lambda a: [(s, "host_name", getattr(a, s).host_name) for s in SSPR_SECTIONS
                   if getattr(a.components, s) and getattr(a, s) is not None],
        "password portal host name",
        "each password portal site has its own host name",
    )


def _one_database(hosts: list[FleetHost]) -> Iterator[tuple[str, Problem]]:
    service = [h for h in hosts if h.runs_service]
    if not service:
        return
    first = service[0]
    db = first.answers.database  # type: ignore[union-attr]
    if db.existing:
        # A warning, not an error: adding servers to a deployment whose database exists already
        # is a fleet where no host creates it. When the database does not exist yet, the
        # pre-flight's sql-database check stops every host.
        yield first.name, Problem(
            ("database", "existing"),
            f"no host creates the database: {first.name}, the first MIM Service host, reuses "
            f"{db.name} on {db.server}; right only when that database exists already",
            f"set existing = false in [hosts.{first.name}.database] to have it created",
            "warning",
        )
    for h in service[1:]:
        d = h.answers.database  # type: ignore[union-attr]
        for key, mine, theirs in (("server", d.server, db.server), ("name", d.name, db.name)):
            if mine.lower() != theirs.lower():
                yield h.name, Problem(
                    ("database", key),
                    f"{h.name} uses the database {d.name} on {d.server}, but {first.name} uses "
                    f"{db.name} on {db.server}; all MIM Service servers share one database",
                    f'set {key} = "{theirs}" in [hosts.{h.name}.database]',
                )
        if not d.existing:
            yield h.name, Problem(
                ("database", "existing"),
                f"{h.name} would create the database too; only the first MIM Service host "
                f"({first.name}) creates it, the others reuse it (EXISTINGDATABASE=1)",
                f"set existing = true in [hosts.{h.name}.database]",
            )


def _one_service_account(hosts: list[FleetHost]) -> Iterator[tuple[str, Problem]]:
    service = [h for h in hosts if h.runs_service and h.answers.service_account]  # type: ignore[union-attr]
    if not service:
        return
    first = service[0]
    sa = first.answers.service_account  # type: ignore[union-attr]
    for h in service[1:]:
        mine = h.answers.service_account  # type: ignore[union-attr]
        if (mine.domain.lower(), mine.name.lower()) != (sa.domain.lower(), sa.name.lower()):
            yield h.name, Problem(
                ("service_account", "name"),
                f"{h.name} runs the MIM Service as {mine.domain}\\{mine.name}, but {first.name} "
                f"as {sa.domain}\\{sa.name}; all MIM Service servers share one service account",
                f"use {sa.domain}\\{sa.name} on every MIM Service host",
            )
        elif mine.managed != sa.managed:
            yield h.name, Problem(
                ("service_account", "managed"),
                f"{h.name} and {first.name} disagree on whether the service account is a gMSA",
                f"set managed = {str(sa.managed).lower()} in [hosts.{h.name}.service_account]",
            )


def _unique(hosts: list[FleetHost], values, what: str, why: str) -> Iterator[tuple[str, Problem]]:
    """Each value belongs to one host only."""
    seen: list[tuple[str, str]] = []  # (value, host)
    for h in hosts:
        for section, key, value in values(h.answers):
            other = next((o for v, o in seen if same_host(v, value) and o != h.name), None)
            if other is not None:
                yield h.name, Problem(
                    (section, key),
                    f"{h.name} uses the {what} {value}, which {other} uses too; {why}",
                    f"give {h.name} its own {what} in [hosts.{h.name}.{section}]",
                )
                continue
            seen.append((value, h.name))


_IP = re.compile(r"[\d.]+|.*:.*")


def same_host(a: str, b: str) -> bool:
    """Whether two host names name one server: equal without case, or one is the other's first
    label (CORPIDM and CORPIDM.contoso.local), as Windows resolves a short name in its domain."""
    a, b = a.lower().rstrip("."), b.lower().rstrip(".")
    if a == b:
        return True
    if _IP.fullmatch(a) or _IP.fullmatch(b):
        return False
    return ("." not in a and b.split(".")[0] == a) or ("." not in b and a.split(".")[0] == b)

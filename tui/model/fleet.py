"""Fleet files: one base answer file plus typed per-host overrides, for deployments of more than
one server (MIM Service and Portal behind a load balancer, password portals on their own servers).

    schema_version = 1
    kind = "fleet"            # what tells a fleet file from an answer file
    base = "contoso.toml"     # the answer file every host starts from, relative to this file

    [hosts.mim02.database]    # a host's table holds answer-file sections ...
    existing = true           # ... and each key replaces that field of the base
    [hosts.mim02.target]
    host = "mim02.contoso.local"

Merging is by field: `[hosts.X.<section>]` replaces the fields it names and keeps the others;
a field's value is replaced whole (a password reference, `msi.extra_properties`), so that
`{ env = "A" }` over `{ prompt = true }` never becomes a mix of both. Every host's merged
configuration is checked by the answer-file loader (`validation.validate_data`); its problems are
reported under `hosts.<name>.` with the line of the fleet file when the key is there, else of the
base file. Then the rules across hosts: the MIM Service hosts share one database and one service
account; only the first of them creates the database; password-portal host names and target
servers are not shared between hosts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.model import tomlio
from tui.model.fleethosts import FleetHost, across_hosts
from tui.model.problems import HasProblems, Problem, unknown_key
from tui.model.tomlio import Locator
from tui.model.validation import Loaded, section_types, validate_data

if TYPE_CHECKING:
    pass

FLEET_SCHEMA_VERSION = 1
KIND = "fleet"
TOP_KEYS = ("schema_version", "kind", "base", "hosts")
# An inventory name: Ansible group/host names, PowerShell and file names all take these safely.
HOST_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")


@dataclass
class Fleet(HasProblems):
    """What reading a fleet file gave; reads like `validation.Loaded` for the validate command."""

    name: str
    data: dict[str, Any] | None = None
    base: str | None = None
    hosts: list[FleetHost] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unreadable: bool = False

    def host(self, name: str) -> FleetHost:
        return next(h for h in self.hosts if h.name == name)

    def waves(self) -> list[list[FleetHost]]:
        """The install order: the host that creates the database alone first (the others need
        its database), then every other host, which may run in parallel."""
        first = [h for h in self.hosts if h.creates_database][:1]
        rest = [h for h in self.hosts if h not in first]
        return [w for w in (first, rest) if w]


def is_fleet_data(data: dict[str, Any]) -> bool:
    """A fleet file says kind = "fleet"; a file with [hosts.*] but no kind is taken for a fleet
    file too, so that the missing kind is reported instead of 'unknown key hosts'."""
    return data.get("kind") == KIND or (
        "kind" not in data and isinstance(data.get("hosts"), dict) and "components" not in data
    )


# --- reading ---------------------------------------------------------------------------------

def _parse(path: Path) -> tuple[dict[str, Any], str] | Loaded:
    """(data, text) of a TOML file, or the `Loaded` that says why it could not be read; the
    reasons and their wording are the answer-file reader's."""
    parsed = tomlio.read_file(path)
    if parsed.data is None or parsed.text is None:
        return Loaded(parsed.name, problems=list(parsed.problems), unreadable=parsed.unreadable)
    return parsed.data, parsed.text


def read_any(path: Path | str) -> Loaded | Fleet:
    """An answer file or a fleet file, told apart by its content (see `is_fleet_data`)."""
    path = Path(path)
    parsed = _parse(path)
    if isinstance(parsed, Loaded):
        return parsed
    data, text = parsed
    if is_fleet_data(data):
        return validate_fleet_data(data, str(path), text, base_dir=path.parent)
    return validate_data(data, str(path), text)


# --- validating ------------------------------------------------------------------------------

class _Places:
    """Where a host's problem is written: the fleet file when the key is there, else the base."""

    def __init__(self, fleet_name: str, fleet_text: str | None, base_name: str | None,
                 base_text: str | None) -> None:
        self.fleet_name, self.base_name = fleet_name, base_name
        self.fleet = Locator(fleet_text).lines if fleet_text is not None else {}
        self.base = Locator(base_text).lines if base_text is not None else {}

    def in_fleet(self, loc: tuple) -> tuple[str, int | None]:
        parts = tuple(str(p) for p in loc)
        while parts:
            if parts in self.fleet:
                return self.fleet_name, self.fleet[parts]
            if len(parts) == 2 and parts[0] == "hosts":
                # [hosts.mim02.target] names no line for hosts.mim02 itself: its first table
                lines = [n for k, n in self.fleet.items() if k[:2] == parts]
                if lines:
                    return self.fleet_name, min(lines)
            parts = parts[:-1]
        return self.fleet_name, None

    def for_host(self, host: str, loc: tuple) -> tuple[str, int | None, bool]:
        """(file, line, from_base). A field-level key (or the exact key) counts; a section
        header alone does not say the faulty field was written there."""
        parts = tuple(str(p) for p in loc)
        for n in range(len(parts), 0, -1):
            if n < 2 and n != len(parts):
                break
            key = parts[:n]
            if ("hosts", host, *key) in self.fleet:
                return self.fleet_name, self.fleet[("hosts", host, *key)], False
            if key in self.base and self.base_name is not None:
                return self.base_name, self.base[key], True
        file, line = self.in_fleet(("hosts", host, *parts))
        return file, line, False


def _merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    merged = {k: (dict(v) if isinstance(v, dict) else v) for k, v in base.items()}
    for section, table in overrides.items():
        current = merged.get(section)
        merged[section] = {**current, **table} if isinstance(current, dict) else dict(table)
    return merged


def _read_base(fleet: Fleet, data: dict[str, Any], base_dir: Path | None,
               ) -> tuple[dict[str, Any] | None, str | None, str | None]:
    """(base data, base text, base file name); problems go to `fleet`."""
    base = data.get("base")
    if base is None:
        fleet.problems.append(Problem(
            ("base",), "is required: the answer file every host starts from",
            'add base = "contoso.toml" (a path relative to this file)'))
        return None, None, None
    if not isinstance(base, str) or not base.strip():
        fleet.problems.append(Problem(("base",), "must be the path of an answer file",
                                      'write base = "contoso.toml"'))
        return None, None, None
    path = Path(base)
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    fleet.base = str(path)
    parsed = _parse(path)
    if isinstance(parsed, Loaded):
        for p in parsed.problems:
            fleet.problems.append(Problem(("base",), f"{path}: {p.message}", p.fix))
        return None, None, str(path)
    base_data, base_text = parsed
    if base_data.get("kind") == KIND or "hosts" in base_data:
        fleet.problems.append(Problem(("base",), f"{path} is a fleet file, not an answer file",
                                      "give the answer file the hosts start from"))
        return None, None, str(path)
    return base_data, base_text, str(path)


def validate_fleet_data(
    data: dict[str, Any], name: str = "<fleet>", text: str | None = None,
    base_dir: Path | str | None = None,
) -> Fleet:
    """Validate a parsed fleet file: its own keys, each host's merged answers, then the rules
    across hosts. The base answer file is read from `base_dir` (the fleet file's folder)."""
    fleet = Fleet(name, data=data)
    top: list[Problem] = []

    version = data.get("schema_version")
    if version is None:
        top.append(Problem(("schema_version",), "is required",
                           f"add schema_version = {FLEET_SCHEMA_VERSION} as the first line"))
    elif type(version) is not int or version != FLEET_SCHEMA_VERSION:  # 1.0 and true are not 1
        top.append(Problem(("schema_version",),
                           f"schema_version {version!r} is not one this mimsetup reads",
                           f"set schema_version = {FLEET_SCHEMA_VERSION}"))
    if data.get("kind") != KIND:
        top.append(Problem(("kind",), 'a fleet file says kind = "fleet"'
                           + (f", not {data['kind']!r}" if "kind" in data else ""),
                           'add kind = "fleet" under schema_version'))
    for key in data:
        if key not in TOP_KEYS:
            top.append(unknown_key((key,), key, TOP_KEYS, "the top level of a fleet file"))

    base_data, base_text, base_name = _read_base(
        fleet, data, Path(base_dir) if base_dir else None)
    places = _Places(name, text, base_name, base_text)

    hosts = data.get("hosts")
    if not isinstance(hosts, dict) or not hosts:
        top.append(Problem(("hosts",), "a fleet file lists at least one host",
                           'add [hosts.mim01.target] with host = "mim01.contoso.local"'))
        hosts = {}

    sections = section_types()
    host_problems: list[tuple[str, Problem]] = []
    for host_name, overrides in hosts.items():
        if not HOST_NAME.fullmatch(host_name):
            top.append(Problem(("hosts", host_name),
                               f"'{host_name}' is not a usable host name (letters, digits, '-', "
                               "'_' and '.', starting with a letter or digit, at most 63)",
                               "rename the table, e.g. [hosts.mim01]"))
            continue
        if not isinstance(overrides, dict):
            top.append(Problem(("hosts", host_name), "must be a table of answer-file sections",
                               f"write [hosts.{host_name}.target] and the keys under it"))
            continue
        clean: dict[str, Any] = {}
        for section, table in overrides.items():
            if section not in sections:
                top.append(unknown_key(("hosts", host_name, section), section, list(sections),
                                        f"[hosts.{host_name}] (a host overrides answer-file "
                                        "sections)"))
            elif not isinstance(table, dict):
                top.append(Problem(("hosts", host_name, section),
                                   f"must be a table of [{section}] fields",
                                   f"write [hosts.{host_name}.{section}] and the keys under it"))
            else:
                clean[section] = table
        host = FleetHost(host_name, overrides, _merge(base_data or {}, clean))
        fleet.hosts.append(host)
        if base_data is None:
            continue
        loaded = validate_data(host.data, name)
        host.answers = loaded.answers
        host_problems += [(host_name, p) for p in loaded.problems]
        if host.answers is not None and host.answers.target is None:
            host_problems.append((host_name, Problem(
                ("target",), "each host of a fleet needs a [target]: the server to install on",
                f'add [hosts.{host_name}.target] with host = "{host_name}.contoso.local"')))

    if all(h.answers is not None for h in fleet.hosts):
        host_problems += list(across_hosts(fleet.hosts))

    fleet.problems = (
        [p.at(*places.in_fleet(p.loc)) for p in top]
        + [p.at(name, places.in_fleet(p.loc)[1]) if p.loc and p.loc[0] == "base" else p
           for p in fleet.problems]
        + _place_host_problems(host_problems, places, [h.name for h in fleet.hosts])
    )
    return fleet


def _place_host_problems(found: list[tuple[str, Problem]], places: _Places,
                         hosts: list[str]) -> list[Problem]:
    """Prefix each problem with its host and locate it. A problem that comes from the base file
    and shows on every host is reported once, at the base file's line."""
    located: list[tuple[str, Problem, bool]] = []
    for host, p in found:
        file, line, from_base = places.for_host(host, p.loc)
        located.append((host, Problem(("hosts", host, *p.loc), p.message, p.fix, p.severity,
                                      file, line), from_base))
    shared: dict[tuple, set[str]] = {}
    for host, p, from_base in located:
        if from_base:
            shared.setdefault((p.loc[2:], p.message, p.severity), set()).add(host)
    everywhere = {k for k, on in shared.items() if len(hosts) > 1 and on == set(hosts)}
    out: list[Problem] = []
    reported: set[tuple] = set()
    for _host, p, from_base in located:
        key = (p.loc[2:], p.message, p.severity)
        if from_base and key in everywhere:
            if key not in reported:
                reported.add(key)
                out.append(Problem(p.loc[2:], f"{p.message} (on every host)", p.fix, p.severity,
                                   p.file, p.line))
            continue
        out.append(p)
    return out

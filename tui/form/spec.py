"""What the form needs to draw a field or a page, read from the model's declarations, and kept in
a small cache so that the wizard can paint its first page before the model (pydantic) is
imported; importing it takes longer than all of Textual's startup work for the first frame.

The cache is derived data, like a .pyc: it is keyed by the model's fingerprint
(tui/model/fingerprint.py) and rebuilt from the model when its sources change. Nothing here
imports pydantic or Textual; `tui.form.build` makes the specs from the model. What this module
imports is there already when Textual is (marshal, zlib: no json or hashlib), and its records are
named tuples, which cost a tenth of what frozen dataclasses cost to define: it is on the wizard's
path to its first frame."""

from __future__ import annotations

import marshal
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any, NamedTuple

from tui.model.shape import SCHEMA_VERSION, section_needed

FORMAT = 3  # 3: enabled_by, offer; 2: marshal, named tuples, crc32 key (1: JSON, sha256)
PageState = str  # not-started, incomplete, complete, errors, warnings or skipped

# How a secret is kept, as the chooser offers it. "none" only for fields that may be left out.
SECRET_KINDS: tuple[tuple[str, str], ...] = (
    ("prompt", "Ask at install time"),
    ("env", "Environment variable"),
    ("file", "File"),
    ("value", "In the answer file"),
    ("none", "Not set"),
)


class FieldSpec(NamedTuple):
    section: str
    name: str
    title: str
    help: str
    example: Any
    msi: tuple[str, ...]
    secret: bool
    required: bool
    default: Any  # as TOML data; None when there is none
    kind: str  # bool, choice, int, str, secret
    choices: tuple[str, ...] = ()
    enabled_by: tuple[str, ...] = ()  # as the model declares them (FieldMeta)
    offer: str | None = None

    @property
    def secret_kinds(self) -> list[tuple[str, str]]:
        return [(k, label) for k, label in SECRET_KINDS if k != "none" or not self.required]


class SectionSpec(NamedTuple):
    name: str
    title: str
    required_by: tuple[str, ...]
    fields: tuple[FieldSpec, ...] = ()


Specs = dict[str, SectionSpec]


def secret_kind(value: Any) -> str:
    """How a secret's raw TOML value is kept: prompt, env, file, value or none."""
    if value is None:
        return "none"
    if isinstance(value, str):
        return "value"
    if isinstance(value, dict):
        for kind in ("prompt", "env", "file", "value"):
            if value.get(kind) not in (None, False):
                return kind
    return "prompt"


def model_key() -> str:
    """The model's fingerprint (tui.model.fingerprint), with this package's sources and the
    Python that marshals."""
    from tui.model.fingerprint import fingerprint

    return fingerprint(f"{FORMAT} {sys.version_info[:2]}",
                       sorted(Path(__file__).parent.glob("*.py")))


def _cache_path(cache_dir: Path) -> Path:
    return cache_dir / f"uimeta-{model_key()}.marshal"


def load(cache_dir: Path) -> Specs | None:
    try:
        # our own file, in the user's state directory (0700, the file 0600); marshal builds
        # values, it runs nothing
        raw = marshal.loads(_cache_path(cache_dir).read_bytes())  # noqa: S302
        return {
            name: SectionSpec(name, title, tuple(required_by),
                              tuple(FieldSpec(*f) for f in fields))
            for name, (title, required_by, fields) in raw.items()
        }
    except (OSError, ValueError, EOFError, KeyError, TypeError):
        return None


def save(specs: Specs, cache_dir: Path) -> None:
    from tui.model.atomic import atomic_write

    raw = {name: (s.title, s.required_by, [tuple(f) for f in s.fields])
           for name, s in specs.items()}
    try:
        cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        for old in cache_dir.glob("uimeta-*"):
            old.unlink()
        atomic_write(_cache_path(cache_dir), marshal.dumps(raw), 0o600)
    except (OSError, ValueError):
        pass  # only startup speed is lost


def problems_at(found: list, section: str, name: str | None = None) -> list:
    """Problems of one section (name=None: those of the section itself, not of a field), errors
    first."""
    hits = [
        p for p in found
        if p.loc[:1] == (section,) and (p.loc[1:2] == (name,) if name else len(p.loc) == 1)
    ]
    return sorted(hits, key=lambda p: not p.is_error)


# --- what depends on the specs alone ---------------------------------------------------------

def default_table(spec: SectionSpec) -> dict[str, Any]:
    """A section's table as a new file has it: the fields with a default."""
    return {f.name: f.default for f in spec.fields if f.default is not None}


def new_data(specs: Specs) -> dict[str, Any]:
    """A new answer file: every section the wizard shows, with the model's defaults."""
    data: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    for name, spec in specs.items():
        if spec.fields:
            data[name] = default_table(spec)
    return data


def prepare(specs: Specs, data: dict[str, Any]) -> dict[str, Any]:
    """Data read from a file (or a draft), ready for the form: the tables that the selected
    components need are there, with the model's defaults, so that the form shows them."""
    import copy

    out = copy.deepcopy(data)
    out.setdefault("schema_version", SCHEMA_VERSION)
    if not isinstance(out.get("components"), dict):
        out["components"] = default_table(specs["components"])
    selected = components(specs, out)
    for name, spec in specs.items():
        if name in ("components", "msi") or name in out:
            continue
        if section_needed(specs, name, selected):
            out[name] = default_table(spec)
    return out


def components(specs: Specs, data: dict[str, Any]) -> SimpleNamespace:
    """The components selected in `data`: an attribute each, as the model's rules read them."""
    table = data.get("components")
    table = table if isinstance(table, dict) else {}
    return SimpleNamespace(**{f.name: bool(table.get(f.name, f.default))
                              for f in specs["components"].fields})


def skipped(specs: Specs, section: str, data: dict[str, Any]) -> bool:
    """The section is needed only by components that are not selected (the model's own
    `section_needed` decides). Sections that no component or every one needs are never
    skipped: certificate and target are optional for any selection."""
    required_by = specs[section].required_by
    if not required_by or "*" in required_by:
        return False
    return not section_needed(specs, section, components(specs, data))


def page_state(specs: Specs, sections: tuple[str, ...], data: dict[str, Any], found: list,
               started: bool) -> PageState:
    """A page of `sections` as the page list shows it."""
    if all(skipped(specs, s, data) for s in sections):
        return "skipped"
    if not started:
        return "not-started"
    mine = [p for p in found if p.loc[:1] and p.loc[0] in sections]
    state = problems_state(mine, data)
    if state == "errors":
        return state
    empty = any(
        f.required and _empty(data, s, f.name)
        for s in sections if not skipped(specs, s, data) for f in specs[s].fields
    )  # a section the answer file may leave out (the target) is still not complete without it
    return "incomplete" if empty else state


def _empty(data: dict[str, Any], section: str, name: str) -> bool:
    table = data.get(section)
    return not isinstance(table, dict) or table.get(name) in (None, "")


def problems_state(found: list, data: dict[str, Any]) -> PageState:
    """errors: something typed is wrong; incomplete: the only errors are fields (or sections)
    still empty; warnings; complete."""
    errors = [p for p in found if p.is_error]
    if any(len(p.loc) >= 2 and not _empty(data, str(p.loc[0]), str(p.loc[1])) for p in errors):
        return "errors"
    if errors:
        return "incomplete"
    return "warnings" if found else "complete"

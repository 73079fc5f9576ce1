"""What the form needs to draw a field or a page, read from the model's declarations, and kept in
a small cache so that the wizard can paint its first page before the model (pydantic) is
imported; importing it takes longer than all of Textual's startup work for the first frame.

The cache is derived data, like a .pyc: it is keyed by a checksum of the model's source files
and rebuilt from the model when they change. Nothing here imports pydantic or Textual; `build()`
imports the model when it runs. What this module does import is there already when Textual is
(marshal, zlib: no json or hashlib), and its records are named tuples, which cost a tenth of
what frozen dataclasses cost to define: it is on the wizard's path to its first frame."""

from __future__ import annotations

import marshal
import sys
import zlib
from pathlib import Path
from typing import Any, NamedTuple

FORMAT = 2  # 2: marshal, named tuples, crc32 key (1: JSON, dataclasses, sha256)
MODEL_DIR = Path(__file__).resolve().parents[1] / "model"

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


def build() -> Specs:
    """The specs, from the model (imports it)."""
    from tui.model.answers import section_types
    from tui.widgets import formstate

    out: Specs = {}
    for name, model in section_types().items():
        fields = []
        for m in formstate.form_fields(name):
            kind = formstate.field_kind(name, m.name)
            fields.append(FieldSpec(
                section=name, name=m.name, title=m.title, help=m.help,
                example=m.example if isinstance(m.example, str | int | bool) else None,
                msi=tuple(m.msi), secret=m.secret, required=m.required,
                default=formstate.default_value(m), kind=kind,
                choices=tuple(formstate.choices(name, m.name)) if kind == "choice" else (),
            ))
        out[name] = SectionSpec(name, getattr(model, "title", name),
                                tuple(getattr(model, "required_by", ())), tuple(fields))
    return out


def model_key() -> str:
    """A checksum of the model's sources (and of this module, and of the Python that marshals)."""
    crc = zlib.crc32(f"{FORMAT} {sys.version_info[:2]}".encode())
    size = 0
    for path in sorted(MODEL_DIR.glob("*.py")) + [Path(__file__)]:
        data = path.read_bytes()
        crc = zlib.crc32(path.name.encode() + data, crc)
        size += len(data)
    return f"{crc:08x}{size:x}"


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
    return {f.name: f.default for f in spec.fields if f.default is not None}


def new_data(specs: Specs) -> dict[str, Any]:
    """A new answer file: every section the wizard shows, with the model's defaults."""
    data: dict[str, Any] = {"schema_version": 1}
    for name, spec in specs.items():
        if spec.fields:
            data[name] = default_table(spec)
    return data


def components(specs: Specs, data: dict[str, Any]) -> dict[str, bool]:
    table = data.get("components")
    table = table if isinstance(table, dict) else {}
    return {f.name: bool(table.get(f.name, f.default)) for f in specs["components"].fields}


def skipped(specs: Specs, section: str, data: dict[str, Any]) -> bool:
    """The section is needed only by unselected components (the model's `section_needed`; a
    test keeps the two equal). Certificate and target are optional and never skipped."""
    required_by = specs[section].required_by
    if not required_by or "*" in required_by:
        return False
    selected = components(specs, data)
    return not any(selected.get(c, False) for c in required_by)

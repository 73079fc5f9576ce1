"""The form's view of the answer data, without Textual: which widget a field gets, which pages are
skipped, what a page's state is, and every problem of partial data located at its field.

The wizard edits a plain dict (the TOML data as it will be written). Everything here reads the
model's declarations (`Section.fields()`, `section_types()`, `section_needed`) and its rules
(`validate_data`, `checks.check`); nothing about a field is restated.
"""

from __future__ import annotations

import copy
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from tui.model.answers import SCHEMA_VERSION, AnswerFile, section_needed, section_types
from tui.model.components import Components
from tui.model.meta import FieldMeta, Section
from tui.model.problems import Problem
from tui.model.secrets import SecretRef
from tui.model.tomlio import validate_data
from tui.widgets.spec import problems_at, secret_kind  # noqa: F401 - re-exported

Kind = Literal["bool", "choice", "int", "str", "secret", "dict"]
PageState = Literal["not-started", "complete", "errors", "warnings", "skipped"]

def _annotation(section: str, name: str) -> Any:
    return section_types()[section].model_fields[name].annotation


def _strip_optional(ann: Any) -> Any:
    if typing.get_origin(ann) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return ann


def field_kind(section: str, name: str) -> Kind:
    ann = _strip_optional(_annotation(section, name))
    if typing.get_origin(ann) is typing.Annotated:
        ann = typing.get_args(ann)[0]
    if ann is bool:
        return "bool"
    if typing.get_origin(ann) is Literal:
        return "choice"
    if ann is int:
        return "int"
    if ann is SecretRef:
        return "secret"
    if ann is dict or typing.get_origin(ann) is dict:
        return "dict"
    return "str"


def choices(section: str, name: str) -> tuple[str, ...]:
    return typing.get_args(_strip_optional(_annotation(section, name)))


def meta(section: str, name: str) -> FieldMeta:
    return next(m for m in section_types()[section].fields() if m.name == name)


def form_fields(section: str) -> list[FieldMeta]:
    """The fields a page shows: every declared field but free-form tables."""
    return [m for m in section_types()[section].fields() if field_kind(section, m.name) != "dict"]


def default_value(m: FieldMeta) -> Any:
    """The field's default as TOML data, or None when it has none."""
    if isinstance(m.default, SecretRef):
        return m.default.to_toml(False)
    if m.default is None or m.required:
        return None
    return copy.deepcopy(m.default)


def default_table(section: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in form_fields(section):
        value = default_value(m)
        if value is not None:
            out[m.name] = value
    return out


def new_data() -> dict[str, Any]:
    """A new answer file: every section the wizard shows, with the model's defaults."""
    data: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    for name in section_types():
        if name != "msi":
            data[name] = default_table(name)
    return data


def components_of(data: dict[str, Any]) -> Components:
    try:
        return Components.model_validate(data.get("components") or {})
    except ValidationError:
        return Components()


def section_skipped(section: str, data: dict[str, Any]) -> bool:
    """A section that only unselected components need (certificate and target are optional for
    every selection and never skipped)."""
    required_by = section_types()[section].required_by
    if not required_by or "*" in required_by:
        return False
    return not section_needed(section, components_of(data))


def _unfilled_optional(section: str, table: Any) -> bool:
    """An optional section whose required fields are all empty: the user has not filled it."""
    model = section_types()[section]
    if model.required_by or not isinstance(table, dict):
        return False
    required = [m.name for m in model.fields() if m.required]
    return bool(required) and not any(table.get(n) not in (None, "") for n in required)


def effective_data(data: dict[str, Any]) -> dict[str, Any]:
    """What is validated and saved: the data without the sections of skipped pages and without
    optional sections the user has not filled in."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in section_types() and key != "components":
            if section_skipped(key, data) or _unfilled_optional(key, value):
                continue
        out[key] = value
    out.setdefault("schema_version", SCHEMA_VERSION)
    return out


def problems(data: dict[str, Any]) -> list[Problem]:
    """Every problem of (possibly partial) answer data, each at the field it names.

    `validate_data` runs the cross-field rules only when the whole file is valid; while the form
    is being filled in, the other pages are still incomplete, so the cross-field rules are also
    run here over the sections that are valid on their own."""
    eff = effective_data(data)
    loaded = validate_data(eff)
    found = list(loaded.problems)
    if loaded.answers is None:
        found += _partial_cross_field(eff, found)
    return found


def _partial_cross_field(eff: dict[str, Any], known: list[Problem]) -> list[Problem]:
    from tui.model.checks import check

    valid: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    dropped: set[str] = set()
    for name, model in section_types().items():
        if name not in eff:
            continue
        try:
            model.model_validate(eff[name])
        except (ValidationError, TypeError):
            dropped.add(name)
            continue
        valid[name] = eff[name]
    try:
        answers = AnswerFile.model_validate(valid)
    except ValidationError:
        return []
    seen = {(p.loc, p.message) for p in known}
    out = []
    for p in check(answers):
        if len(p.loc) == 1 and (p.loc[0] in dropped or p.loc[0] in eff):
            continue  # "section required": the section is there, its fields say what is missing
        if (p.loc, p.message) not in seen:
            out.append(p)
    return out


def page_state(sections: tuple[str, ...], data: dict[str, Any], found: list[Problem],
               started: bool) -> PageState:
    if all(section_skipped(s, data) for s in sections):
        return "skipped"
    if not started:
        return "not-started"
    mine = [p for p in found if p.loc[:1] and p.loc[0] in sections]
    if any(p.is_error for p in mine):
        return "errors"
    if mine:
        return "warnings"
    return "complete"


@dataclass(frozen=True)
class ShownValue:
    title: str
    text: str


def shown_values(section: str, table: dict[str, Any]) -> list[ShownValue]:
    """A section's values as the Review page lists them; secrets say only how they are kept."""
    out = []
    for m in form_fields(section):
        if m.name not in table:
            continue
        value = table[m.name]
        if m.secret:
            try:
                text = SecretRef.model_validate(value).describe()
            except ValidationError:
                text = "(not valid)"
        elif isinstance(value, bool):
            text = "yes" if value else "no"
        else:
            text = str(value)
        out.append(ShownValue(m.title, text))
    return out


def model_section(section: str) -> type[Section]:
    return section_types()[section]


def section_types_names() -> list[str]:
    return list(section_types())


def plan_text(data: dict[str, Any]) -> str | None:
    """The msiexec command line as `mimsetup plan` prints it (passwords masked), or None while
    the answers are not valid."""
    from tui.model.msi import build_plan

    loaded = validate_data(effective_data(data))
    if loaded.answers is None or loaded.errors:
        return None
    try:
        return build_plan(loaded.answers).command_line()
    except ValueError:
        return None

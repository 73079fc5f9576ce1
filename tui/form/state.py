"""The model's judgement of the form's data, without Textual: what is validated and saved, every
problem of partial data located at its field, the Review page's values and the msiexec plan.

The wizard edits a plain dict (the TOML data as it will be written). Everything here reads the
model's declarations and rules through `tui.model.validation` and the form's specs; nothing
about a field is restated.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from pydantic import ValidationError

from tui.form import spec
from tui.form.build import model_specs
from tui.model.answers import AnswerFile, section_types
from tui.model.problems import Problem
from tui.model.secrets import SecretRef
from tui.model.shape import SCHEMA_VERSION
from tui.model.validation import validate_data


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
    specs = model_specs()
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in specs and key != "components":
            if spec.skipped(specs, key, data) or _unfilled_optional(key, value):
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
    from tui.model.crossfield import cross_field_problems

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
    for p in cross_field_problems(answers):
        if len(p.loc) == 1 and (p.loc[0] in dropped or p.loc[0] in eff):
            continue  # "section required": the section is there, its fields say what is missing
        if (p.loc, p.message) not in seen:
            out.append(p)
    return out


class ShownValue(NamedTuple):
    title: str
    text: str


def shown_values(section: str, table: dict[str, Any]) -> list[ShownValue]:
    """A section's values as the Review page lists them; secrets say only how they are kept."""
    out = []
    for f in model_specs()[section].fields:
        if f.name not in table:
            continue
        value = table[f.name]
        if f.secret:
            try:
                text = SecretRef.model_validate(value).describe()
            except ValidationError:
                text = "(not valid)"
        elif isinstance(value, bool):
            text = "yes" if value else "no"
        else:
            text = str(value)
        out.append(ShownValue(f.title, text))
    return out


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


def place(loc: tuple) -> str | None:
    """Where a problem at `loc` is, in the form's words ("Section › Field", or "Section"); None
    when `loc` names no section."""
    types_ = section_types()
    if not loc or loc[0] not in types_:
        return None
    section = types_[str(loc[0])]
    if len(loc) == 1:
        return section.title
    names = {m.name: m.title for m in section.fields()}
    return f"{section.title} › {names.get(str(loc[1]), str(loc[1]))}"

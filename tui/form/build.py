"""The form's specs, read from the model's declarations (`Section.fields()`, the annotations):
which widget a field gets (its kind), its choices and its default as TOML data. Imports the
model: the wizard calls it once the first frame is out, or on its first start."""

from __future__ import annotations

import copy
import types
import typing
from functools import cache
from typing import Any, Literal

from tui.form.spec import FieldSpec, SectionSpec, Specs
from tui.model.answers import section_types
from tui.model.fieldmeta import FieldMeta
from tui.model.secrets import SecretRef

Kind = Literal["bool", "choice", "int", "str", "secret", "dict"]


def _annotation(section: str, name: str) -> Any:
    ann = section_types()[section].model_fields[name].annotation
    if typing.get_origin(ann) in (typing.Union, types.UnionType):  # Optional[X] is X here
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return ann


def field_kind(section: str, name: str) -> Kind:
    ann = _annotation(section, name)
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


def default_value(m: FieldMeta) -> Any:
    """The field's default as TOML data, or None when it has none."""
    if isinstance(m.default, SecretRef):
        return m.default.to_toml(False)
    if m.default is None or m.required:
        return None
    return copy.deepcopy(m.default)


def build() -> Specs:
    """The specs of every section: its fields but free-form tables (no page shows those)."""
    out: Specs = {}
    for name, model in section_types().items():
        fields = []
        for m in model.fields():
            kind = field_kind(name, m.name)
            if kind == "dict":
                continue
            fields.append(FieldSpec(
                section=name, name=m.name, title=m.title, help=m.help,
                example=m.example if isinstance(m.example, str | int | bool) else None,
                msi=tuple(m.msi), secret=m.secret, required=m.required,
                default=default_value(m), kind=kind,
                choices=typing.get_args(_annotation(name, m.name)) if kind == "choice" else (),
                enabled_by=tuple(m.enabled_by), offer=m.offer,
            ))
        out[name] = SectionSpec(name, getattr(model, "title", name),
                                tuple(getattr(model, "required_by", ())), tuple(fields))
    return out


@cache
def model_specs() -> Specs:
    """The specs, built once per process (the model does not change while it runs)."""
    return build()

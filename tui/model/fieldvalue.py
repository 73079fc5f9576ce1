"""Checking one field's value on its own, with the model's own rules: what a form calls while the
user types."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from tui.model.answers import section_types


@cache
def adapter(section: str, name: str) -> TypeAdapter:
    """The field's own rule, on its own: a TypeAdapter of its annotation and constraints."""
    fi = section_types()[section].model_fields[name]
    if isinstance(fi.annotation, type) and issubclass(fi.annotation, BaseModel):
        return TypeAdapter(fi.annotation)  # its own config hides the input
    # A ValidationError shown anywhere never holds the value: it may be a password.
    config = ConfigDict(hide_input_in_errors=True)
    if not fi.metadata:
        return TypeAdapter(fi.annotation, config=config)
    return TypeAdapter(Annotated[fi.annotation, *fi.metadata], config=config)


def value_problem(section: str, name: str, value: Any) -> str | None:
    """None when `value` is acceptable for `section.name`, else the message to show. Pass None
    for an empty optional field. The value itself never appears for secret fields."""
    try:
        adapter(section, name).validate_python(value)
    except ValidationError as exc:
        err = exc.errors(include_url=False, include_input=False)[0]
        msg = err["msg"].removeprefix("Value error, ")
        return msg[0].upper() + msg[1:] if msg else msg
    return None


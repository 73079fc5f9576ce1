"""A field's declaration as its readers see it (forms, TOML comments, plan, docs, messages).
Pydantic-free, so that the compiled model (twin.py) can carry it too."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldMeta:
    name: str
    title: str
    help: str
    example: Any
    msi: tuple[str, ...]
    feature: str | None
    secret: bool
    required: bool
    default: Any
    # The fields of the same section of which one at least must be on for this one to count;
    # while none is, the installer greys it out (a form disables and clears it).
    enabled_by: tuple[str, ...] = ()
    # "section.field" whose value (its first DNS label) the installer puts in this field when
    # it is empty: a form offers it the same way.
    offer: str | None = None

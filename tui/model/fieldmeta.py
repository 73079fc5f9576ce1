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

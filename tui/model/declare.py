"""How a field is declared, once: title, help, example, MSI properties, secret or not.

Everything else (forms, TOML comments, JSON Schema, the msiexec plan, the README table, import)
reads these declarations back through `info()`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.fields import FieldInfo

from tui.model.fieldmeta import FieldMeta


def field(
    title: str,
    help: str,  # noqa: A002 - the word the model's readers use
    *,
    example: Any = None,
    msi: str | tuple[str, ...] | None = None,
    feature: str | None = None,
    secret: bool = False,
    default: Any = ...,
    enabled_by: tuple[str, ...] = (),
    offer: str | None = None,
    **kwargs: Any,
) -> Any:
    extra: dict[str, Any] = {}
    if enabled_by:
        extra["x-enabled-by"] = list(enabled_by)
    if offer:
        extra["x-offer"] = offer
    if msi:
        extra["x-msi"] = [msi] if isinstance(msi, str) else list(msi)
    if feature:
        extra["x-feature"] = feature
    if secret:
        extra["x-secret"] = True
    return Field(
        default,
        title=title,
        description=help,
        examples=[example] if example is not None else None,
        json_schema_extra=extra or None,
        **kwargs,
    )


def info(name: str, fi: FieldInfo) -> FieldMeta:
    extra = fi.json_schema_extra if isinstance(fi.json_schema_extra, dict) else {}
    return FieldMeta(
        name=name,
        title=fi.title or name,
        help=fi.description or "",
        example=(fi.examples or [None])[0],
        msi=tuple(extra.get("x-msi", ())),
        feature=extra.get("x-feature"),
        secret=bool(extra.get("x-secret")),
        required=fi.is_required(),
        default=None if fi.is_required() else fi.get_default(call_default_factory=True),
        enabled_by=tuple(extra.get("x-enabled-by", ())),
        offer=extra.get("x-offer"),
    )


class Section(BaseModel):
    """A table of the answer file. Unknown keys are refused so a typo never passes silently."""

    # hide_input_in_errors: a ValidationError printed anywhere never shows a password.
    model_config = ConfigDict(extra="forbid", validate_assignment=True, hide_input_in_errors=True)

    @classmethod
    def fields(cls) -> list[FieldMeta]:
        return [info(n, fi) for n, fi in cls.model_fields.items()]

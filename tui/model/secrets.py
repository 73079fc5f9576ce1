"""Passwords in an answer file are references by default: asked when the install runs
(`{ prompt = true }`), read from an environment variable (`{ env = "NAME" }`) or from a file
(`{ file = "path" }`, optionally `key = "NAME"` to pick one entry of a TOML secrets file).
A literal value is kept only when the user asks for it, and never shown."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, SecretStr, model_validator

from tui.model.behaviour import MASK, SecretRefBehaviour, secret_literal, secret_one_source

__all__ = ["MASK", "PROMPT", "SecretRef", "SecretUnavailable", "resolve"]


class SecretRef(SecretRefBehaviour, BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    prompt: bool = False
    env: str | None = None
    file: str | None = None
    key: str | None = None
    value: SecretStr | None = None

    # The rules are pydantic-free functions so that the compiled model runs the same ones.
    _literal = model_validator(mode="before")(staticmethod(secret_literal))
    _one_source = model_validator(mode="after")(secret_one_source)


PROMPT = SecretRef(prompt=True)


class SecretUnavailable(Exception):
    """A secret could not be had without asking, and asking is not allowed."""


def resolve(
    ref: SecretRef,
    what: str,
    *,
    base_dir: Path | None = None,
    ask: Callable[[str], str] | None = None,
) -> SecretStr:
    """The secret itself. `what` names the field for messages; `ask` is None when nobody can
    answer a prompt (--yes, no terminal)."""
    if ref.kind == "value" and ref.value is not None:
        return ref.value
    if ref.kind == "env":
        value = os.environ.get(ref.env or "")
        if value is None:
            raise SecretUnavailable(
                f"{what}: environment variable {ref.env} is not set; export it or change the "
                "reference"
            )
        return SecretStr(value)
    if ref.kind == "file":
        path = Path(ref.file or "")
        if base_dir is not None and not path.is_absolute():
            path = base_dir / path
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise SecretUnavailable(
                f"{what}: cannot read secrets file {path} ({exc.strerror or exc})"
            ) from None
        if not ref.key:
            return SecretStr(text.rstrip("\r\n"))
        try:
            value = tomllib.loads(text).get(ref.key)
        except tomllib.TOMLDecodeError as exc:
            raise SecretUnavailable(
                f"{what}: secrets file {path} is not valid TOML ({exc})"
            ) from None
        if not isinstance(value, str):
            raise SecretUnavailable(f"{what}: secrets file {path} has no string key {ref.key}")
        return SecretStr(value)
    if ask is None:
        raise SecretUnavailable(
            f"{what} is set to be asked at install time, but no one can answer (--yes or no "
            "terminal): give it with { env = \"NAME\" } or { file = \"path\" }"
        )
    return SecretStr(ask(what))

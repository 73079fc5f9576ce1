"""Passwords in an answer file are references by default: asked when the install runs
(`{ prompt = true }`), read from an environment variable (`{ env = "NAME" }`) or from a file
(`{ file = "path" }`, optionally `key = "NAME"` to pick one entry of a TOML secrets file).
A literal value is kept only when the user asks for it, and never shown."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr, model_validator

MASK = "********"


class SecretRef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    prompt: bool = False
    env: str | None = None
    file: str | None = None
    key: str | None = None
    value: SecretStr | None = None

    @model_validator(mode="before")
    @classmethod
    def _literal(cls, data: Any) -> Any:
        # A bare string in the file is a literal password.
        if isinstance(data, str | SecretStr):
            return {"value": data}
        return data

    @model_validator(mode="after")
    def _one_source(self) -> SecretRef:
        sources = [
            n for n in ("prompt", "env", "file", "value") if getattr(self, n) not in (None, False)
        ]
        if len(sources) != 1:
            raise ValueError(
                "a password is one of { prompt = true }, { env = \"NAME\" }, "
                "{ file = \"path\" } or a literal string"
            )
        if self.key and not self.file:
            raise ValueError("'key' goes with 'file'")
        if self.env is not None and not self.env.strip():
            raise ValueError('env needs the name of an environment variable: { env = "NAME" }')
        if self.file is not None and not self.file.strip():
            raise ValueError('file needs a path: { file = "path" }')
        return self

    @property
    def kind(self) -> str:
        if self.prompt:
            return "prompt"
        if self.env is not None:
            return "env"
        if self.file is not None:
            return "file"
        return "value"

    def describe(self) -> str:
        """Where the secret comes from, without revealing it."""
        return {
            "prompt": "asked at install time",
            "env": f"from environment variable {self.env}",
            "file": f"from file {self.file}" + (f" (key {self.key})" if self.key else ""),
            "value": f"{MASK} (in the answer file)",
        }[self.kind]

    def to_toml(self, include_value: bool) -> Any:
        if self.kind == "value":
            return (
                self.value.get_secret_value()  # "" is a value too: SecretStr("") is falsy
                if include_value and self.value is not None
                else None
            )
        data: dict[str, Any] = {self.kind: getattr(self, self.kind)}
        if self.key:
            data["key"] = self.key
        return data


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

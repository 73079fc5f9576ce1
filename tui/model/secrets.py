"""Passwords in an answer file are references by default: asked when the install runs
(`{ prompt = true }`), read from an environment variable (`{ env = "NAME" }`) or from a file
(`{ file = "path" }`, optionally `key = "NAME"` to pick one entry of a TOML secrets file).
A literal value is kept only when the user asks for it, and never shown."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, SecretStr, model_validator

from tui.model.behaviour import MASK, SecretRefBehaviour, secret_literal, secret_one_source
from tui.model.reading import read_limited

__all__ = ["MASK", "PROMPT", "SecretRef", "SecretUnavailable", "named_like_secret", "resolve"]

# A name says "password" when one of its words (split at _ - . spaces and lower-to-upper case
# changes) is one of these, spelt right or not: an unknown MSI property (SQL_PASSWORD,
# SvcPwd) or a misspelt key in an answer file (pasword, passwd) is then handled as a secret.
_SECRET_WORD = re.compile(
    r"""p[a@]s{1,2}(?:w(?:o?r?d|rd|ort)?|phrase)?   # password passwd pasword pass passphrase
      | pw|pwd|secrets?|credentials?|creds?|kennwort|contrase(?:n|ñ)a""",
    re.IGNORECASE | re.VERBOSE,
)
_WORD_SPLIT = re.compile(r"[^A-Za-z0-9ñ@]+|(?<=[a-z])(?=[A-Z])")


def named_like_secret(name: str) -> bool:
    """Whether a key or MSI property name says it holds a password: the one rule for the
    importer (unknown properties) and the drafts (misspelt keys)."""
    words = [w for w in _WORD_SPLIT.split(name) if w]
    if any(_SECRET_WORD.fullmatch(w) for w in words):
        return True
    # Run together (PASSWORDFORSQL, SQLPWD) or in several words (mot_de_passe)
    return bool(re.search(r"(?i)passw|pasw|pwd|passphrase|secret|kennwort|mot\W?_?de\W?_?passe",
                          name))


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
            text = read_limited(path).decode("utf-8-sig")
        except OSError as exc:
            raise SecretUnavailable(
                f"{what}: cannot read secrets file {path} ({exc.strerror or exc})"
            ) from None
        except UnicodeDecodeError:
            raise SecretUnavailable(
                f"{what}: secrets file {path} is not UTF-8 text; save it as UTF-8"
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

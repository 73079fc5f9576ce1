"""What the answer file's classes do beyond holding values: which features are selected, which
MSI properties a section leaves out or writes as several, what a password reference says of
itself, which sections the selected components need.

These are pydantic-free mixins and functions. The pydantic model (answers.py and the section
modules) inherits them, and so do its compiled twins (twin.py), with which `validate` and
`plan` start without loading pydantic's model machinery; one definition serves both.
"""

from __future__ import annotations

from typing import Any

from tui.model import rules
from tui.model.shape import planned, section_needed

MASK = "********"


# --- passwords -------------------------------------------------------------------------------

class SecretStr:
    """pydantic's SecretStr for the compiled model: the same name (validation messages name the
    class) and the same promise: the value is shown only through get_secret_value()."""

    __slots__ = ("_secret_value",)

    def __init__(self, value: str) -> None:
        self._secret_value = value

    def get_secret_value(self) -> str:
        return self._secret_value

    def __repr__(self) -> str:
        return "SecretStr('**********')"

    def __str__(self) -> str:
        return "**********"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretStr) and other._secret_value == self._secret_value

    def __hash__(self) -> int:
        return hash(self._secret_value)

    def __len__(self) -> int:
        return len(self._secret_value)


def secret_literal(data: Any) -> Any:
    """A bare string in the file is a literal password."""
    if isinstance(data, str) or hasattr(data, "get_secret_value"):
        return {"value": data}
    return data


def secret_one_source(ref: Any) -> Any:
    sources = [n for n in ("prompt", "env", "file", "value")
               if getattr(ref, n) not in (None, False)]
    if len(sources) != 1:
        raise ValueError(
            "a password is one of { prompt = true }, { env = \"NAME\" }, "
            "{ file = \"path\" } or a literal string"
        )
    if ref.key and not ref.file:
        raise ValueError("'key' goes with 'file'")
    if ref.env is not None:
        rules.env_name(ref.env)
    if ref.file is not None:
        rules.text(ref.file)
        if not ref.file.strip():
            raise ValueError('file needs a path: { file = "path" }')
    if ref.key is not None:
        rules.text(ref.key)
    return ref


class SecretRefBehaviour:
    # No annotations here: pydantic would take them for fields.

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


# --- sections --------------------------------------------------------------------------------

class ComponentsBehaviour:
    def features(self) -> list[str]:
        return [m.feature for m in self.fields() if m.feature and getattr(self, m.name)]

    def selected(self) -> list[str]:
        return [m.name for m in self.fields() if getattr(self, m.name)]


class CertificateBehaviour:
    def msi_skip(self, name: str) -> bool:
        return (name == "name") != (self.mode == "self-signed")


class ServiceAccountBehaviour:
    def msi_skip(self, name: str) -> bool:
        return (name == "password" and self.managed) or (name == "managed" and not self.managed)

    def toml_skip(self, name: str) -> bool:
        return name == "password" and self.managed and name not in self.model_fields_set


class SsprBehaviour:
    """The Registration and Reset portals: one account field is three properties, and the
    extranet switch is written as the installer spells it. The class says `msi_prefix`."""

    def msi_value(self, name: str) -> list[str] | None:
        if name == "account":
            domain, user = rules.split_account(self.account)
            return [self.account, user, domain]
        if name == "extranet":
            return ["Extranet" if self.extranet else "None"]
        return None

    @classmethod
    def msi_import(cls, name: str, props: dict[str, str]) -> object:
        prefix = cls.msi_prefix
        if name == "account":
            if f"{prefix}_ACCOUNT" in props:
                return props[f"{prefix}_ACCOUNT"]
            user = props.get(f"{prefix}_ACCOUNT_NAME")
            domain = props.get(f"{prefix}_ACCOUNT_DOMAIN")
            return f"{domain}\\{user}" if user and domain else user
        if name == "extranet":
            return props.get(f"IS_{prefix}_EXTRANET", "None").lower() == "extranet"
        return NotImplemented


class TargetBehaviour:
    @property
    def effective_port(self) -> int:
        return self.port or (5986 if self.https else 5985)


# --- the answer file -------------------------------------------------------------------------

class AnswersBehaviour:
    """`section_types()` (section name -> its class, in page order) comes from the class."""

    def section_needed(self, name: str) -> bool:
        return section_needed(self.section_types(), name, self.components)

    def planned(self, name: str) -> bool:
        return planned(self.section_types(), name, self.components)

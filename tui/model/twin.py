"""The answer-file model rebuilt from compiled.json (see compiler.py) with pydantic-core alone.

`validate` and `plan` use it: the same core schema, the same rule functions and behaviour mixins
as the pydantic model, so the same values, problems and plans, without importing pydantic's model
machinery (which costs more than all the rest of those commands). The twin classes answer what
the readers of the model ask (`fields()`, `section_types()`, `model_fields_set`, the mixins'
methods); a test runs both models over the example files, the malformed corpus and generated
data and requires equal results.

When compiled.json is missing or was made from other sources or another pydantic-core, `load()`
returns None and `validation.quick()` gives the pydantic model's validator: slower, never wrong.
"""

from __future__ import annotations

import importlib
import json
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

import pydantic_core

from tui.model.fieldmeta import FieldMeta
from tui.model.fingerprint import fingerprint

ARTIFACT = Path(__file__).with_name("compiled.json")
FORMAT = 1
# What the compiled schema may reference: code that imports no pydantic model machinery.
PURE_MODULES = ("tui.model.rules", "tui.model.behaviour", "builtins")


class CompiledModel:
    """Base of the twin classes. pydantic-core makes their instances as it makes pydantic's:
    it fills `__dict__` and `__pydantic_fields_set__` without calling `__init__`."""

    _fields: ClassVar[tuple[FieldMeta, ...]] = ()

    @classmethod
    def fields(cls) -> list[FieldMeta]:
        return list(cls._fields)

    @property
    def model_fields_set(self) -> set[str]:
        return self.__dict__["__pydantic_fields_set__"]

    def __repr__(self) -> str:
        values = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items()
                           if not k.startswith("__"))
        return f"{type(self).__name__}({values})"


class _Builder:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.classes: dict[str, type] = {}
        for name, entry in raw["models"].items():
            bases = tuple(_resolve(b) for b in entry["bases"])
            attrs = {k: _tuples(v) for k, v in entry["attrs"].items()}
            self.classes[name] = type(name, (*bases, CompiledModel), {
                **attrs, "__module__": __name__, "__qualname__": name})
        for name, entry in raw["models"].items():  # defaults may be instances of any class
            self.classes[name]._fields = tuple(
                FieldMeta(**{**f, "msi": tuple(f["msi"]), "default": self.value(f["default"]),
                             "enabled_by": tuple(f.get("enabled_by", ())),
                             "example": self.value(f["example"])})
                for f in entry["fields"]
            )

    def value(self, node: Any) -> Any:
        if isinstance(node, dict):
            if "$instance" in node:
                obj = object.__new__(self.classes[node["$instance"]])
                obj.__dict__.update({k: self.value(v) for k, v in node["values"].items()})
                obj.__dict__.update(__pydantic_fields_set__=set(node["fields_set"]),
                                    __pydantic_extra__=None, __pydantic_private__=None)
                return obj
            return {k: self.value(v) for k, v in node.items()}
        if isinstance(node, list):
            return [self.value(v) for v in node]
        return node

    def schema(self, node: Any) -> Any:
        if isinstance(node, dict):
            if "$model" in node:
                return self.classes[node["$model"]]
            if "$ref" in node:
                return _resolve(node["$ref"])
            if "$instance" in node:
                return self.value(node)
            if "$new" in node:
                made = node["$new"]
                return lambda: self.value(made)
            return {k: self.schema(v) for k, v in node.items()}
        if isinstance(node, list):
            return [self.schema(v) for v in node]
        return node


def _resolve(ref: str) -> Any:
    module, _, name = ref.partition(":")
    if module not in PURE_MODULES:  # the file names what runs: only these modules
        raise ValueError(f"compiled.json refers to {ref}, outside {PURE_MODULES}")
    obj: Any = importlib.import_module(module)
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def _tuples(value: Any) -> Any:
    """Class attributes are tuples in the model; JSON gave lists."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def build(raw: dict[str, Any]) -> type:
    """The answers class of a compiled model (as compile_model() returns it)."""
    b = _Builder(raw)
    schema = b.schema(raw["schema"])
    validator = pydantic_core.SchemaValidator(schema, schema.get("config"))
    sections = {name: b.classes[model] for name, model in raw["sections"].items()}
    allowed = raw["allowed_keys"]
    answers = b.classes[raw["answers"]]
    answers.model_validate = staticmethod(validator.validate_python)
    answers.section_types = classmethod(lambda cls: dict(sections))
    answers.allowed_keys = classmethod(lambda cls, loc: list(
        allowed.get(".".join(str(p) for p in loc), [])))
    return answers


@cache
def load() -> type | None:
    """The compiled answers class, or None when compiled.json cannot serve (missing, from
    other sources or another pydantic-core): then use the pydantic model."""
    return read(ARTIFACT)


def read(path: Path) -> type | None:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(raw, dict):
        return None
    if (raw.get("format") != FORMAT or raw.get("pydantic_core") != pydantic_core.__version__
            or raw.get("source") != fingerprint()):
        return None
    return build(raw)

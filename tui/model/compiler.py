"""Compile the answer-file model to compiled.json: pydantic-core's schema of `AnswerFile` with
its classes, functions and defaults written as references, plus what the readers of a model need
(each section's fields and class attributes, the keys each table takes).

`twin.py` rebuilds a validator and twin classes from it without pydantic's model machinery,
which `validate` and `plan` would otherwise spend most of their time importing. The JSON is
derived data, like the JSON Schema: a test fails when it is not what this module makes of the
model, and `python -m tui.model.compiler --write` (or `make generated`) rewrites it.

Only pydantic-free code can be referenced: the rules, the behaviour mixins, builtins. A validator
written elsewhere stops the compilation with a message that says where to move it.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import pydantic_core
from pydantic import BaseModel, SecretStr

from tui.model.answers import AnswerFile
from tui.model.fingerprint import fingerprint
from tui.model.twin import ARTIFACT, FORMAT, PURE_MODULES

# pydantic classes the compiled model replaces with a pydantic-free twin of the same name
SUBSTITUTES: dict[Any, str] = {SecretStr: "tui.model.behaviour:SecretStr"}
DROPPED_KEYS = ("metadata", "serialization")  # JSON Schema and dumping: not validation


class CompileError(Exception):
    pass


class _Compiler:
    def __init__(self) -> None:
        self.models: dict[str, dict[str, Any]] = {}
        self.refs: dict[str, str] = {}

    def ref(self, ref: str) -> str:
        """pydantic's refs end in an id(), different in each run: number them instead."""
        if ref not in self.refs:
            self.refs[ref] = f"{ref.split(':')[0]}#{len(self.refs)}"
        return self.refs[ref]

    def schema(self, node: Any, key: str | None = None, where: str = "") -> Any:
        if isinstance(node, dict):
            return {k: self.schema(v, k, f"{where}/{k}") for k, v in node.items()
                    if k not in DROPPED_KEYS}
        if isinstance(node, list | tuple):
            return [self.schema(v, None, f"{where}/{i}") for i, v in enumerate(node)]
        if isinstance(node, str) and key in ("ref", "schema_ref"):
            return self.ref(node)
        if node is None or isinstance(node, str | int | float | bool):
            return node
        if isinstance(node, type) and issubclass(node, BaseModel):
            self.model(node)
            if key == "default_factory":  # Components(), Msi(): a fresh default each time
                return {"$new": self.value(node())}
            return {"$model": node.__name__}
        if isinstance(node, BaseModel):
            return self.value(node)
        if node in SUBSTITUTES:
            return {"$ref": SUBSTITUTES[node]}
        if callable(node):
            return {"$ref": self.pure_ref(node, where)}
        raise CompileError(f"{where}: cannot write {node!r} into the compiled model")

    def value(self, obj: Any) -> Any:
        """A default value: data, or a model instance as its class, fields and fields set."""
        if isinstance(obj, BaseModel):
            self.model(type(obj))
            return {"$instance": type(obj).__name__,
                    "values": {k: self.value(v) for k, v in obj.__dict__.items()},
                    "fields_set": sorted(obj.model_fields_set)}
        if isinstance(obj, dict):
            return {k: self.value(v) for k, v in obj.items()}
        if isinstance(obj, list | tuple):
            return [self.value(v) for v in obj]
        if obj is None or isinstance(obj, str | int | float | bool):
            return obj
        raise CompileError(f"cannot write the default {obj!r} into the compiled model")

    @staticmethod
    def pure_ref(obj: Any, where: str) -> str:
        module, name = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
        if module not in PURE_MODULES or not name or "<" in name:
            raise CompileError(
                f"{where}: {module}.{name} is a validator outside the pydantic-free modules "
                f"({', '.join(PURE_MODULES)}); write the rule there and give it to the model "
                "(AfterValidator(rules.x), model_validator(...)(behaviour.x))"
            )
        return f"{module}:{name}"

    def model(self, cls: type[BaseModel]) -> None:
        name = cls.__name__
        if name in self.models:
            if self.models[name]["qualname"] != cls.__module__ + ":" + cls.__qualname__:
                raise CompileError(f"two model classes are named {name}")
            return
        entry: dict[str, Any] = {"qualname": cls.__module__ + ":" + cls.__qualname__}
        self.models[name] = entry
        entry["bases"] = [self.pure_ref(b, name) for b in cls.__mro__[1:]
                          if b.__module__ in PURE_MODULES and b is not object]
        entry["attrs"] = {k: self.value(getattr(cls, k)) for k in sorted(cls.__class_vars__)}
        fields = getattr(cls, "fields", None)
        entry["fields"] = [
            {**m.__dict__, "msi": list(m.msi), "default": self.value(m.default),
             "example": self.value(m.example)}
            for m in (fields() if fields else [])
        ]


def _allowed_keys() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    todo: list[tuple[str, ...]] = [()]
    while todo:
        loc = todo.pop()
        keys = AnswerFile.allowed_keys(loc)
        if keys:
            out[".".join(loc)] = keys
            todo += [(*loc, k) for k in keys]
    return out


def compile_model() -> dict[str, Any]:
    c = _Compiler()
    schema = c.schema(AnswerFile.__pydantic_core_schema__)
    return {
        "format": FORMAT,
        "pydantic_core": pydantic_core.__version__,
        "source": fingerprint(),
        "answers": AnswerFile.__name__,
        "sections": {name: model.__name__ for name, model in AnswerFile.section_types().items()},
        "allowed_keys": _allowed_keys(),
        "models": c.models,
        "schema": schema,
    }


def compiled_text() -> str:
    return json.dumps(compile_model(), indent=1)  # key order is field order + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Compile the answer-file model to compiled.json.")
    p.add_argument("--write", action="store_true", help=f"rewrite {ARTIFACT}")
    p.add_argument("--check", action="store_true", help="exit 1 when it is out of date")
    args = p.parse_args(argv)
    text = compiled_text()
    current = ARTIFACT.read_text(encoding="utf-8") if ARTIFACT.exists() else ""
    if args.write:
        if text != current:
            from tui.model.atomic import atomic_write

            atomic_write(ARTIFACT, text, 0o644)
        return 0
    if args.check:
        if text != current:
            print(f"{ARTIFACT} is out of date: run `python -m tui.model.compiler --write`",
                  file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The one entry point for checking answers: read a file, parse its TOML (tomlio), validate the
data with the model's field rules and, when those pass, its cross-field rules (crossfield.py), every
problem located (file, line, TOML path, fix).

Two answers classes can do the validating, behind one interface (`Validator`): the pydantic
model (answers.py) and its compiled twin (twin.py), which gives the same results without
loading pydantic's model machinery: `validate` and `plan` start in well under half the time
(tests/bench/bench_cli_startup.py measures both). The choice is made once, where a command
starts: `with validation.using(validation.quick()):` for the commands that only read answers;
everything else validates with the pydantic model, whose classes the engine and the exports
use.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic_core import ValidationError  # pydantic's, without its model machinery

from tui.model import tomlio
from tui.model.fieldmeta import FieldMeta
from tui.model.problems import HasProblems, Problem, unknown_key
from tui.model.shape import SCHEMA_VERSION

if TYPE_CHECKING:
    from tui.model.answers import AnswerFile


@dataclass
class Loaded(HasProblems):
    """What reading an answer file gave: the data as far as it parsed, the model when it is
    valid, and every problem. `unreadable` means the file could not be read as text at all."""

    name: str
    data: dict[str, Any] | None = None
    answers: AnswerFile | None = None
    problems: list[Problem] = field(default_factory=list)
    unreadable: bool = False


class Validator:
    """Reads and checks answer files with one answers class (`answers`): its
    `model_validate`, `section_types()` and `allowed_keys()` are all this uses of it."""

    def __init__(self, answers: type) -> None:
        self.answers = answers

    def section_types(self) -> dict[str, Any]:
        return self.answers.section_types()

    def read_file(self, path: Path | str) -> Loaded:
        return self._loaded(tomlio.read_file(path))

    def load_bytes(self, raw: bytes, name: str = "<answers>") -> Loaded:
        return self._loaded(tomlio.parse_bytes(raw, name))

    def load_text(self, text: str, name: str = "<answers>") -> Loaded:
        return self._loaded(tomlio.parse_text(text, name))

    def _loaded(self, parsed: tomlio.Parsed) -> Loaded:
        if parsed.data is None:
            return Loaded(parsed.name, problems=list(parsed.problems),
                          unreadable=parsed.unreadable)
        return self.validate_data(parsed.data, parsed.name, parsed.text)

    def validate_data(self, data: dict[str, Any], name: str = "<answers>",
                      text: str | None = None) -> Loaded:
        """Validate parsed data: field rules and, when those pass, cross-field rules."""
        from tui.model.crossfield import cross_field_problems

        lines = tomlio.Locator(text) if text is not None else None
        out = Loaded(name, data=data)
        if "schema_version" not in data:
            out.problems.append(Problem(
                ("schema_version",), "is required",
                f"add schema_version = {SCHEMA_VERSION} as the first line"))
            data = {**data, "schema_version": SCHEMA_VERSION}
        # type(): 1.0 and true equal 1 in Python but are not the version number 1
        elif type(data["schema_version"]) is not int or data["schema_version"] != SCHEMA_VERSION:
            out.problems.append(Problem(
                ("schema_version",),
                f"schema_version {data['schema_version']!r} is not one this mimsetup reads",
                f"set schema_version = {SCHEMA_VERSION}"))
            data = {**data, "schema_version": SCHEMA_VERSION}
        try:
            out.answers = self.answers.model_validate(data)
        except ValidationError as exc:
            out.problems.extend(self.problems_from(exc))
        except RecursionError:
            out.problems.append(Problem((), "the file nests too deeply to be an answer file"))
        if out.answers is not None:
            out.problems.extend(cross_field_problems(out.answers))
        out.problems = [
            p.at(name, lines.line(p.loc) if lines else None) for p in out.problems
        ]
        return out

    def _field_meta(self, loc: tuple) -> FieldMeta | None:
        types = self.section_types()
        if len(loc) >= 2 and loc[0] in types:
            for meta in types[loc[0]].fields():
                if meta.name == loc[1]:
                    return meta
        return None

    def problems_from(self, exc: ValidationError) -> list[Problem]:
        """Field-rule errors as problems. The input values are never shown: some are
        passwords."""
        out: list[Problem] = []
        seen: set[tuple] = set()
        for err in exc.errors(include_url=False, include_input=False, include_context=False):
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
            kind, msg = err["type"], err["msg"]
            meta = self._field_meta(loc)
            example = (
                f"for example {loc[-1]} = {tomlio.format_value(meta.example)}"
                if meta and meta.example is not None and not meta.secret
                else ""
            )
            if kind == "extra_forbidden":
                parent, key = loc[:-1], str(loc[-1])
                where = f"[{'.'.join(map(str, parent))}]" if parent else "the top level"
                found = unknown_key(loc, key, self.answers.allowed_keys(parent), where)
                message, fix = found.message, found.fix
            elif kind == "missing":
                message = "is required"
                fix = f"add {example.removeprefix('for example ')}" if example else "add it"
            elif kind in ("value_error", "assertion_error"):
                message = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
                fix = example
            elif kind.endswith("_type") or kind.endswith("_parsing"):
                message = f"has the wrong type: {msg[0].lower() + msg[1:]}"
                fix = example or "see `mimsetup schema`"
            else:
                message = msg[0].lower() + msg[1:]
                fix = example
            key = (loc, message)
            if key not in seen:
                seen.add(key)
                out.append(Problem(loc, message, fix))
        return out


@cache
def pydantic() -> Validator:
    """The pydantic model's validator."""
    from tui.model.answers import AnswerFile

    return Validator(AnswerFile)


@cache
def compiled() -> Validator | None:
    """The compiled model's validator, or None when compiled.json cannot serve (missing, or
    made from other sources or another pydantic-core)."""
    from tui.model import twin

    answers = twin.load()
    return Validator(answers) if answers is not None else None


def quick() -> Validator:
    """The quickest validator to start: the compiled model's when it serves, else pydantic's."""
    return compiled() or pydantic()


_current: ContextVar[Validator | None] = ContextVar("validator", default=None)


@contextlib.contextmanager
def using(validator: Validator) -> Iterator[Validator]:
    """Validate with `validator` inside the block (a command chooses once, where it starts)."""
    token = _current.set(validator)
    try:
        yield validator
    finally:
        _current.reset(token)


def current() -> Validator:
    """The validator in use: the one chosen by `using`, else the pydantic model's."""
    return _current.get() or pydantic()


# The entry points, with the validator in use.

def read_file(path: Path | str) -> Loaded:
    return current().read_file(path)


def load_bytes(raw: bytes, name: str = "<answers>") -> Loaded:
    return current().load_bytes(raw, name)


def load_text(text: str, name: str = "<answers>") -> Loaded:
    return current().load_text(text, name)


def validate_data(data: dict[str, Any], name: str = "<answers>",
                  text: str | None = None) -> Loaded:
    return current().validate_data(data, name, text)


def section_types() -> dict[str, Any]:
    return current().section_types()

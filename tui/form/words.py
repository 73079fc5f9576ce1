"""A problem in the wizard's words. The model words its problems for the answer file (`validate`
prints `Fix: set use_ssl = false`); in the form the admin ticks boxes and types into fields, so
the same fix reads "uncheck Use SSL". Every title and kind comes from the field's declaration in
the model (the form's specs): nothing about a field is restated here, and the TOML wording stays
what `validate` prints.

What is rewritten: `name = value` (a field of the problem's section, or `section.name`), the verb
before it (set, add, write), and a `section.name` or a field name with an underscore standing alone
("change registration_portal.port", "use_ssl is on"). Other words are left as they are."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tui.form.spec import SECRET_KINDS, FieldSpec, Specs

if TYPE_CHECKING:
    from tui.model.problems import Problem

# a TOML value as the model's fixes write it: "text", 'text', true/false, a number, { … }
_VALUE = r'"[^"]*"|\'[^\']*\'|true|false|-?\d+|\{[^}]*\}'
_ASSIGN = re.compile(
    rf"(?:\b(?P<verb>set|add|write)\s+)?(?P<name>[a-z_]+(?:\.[a-z_]+)?)\s*=\s*(?P<value>{_VALUE})"
)
_NAME = re.compile(
    r"(?<![\w.\[/:\\@-])(?P<name>[a-z]+(?:_[a-z]+)+|[a-z_]+\.[a-z_]+)(?![\w\]/:-]|\.\w)")
_TABLE = re.compile(r"\badd an? \[(?P<section>[a-z_]+)\] table(?: with [^.;]*)?")


def _field(specs: Specs, section: str, name: str) -> FieldSpec | None:
    if "." in name:
        section, name = name.split(".", 1)
    spec = specs.get(section)
    return next((f for f in spec.fields if f.name == name), None) if spec else None


def _where(specs: Specs, own: str, f: FieldSpec) -> str:
    """The field's title, with its page when it is on another one."""
    if f.section == own:
        return f.title
    return f"{f.title} on the {specs[f.section].title} page"


def _toml_value(text: str) -> object:
    if text in ("true", "false"):
        return text == "true"
    if text[:1] in "\"'":
        return text[1:-1]
    if text.startswith("{"):
        return {"prompt": True} if "prompt" in text else {}
    return int(text)


def _phrase(specs: Specs, own: str, f: FieldSpec, verb: str | None, value: object) -> str:
    where = _where(specs, own, f)
    if f.kind == "bool" or isinstance(value, bool):
        return f"{'check' if value else 'uncheck'} {where}"
    if f.kind == "secret":
        how = dict(SECRET_KINDS)["prompt" if value == {"prompt": True} else "value"]
        return f"choose \"{how}\" for {where}"
    if f.kind == "choice":
        return f"choose {value} in {where}"
    if verb == "add":  # a missing field: the value is the model's example
        return f"fill in {where} (e.g. {value})"
    return f"type {value} in {where}"


def in_form_words(text: str, section: str, specs: Specs) -> str:
    """`text` (a problem's message or fix) with answer-file names in the form's words."""
    if not text:
        return text

    def assign(m: re.Match) -> str:
        f = _field(specs, section, m["name"])
        if f is None:
            return m[0]
        return _phrase(specs, section, f, m["verb"], _toml_value(m["value"]))

    def table(m: re.Match) -> str:
        spec = specs.get(m["section"])
        return f"fill in the {spec.title} page" if spec else m[0]

    def name(m: re.Match) -> str:
        f = _field(specs, section, m["name"])
        return _where(specs, section, f) if f else m[0]

    text = _TABLE.sub(table, text)
    text = _ASSIGN.sub(assign, text)
    text = re.sub(r"\bfor example (?=type |fill in |check |uncheck |choose )", "for example, ",
                  text)
    return _NAME.sub(name, text)


def sentence(text: str) -> str:
    """`text` as the start of a sentence: a capital, unless it starts with a value (a URL, a
    path, a name as typed: "http://…" never becomes "Http://…")."""
    first = text.split(" ", 1)[0]
    if not first or not first[0].islower() or any(c in first for c in ":/\\@.'\"_$"):
        return text
    return text[0].upper() + text[1:]


def problem_words(p: Problem, specs: Specs) -> str:
    """A problem's message and fix as the form shows them: "Message. Fix: what to do"."""
    section = str(p.loc[0]) if p.loc else ""
    msg = sentence(in_form_words(p.message, section, specs))
    fix = in_form_words(p.fix, section, specs)
    return f"{msg}. Fix: {fix}" if fix else msg

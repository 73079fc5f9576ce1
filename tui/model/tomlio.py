"""Answer files as TOML text: reading it, with every syntax problem located (file, line, fix),
and writing it, with each field's help and MSI property as comments. What the data means is
the model's business: `tui.model.validation` checks it."""

from __future__ import annotations

import re
import textwrap
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from tui.model.behaviour import SecretRefBehaviour
from tui.model.fieldmeta import FieldMeta
from tui.model.problems import Problem
from tui.model.reading import MAX_BYTES, ReadRefused, read_limited
from tui.model.shape import SCHEMA_VERSION

if TYPE_CHECKING:
    from tui.model.answers import AnswerFile

SCHEMA_NAME = "mimsetup.schema.json"
SECRETS_HEADER = (
    "# This file holds passwords in clear text: keep it private (saved with mode 0600)."
)


class Parsed(NamedTuple):
    """A file's TOML data (None when it did not parse), its text, and why it did not parse.
    `unreadable`: the file could not be read as text at all."""

    name: str
    data: dict[str, Any] | None = None
    text: str | None = None
    problems: tuple[Problem, ...] = ()
    unreadable: bool = False


def read_file(path: Path | str) -> Parsed:
    path = Path(path)
    name = str(path)
    try:
        raw = read_limited(path, MAX_BYTES)
    except FileNotFoundError:
        return _unreadable(name, "does not exist", "check the path")
    except ReadRefused as exc:
        return _unreadable(name, str(exc.strerror), "give the path of the .toml answer file")
    except OSError as exc:
        if path.is_dir():
            return _unreadable(name, "is a directory, not an answer file", "give a .toml file")
        return _unreadable(name, f"cannot be read ({exc.strerror or exc})", "check permissions")
    return parse_bytes(raw, name)


def _unreadable(name: str, message: str, fix: str, line: int | None = None) -> Parsed:
    return Parsed(name, problems=(Problem((), message, fix, file=name, line=line),),
                  unreadable=True)


def parse_bytes(raw: bytes, name: str = "<answers>") -> Parsed:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _unreadable(
            name,
            "is UTF-16 text (as PowerShell 5's Out-File writes it)",
            "save it as UTF-8, e.g. Get-Content f.toml | Set-Content -Encoding utf8 f.toml",
        )
    if b"\x00" in raw:
        return _unreadable(name, "is a binary file, not TOML text", "give the .toml answer file")
    if raw.startswith(b"\xef\xbb\xbf"):  # Notepad's BOM is harmless
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return _unreadable(
            name,
            f"is not UTF-8 (byte 0x{raw[exc.start]:02x} at line {line})",
            "save the file as UTF-8",
            line,
        )
    return parse_text(text, name)


_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


def parse_text(text: str, name: str = "<answers>") -> Parsed:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _TOML_POS.search(msg)
        line = int(m.group(1)) if m else None
        msg = _TOML_POS.sub("", msg).strip().rstrip(".")
        fix = "correct the TOML syntax at that line"
        if "escape" in msg.lower():  # "Unescaped '\\'": not "Illegal character '\\n'"
            fix = "write Windows paths in single quotes ('C:\\Install\\x.msi') or double each \\"
        return Parsed(name, problems=(Problem((), f"TOML syntax: {msg}", fix, file=name,
                                              line=line),))
    except RecursionError:
        return Parsed(name, problems=(Problem((), "the file nests too deeply to be an answer "
                                              "file", "check that this is the right file",
                                              file=name),))
    return Parsed(name, data, text)


class Locator:
    """Line numbers of TOML keys and tables, for messages; tomllib gives none."""

    _HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    _PART = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
    _KEY = re.compile(rf"^\s*({_PART}(?:\s*\.\s*{_PART})*)\s*=")

    def __init__(self, text: str) -> None:
        self.lines: dict[tuple[str, ...], int] = {}
        table: tuple[str, ...] = ()
        for number, line in enumerate(text.splitlines(), 1):
            if m := self._HEADER.match(line):
                table = self._split(m.group(1))
                self.lines.setdefault(table, number)
            elif m := self._KEY.match(line):
                self.lines.setdefault(table + self._split(m.group(1)), number)

    @staticmethod
    def _split(dotted: str) -> tuple[str, ...]:
        parts = re.findall(r"""[^."']+|"[^"]*"|'[^']*'""", dotted)
        return tuple(p.strip().strip("\"'") for p in parts if p.strip())

    def line(self, loc: tuple) -> int | None:
        parts = tuple(str(p) for p in loc)
        while parts:
            if parts in self.lines:
                return self.lines[parts]
            parts = parts[:-1]
        return None


# --- writing -------------------------------------------------------------------------------

def format_value(value: Any) -> str:
    import tomli_w  # writing only: `validate` and `plan` never load it

    if isinstance(value, str) and "\\" in value and "'" not in value and value.isprintable():
        return f"'{value}'"  # literal string: Windows paths stay readable
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {format_value(v)}" for k, v in value.items()) + " }"
    return tomli_w.dumps({"v": value}).strip()[4:]


def _key(name: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_-]+", name):
        return name
    import tomli_w

    return tomli_w.dumps({name: 0}).split(" =")[0]


def _comment(meta: FieldMeta) -> list[str]:
    text = meta.title + (f": {meta.help}" if meta.help else "")
    if meta.msi:
        text += f" [MSI: {', '.join(meta.msi)}]"
    return ["# " + line for line in textwrap.wrap(text, 96)]


def to_data(a: AnswerFile, include_secrets: bool = False) -> dict[str, Any]:
    """The answer file as TOML data. A literal password is kept only with include_secrets;
    otherwise it becomes { prompt = true }."""
    from tui.model.secrets import PROMPT

    data: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    for name in a.section_types():
        section = getattr(a, name)
        if section is None:
            continue
        table: dict[str, Any] = {}
        for meta in section.fields():
            value = getattr(section, meta.name)
            if value is None or getattr(section, "toml_skip", lambda _n: False)(meta.name):
                continue
            if isinstance(value, SecretRefBehaviour):
                value = value.to_toml(include_secrets)
                if value is None:
                    value = PROMPT.to_toml(False)
            elif ref_table(meta):  # msi.secret_properties
                value = {k: ref.to_toml(include_secrets) or PROMPT.to_toml(False)
                         for k, ref in value.items()}
            if value in ({}, []) and meta.name in (
                    "extra_properties", "secret_properties", "package_defaults"):
                continue
            table[meta.name] = value
        if table or name != "msi":
            data[name] = table
    return data


def ref_table(meta: FieldMeta) -> bool:
    """A table of password references (msi.secret_properties), not one reference."""
    return meta.secret and isinstance(meta.default, dict)


def _literal(value: Any) -> bool:
    """A password written in the file itself: "…" or { value = "…" }."""
    return isinstance(value, str) or isinstance(value, dict) and isinstance(value.get("value"), str)


def has_literal_secrets(data: dict[str, Any]) -> bool:
    """Whether `data` keeps a password in clear: a bare string or `{ value = "…" }` (the model
    accepts both), in a password field or in msi.secret_properties."""
    from tui.model.answers import section_types

    types = section_types()
    for name, table in data.items():
        if name in types and isinstance(table, dict):
            for meta in types[name].fields():
                value = table.get(meta.name)
                if not meta.secret:
                    continue
                if ref_table(meta):
                    if isinstance(value, dict) and any(_literal(v) for v in value.values()):
                        return True
                elif _literal(value):
                    return True
    return False


def dump_data(data: dict[str, Any]) -> str:
    """TOML text for answer data, commented from the model. Keys the model does not know are
    kept at the end of their table, so that nothing the user wrote is lost."""
    out: list[str] = []
    if has_literal_secrets(data):
        out.append(SECRETS_HEADER)
    out += [
        f"#:schema {SCHEMA_NAME}",
        "# mimsetup answer file for MIM 2016 Service and Portal.",
        "# Check it with `mimsetup validate FILE`; see the msiexec command with "
        "`mimsetup plan FILE`.",
        "",
        f"schema_version = {format_value(data.get('schema_version', SCHEMA_VERSION))}",
    ]
    from tui.model.answers import section_types

    types = section_types()
    for key, value in data.items():
        if key != "schema_version" and key not in types:
            out.append(f"{_key(key)} = {format_value(value)}")
    for name, model in types.items():
        table = data.get(name)
        if not isinstance(table, dict):
            continue
        out += ["", f"# {model.title}" if hasattr(model, "title") else f"# {name}", f"[{name}]"]
        subtables: list[tuple[str, dict]] = []
        known = {m.name: m for m in model.fields()}
        for meta in model.fields():
            if meta.name not in table:
                continue
            value = table[meta.name]
            if isinstance(value, dict) and (not meta.secret or ref_table(meta)):
                subtables.append((meta.name, value))
                continue
            out += [*_comment(meta), f"{meta.name} = {format_value(value)}"]
        for k, v in table.items():
            if k not in known:
                out.append(f"{_key(k)} = {format_value(v)}")
        for sub, value in subtables:
            out += ["", *_comment(known[sub]), f"[{name}.{sub}]"]
            out += [f"{_key(k)} = {format_value(v)}" for k, v in value.items()]
    return "\n".join(out) + "\n"


def dump(a: AnswerFile, include_secrets: bool = False) -> str:
    return dump_data(to_data(a, include_secrets))


def save(a: AnswerFile, path: Path | str, include_secrets: bool = False) -> Path:
    from tui.model.atomic import atomic_write  # writing only: tempfile costs reading start-up

    return atomic_write(path, dump(a, include_secrets), 0o600)

"""`mimsetup import`: an existing silent-install command line becomes an answer file. Nothing is
lost: properties without a field go to [msi.extra_properties], passwords to a secrets file."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, get_args

from tui.model.answers import SCHEMA_VERSION, planned, section_types
from tui.model.components import Components

_MSIEXEC = re.compile(r"(?i)(?:^|[\s&\"'(])(?:[\w:\\. -]*\\)?msiexec(?:\.exe)?\"?(?=\s|$)")
_ARGLIST = re.compile(r"(?i)-ArgumentList\s+")
# What separates arguments on a Windows command line: not U+00A0 or U+3000, which
# str.isspace() counts and a value may hold unquoted.
_BLANKS = " \t\r\n"
_ARG_LINE = re.compile(r"^[ \t]+(?:[A-Za-z_][A-Za-z0-9_.]*=|/[A-Za-z])")
_END = re.compile(r"\s[|;&]{1,2}\s|\s-Wait\b|\s-NoNewWindow\b|\s-PassThru\b")


class ImportProblem(Exception):
    """The input holds no msiexec command line mimsetup can read."""


@dataclass
class Imported:
    data: dict[str, Any]
    secrets: dict[str, str] = field(default_factory=dict)  # MSI property -> password
    notes: list[str] = field(default_factory=list)


def split_msiexec(text: str) -> list[str]:
    """msiexec's own tokenising: whitespace separates, double quotes group, "" inside quotes is
    a quote. PROP="a b" stays one token."""
    tokens: list[str] = []
    cur: list[str] = []
    quoted = False
    started = False
    i = 0
    while i < len(text):
        c = text[i]
        if c == '"':
            if quoted and text[i + 1 : i + 2] == '"':
                cur.append('"')
                i += 2
                continue
            quoted = not quoted
            started = True
        elif c in _BLANKS and not quoted:
            if started or cur:
                tokens.append("".join(cur))
            cur, started = [], False
        else:
            cur.append(c)
            started = True
        i += 1
    if quoted:
        raise ImportProblem("a double quote is not closed")
    if started or cur:
        tokens.append("".join(cur))
    return tokens


_PS_ESCAPES = {"n": "\n", "t": "\t", "0": ""}


def _ps_strings(text: str) -> list[str]:
    """The string literals of a PowerShell -ArgumentList value ('..', "..", or a list)."""
    out = []
    for m in re.finditer(r"'((?:[^']|'')*)'|\"((?:[^\"`]|`.|\"\")*)\"", text):
        if m.group(1) is not None:
            out.append(m.group(1).replace("''", "'"))
        else:
            s = m.group(2).replace('""', '"')
            out.append(re.sub(r"`(.)", lambda g: _PS_ESCAPES.get(g.group(1), g.group(1)), s))
        if not re.match(r"\s*,", text[m.end():]):
            break
    return out


def extract_command(text: str) -> str:
    """The msiexec arguments in a .cmd/.bat/.ps1 text or a bare command line."""
    text = re.sub(r"\^\r?\n", " ", text)  # cmd line continuation
    text = re.sub(r"`\r?\n", " ", text)  # PowerShell line continuation
    lines = text.splitlines()
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(("#", "::", "REM ", "rem ")):
            continue
        m = _MSIEXEC.search(line)
        if not m:
            continue
        for more in lines[index + 1 :]:  # wrapped over indented lines, as documents print it
            if not _ARG_LINE.match(more):
                break
            line += " " + more.strip()
        rest = line[m.end():]
        if a := _ARGLIST.search(rest):
            return " ".join(_ps_strings(rest[a.end():]))
        for end in _END.finditer(rest):  # the command ends there unless inside "..."
            if rest.count('"', 0, end.start()) % 2 == 0:
                return rest[: end.start()]
        return rest
    if re.search(r"(?i)(^|\s)/(i|package)\s", text) or re.search(r"\b[A-Z_]+=", text):
        return text.strip()
    raise ImportProblem("no msiexec command line was found")


def parse_arguments(args: str) -> tuple[dict[str, str], dict[str, str]]:
    """(options, properties) of msiexec arguments."""
    tokens = split_msiexec(args)
    options: dict[str, str] = {}
    props: dict[str, str] = {}
    i = 0
    while i < len(tokens):
        t = tokens[i]
        low = t.lower()
        if low.startswith(("/", "-")) and "=" not in t:
            name = low[1:]
            if name in ("i", "package", "a", "x", "f") or name.startswith("l"):
                if i + 1 >= len(tokens):
                    raise ImportProblem(f"{t} needs a file after it")
                options["package" if name in ("i", "package") else name] = tokens[i + 1]
                i += 2
                continue
            options[name] = ""
        elif "=" in t:
            key, _, value = t.partition("=")
            props[key.upper()] = value
        elif "package" not in options and t.lower().endswith(".msi"):
            options["package"] = t
        i += 1
    return options, props


def _wants_int(annotation: Any) -> bool:
    """Whether a field holds a number (a port), not text that may be all digits (a thumbprint,
    whose annotation merely mentions rules.thumbprint)."""
    return annotation is int or any(_wants_int(a) for a in get_args(annotation))


def _field_index() -> dict[str, tuple[str, str]]:
    out = {}
    for section, model in section_types().items():
        for meta in model.fields():
            for prop in meta.msi:
                out[prop] = (section, meta.name)
    return out


def from_command_line(text: str) -> Imported:
    options, props = parse_arguments(extract_command(text))
    if not props and "package" not in options:
        raise ImportProblem("no msiexec command line was found")
    types = section_types()
    index = _field_index()
    result = Imported({"schema_version": SCHEMA_VERSION})
    data = result.data
    if "ADDLOCAL" in props:
        data["components"] = _components(props.pop("ADDLOCAL"), props.pop("REMOVE", ""))
    components = Components.model_validate(data.get("components", {}))
    consumed: set[str] = set()
    for prop, (section, name) in index.items():
        if prop not in props or prop in consumed:
            continue
        if not planned(section, components):
            continue  # e.g. REGISTRATION_* without RegistrationPortal: kept as an extra property
        model = types[section]
        meta = next(m for m in model.fields() if m.name == name)
        custom = getattr(model, "msi_import", None)
        value: Any = custom(name, props) if custom else NotImplemented
        if value is NotImplemented:
            value = props[prop]
        if meta.secret:
            result.secrets[prop] = props[prop]
            value = {"file": "", "key": prop}  # the file name is known when it is written
        elif isinstance(meta.default, bool) and value in ("0", "1"):
            value = value == "1"
        elif isinstance(value, str) and value.isdigit() and _wants_int(
            model.model_fields[name].annotation
        ):
            value = int(value)
        data.setdefault(section, {})[name] = value
        consumed.update(meta.msi)
    if "certificate" in data and "thumbprint" in data["certificate"]:
        data["certificate"]["mode"] = "existing"
    if "package" in options:
        data.setdefault("install", {})["msi_path"] = options["package"]
    for opt, value in options.items():
        if opt.startswith("l") and opt != "package":
            data.setdefault("install", {})["log_path"] = value
    from tui.model.msi import FIXED_PROPERTIES

    fixed = dict(FIXED_PROPERTIES)
    for section, model in types.items():
        if section in data and planned(section, components):  # the plan passes them again
            fixed.update(dict(getattr(model, "fixed_properties", ())))
    extra = {
        k: v for k, v in props.items()
        if k not in consumed and not (k in fixed and fixed[k] == v)
    }
    if extra:
        data.setdefault("msi", {})["extra_properties"] = extra
    for prop in sorted(set(props) & set(fixed)):
        if fixed[prop] != props[prop]:
            result.notes.append(f"{prop}={props[prop]} kept in [msi.extra_properties]")
    return result


def _components(addlocal: str, remove: str) -> dict[str, bool]:
    features = {f.strip() for f in addlocal.split(",") if f.strip()}
    removed = {f.strip() for f in remove.split(",") if f.strip()}
    everything = "ALL" in {f.upper() for f in features}
    return {
        m.name: (everything or m.feature in features) and m.feature not in removed
        for m in Components.fields()
        if m.feature
    }


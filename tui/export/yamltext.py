"""A small YAML writer for plain data (dict, list, str, int, float, bool, None), so that the
product does not need PyYAML to write an Ansible project.

Strings are written double-quoted with JSON's escapes, which YAML reads the same way, except for
the characters YAML would not take literally in a quoted scalar (C1 controls, NEL and the Unicode
line separators, which YAML 1.1 folds); those are written as escapes. Multi-line strings are
written as literal blocks, readable in a diff. A string holding Jinja markers ({{ {% {#) is tagged
`!unsafe` so that Ansible takes it as data, unless it is a `Template`, which Ansible is meant to
evaluate.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
# Words YAML 1.1 reads as booleans or null: never written as a plain key.
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}
# Everything YAML may not hold raw in a double-quoted scalar (PyYAML's printable set, minus NEL
# and the Unicode line/paragraph separators, which are line breaks to YAML 1.1).
_NOT_RAW = re.compile("[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
                      "\U00010000-\U0010ffff]")
_JINJA = re.compile(r"\{[{%#]")


class Template(str):
    """A string Ansible should evaluate (it holds Jinja on purpose): never tagged !unsafe."""

    __slots__ = ()


def _escape(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def quoted(text: str) -> str:
    """`text` as a YAML double-quoted scalar."""
    body = json.dumps(text, ensure_ascii=False)
    return _NOT_RAW.sub(lambda m: _escape(m.group(0)), body)


def _block(text: str, indent: int) -> list[str] | None:
    """A literal block scalar (`|`), or None when the string cannot be one faithfully."""
    if "\n" not in text or "\r" in text or _NOT_RAW.search(text.replace("\t", "")):
        return None
    lines = text.split("\n")
    if text.endswith("\n\n") or text.strip("\n") == "" or lines[0].startswith((" ", "\t")):
        return None
    if any(line != line.rstrip(" \t") for line in lines):  # trailing blanks hide in a block
        return None
    chomp = "" if text.endswith("\n") else "-"
    if chomp == "":
        lines = lines[:-1]
    pad = " " * indent
    return [f"|{chomp}"] + [pad + line if line else "" for line in lines]


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    if isinstance(value, str):
        tag = "!unsafe " if _JINJA.search(value) and not isinstance(value, Template) else ""
        return tag + quoted(str(value))
    raise TypeError(f"cannot write {type(value).__name__} as YAML")


def _key(key: Any) -> str:
    if not isinstance(key, str):
        raise TypeError("YAML keys here are strings")
    if _PLAIN_KEY.fullmatch(key) and key.lower() not in _RESERVED:
        return key
    return quoted(key)


def _is_block(value: Any) -> bool:
    return isinstance(value, dict | list) and bool(value)


def _inline(value: Any, indent: int) -> list[str]:
    """A value after `key:` or `- `: its first line's tail, then its further lines."""
    if isinstance(value, dict) and not value:
        return ["{}"]
    if isinstance(value, list) and not value:
        return ["[]"]
    if isinstance(value, str):
        tag = "!unsafe " if _JINJA.search(value) and not isinstance(value, Template) else ""
        block = _block(value, indent)
        if block is not None:
            return [tag + block[0], *block[1:]]
    return [scalar(value)]


def _lines(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    out: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if _is_block(v):
                out.append(f"{pad}{_key(k)}:")
                out += _lines(v, indent + 2)
            else:
                first, *rest = _inline(v, indent + 2)
                out.append(f"{pad}{_key(k)}: {first}")
                out += rest
        return out
    if isinstance(value, list):
        for item in value:
            if _is_block(item):
                inner = _lines(item, indent + 2)
                out.append(f"{pad}- {inner[0][indent + 2:]}")
                out += inner[1:]
            else:
                first, *rest = _inline(item, indent + 2)
                out.append(f"{pad}- {first}")
                out += rest
        return out
    first, *rest = _inline(value, indent + 2)
    return [pad + first, *rest]


def dumps(data: Any, comment: str = "") -> str:
    """A YAML document for `data`, with `comment` as `#` lines at the top."""
    head = [f"# {line}".rstrip() for line in comment.splitlines()] if comment else []
    if not _is_block(data):
        return "\n".join([*head, "---", *_inline(data, 2)]) + "\n"
    return "\n".join([*head, "---", *_lines(data, 0)]) + "\n"

"""A small YAML writer for plain data (dict, list, str, int, float, bool, None), so that the
product does not need PyYAML to write an Ansible project.

Strings are written double-quoted with JSON's escapes, which YAML reads the same way, except for
the characters YAML would not take literally in a quoted scalar (C1 controls, NEL and the Unicode
line separators, which YAML 1.1 folds); those are written as escapes. Multi-line strings are
written as literal blocks, readable in a diff.

Ansible templates every string it reads from a vars file. A string holding Jinja markers ({{ {%
{#) is tagged `!unsafe`, Ansible's mark for data that is never templated, unless it is a
`Template`, which Ansible is meant to evaluate. `dumps(..., untrusted=True)` tags every string
that is not a `Template` and could hold any template syntax at all: what comes from an answer
file is data, whatever it holds. Only strings of letters, digits, space and `.:+-_~` stay
untagged: they cannot hold a delimiter, and Ansible reads an !unsafe scalar's type as if it were
unquoted (`!unsafe "13.0"` is a float to it, `!unsafe ""` is null), so tagging them would change
the data.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from tui.model.printable import visible

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
# Words YAML 1.1 reads as booleans or null: never written as a plain key.
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}
# Everything YAML may not hold raw in a double-quoted scalar (PyYAML's printable set, minus NEL
# and the Unicode line/paragraph separators, which are line breaks to YAML 1.1).
_NOT_RAW = re.compile("[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
                      "\U00010000-\U0010ffff]")
_JINJA = re.compile(r"\{[{%#]")
_INERT = re.compile(r"[0-9A-Za-z_.:+~ -]*")  # no template delimiter can be written with these


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


def _tag(value: str, untrusted: bool) -> str:
    if isinstance(value, Template):
        return ""
    if untrusted:
        return "" if _INERT.fullmatch(value) else "!unsafe "
    return "!unsafe " if _JINJA.search(value) else ""


def scalar(value: Any, untrusted: bool = False) -> str:
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
        return _tag(value, untrusted) + quoted(str(value))
    raise TypeError(f"cannot write {type(value).__name__} as YAML")


def _key(key: Any) -> str:
    if not isinstance(key, str):
        raise TypeError("YAML keys here are strings")
    if _PLAIN_KEY.fullmatch(key) and key.lower() not in _RESERVED:
        return key
    return quoted(key)


def _is_block(value: Any) -> bool:
    return isinstance(value, dict | list) and bool(value)


def _inline(value: Any, indent: int, untrusted: bool) -> list[str]:
    """A value after `key:` or `- `: its first line's tail, then its further lines."""
    if isinstance(value, dict) and not value:
        return ["{}"]
    if isinstance(value, list) and not value:
        return ["[]"]
    if isinstance(value, str):
        block = _block(value, indent)
        if block is not None:
            return [_tag(value, untrusted) + block[0], *block[1:]]
    return [scalar(value, untrusted)]


def _lines(value: Any, indent: int, untrusted: bool) -> list[str]:
    pad = " " * indent
    out: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if _is_block(v):
                out.append(f"{pad}{_key(k)}:")
                out += _lines(v, indent + 2, untrusted)
            else:
                first, *rest = _inline(v, indent + 2, untrusted)
                out.append(f"{pad}{_key(k)}: {first}")
                out += rest
        return out
    if isinstance(value, list):
        for item in value:
            if _is_block(item):
                inner = _lines(item, indent + 2, untrusted)
                out.append(f"{pad}- {inner[0][indent + 2:]}")
                out += inner[1:]
            else:
                first, *rest = _inline(item, indent + 2, untrusted)
                out.append(f"{pad}- {first}")
                out += rest
        return out
    first, *rest = _inline(value, indent + 2, untrusted)
    return [pad + first, *rest]


def comment_lines(comment: str) -> list[str]:
    """`comment` as `#` lines; a character that is not printable (a line break YAML knows and
    splitlines() does not, an escape sequence) is written as an escape, never raw."""
    return [f"# {visible(line)}".rstrip() for line in comment.splitlines()]


def dumps(data: Any, comment: str = "", *, untrusted: bool = False) -> str:
    """A YAML document for `data`, with `comment` as `#` lines at the top. `untrusted`: every
    string that is not a `Template` is tagged !unsafe."""
    head = comment_lines(comment) if comment else []
    if not _is_block(data):
        return "\n".join([*head, "---", *_inline(data, 2, untrusted)]) + "\n"
    return "\n".join([*head, "---", *_lines(data, 0, untrusted)]) + "\n"

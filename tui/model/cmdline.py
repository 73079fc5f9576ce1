"""Recognising an msiexec command line in a .cmd/.bat/.ps1 text or a bare line, and msiexec's
own tokenising of its arguments.

Every step is linear in the length of the text: a pasted line can be megabytes (a base64 blob in
a property, a script flattened to one line), and a pattern that retries from every blank (the
old `[\\w:\\\\. -]*\\\\` before "msiexec") took 48 s on 200 KB. The regular expressions here have no
nested or adjacent unbounded repetitions that can overlap, and each forward or backward walk
stops at a blank, so a character is looked at a bounded number of times. `Scan.steps` counts the
characters the hand-written walks visit, so a test can check that bound without timing anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# What separates arguments on a Windows command line: not U+00A0 or U+3000, which
# str.isspace() counts and a value may hold unquoted.
BLANKS = " \t\r\n"
# A token: runs of plain characters and "quoted" parts; an unclosed quote runs to the end.
# Possessive (++ *+): a run once read is never given back, so the engine keeps no backtracking
# stack (the closing quote or the end always follows what the loop stops at).
_TOKEN = re.compile(r'(?:[^ \t\r\n"]++|"(?:[^"]++|"")*+(?:"|\Z))++')
_QUOTED = re.compile(r'"((?:[^"]++|"")*+)("|\Z)')
# "msiexec" or "msiexec.exe" (optionally a closing quote) ending at a blank or the end.
_MSIEXEC = re.compile(r'(?i)msiexec(?:\.exe)?"?(?=\s|$)')
_FOLDER = re.compile(r"[\w:\\.-]*+")  # a folder before msiexec, up to a blank (read backwards)
_BOUNDARY = set("&\"'(") | set(" \t\r\n\f\v")
_ARGLIST = re.compile(r"(?i)-ArgumentList\s+")
_ARG_LINE = re.compile(r"^[ \t]+(?:[A-Za-z_][A-Za-z0-9_.]*=|/[A-Za-z])")
_END = re.compile(r"\s[|;&]{1,2}\s|\s-Wait\b|\s-NoNewWindow\b|\s-PassThru\b")
# Not possessive around '' and "": 'abc'' at the end is 'abc' then a stray quote.
_PS_LITERAL = r"'(?:[^']++|'')*'|\"(?:[^\"`]++|`.|\"\")*\""
_PS_STRING = re.compile(r"'((?:[^']++|'')*)'|\"((?:[^\"`]++|`.|\"\")*)\"")
# A literal, then more after commas (what lies between a comma and the next literal is skipped).
_PS_LIST = re.compile(rf"(?:{_PS_LITERAL})(?:\s*,[^'\"]*(?:{_PS_LITERAL}))*")
_PS_ESCAPE = re.compile(r"`(.)")
_PS_VARIABLE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)\b")
_PS_ESCAPES = {"n": "\n", "t": "\t", "0": ""}


class ImportProblem(Exception):
    """The input holds no msiexec command line mimsetup can read."""


@dataclass
class Scan:
    """Characters visited by the hand-written walks (not the regular expressions)."""

    steps: int = 0


def split_msiexec(text: str) -> list[str]:
    """msiexec's own tokenising: whitespace separates, double quotes group, "" inside quotes is
    a quote. PROP="a b" stays one token."""
    tokens = _TOKEN.findall(text)
    for i, token in enumerate(tokens):
        if '"' in token:
            tokens[i] = _QUOTED.sub(_unquote, token)
    return tokens


def _unquote(m: re.Match) -> str:
    if not m.group(2):
        raise ImportProblem("a double quote is not closed")
    return m.group(1).replace('""', '"')


def _ps_strings(text: str) -> list[str]:
    """The string literals of a PowerShell -ArgumentList value ('..', "..", or a list)."""
    listed = _PS_LIST.search(text)
    out = []
    for single, double in _PS_STRING.findall(listed.group(0) if listed else ""):
        if single:
            out.append(single.replace("''", "'"))
        else:
            s = double.replace('""', '"')
            out.append(_PS_ESCAPE.sub(lambda g: _PS_ESCAPES.get(g.group(1), g.group(1)), s))
    return out


def find_msiexec(line: str, scan: Scan | None = None) -> int | None:
    """Where the arguments start after the first `msiexec` that is a command: at the line's
    start, after a blank, `&`, a quote or `(`, or at the end of a folder path (C:\\Windows\\
    System32\\msiexec.exe). None when there is none."""
    scan = scan or Scan()
    backwards = ""
    for m in _MSIEXEC.finditer(line):
        i = m.start()
        if i == 0 or line[i - 1] in _BOUNDARY:
            return m.end()
        if line[i - 1] != "\\":
            continue
        # Walk back over the folder (no blanks) to what precedes it. Candidates end at a blank,
        # so the walks of two candidates never overlap: linear in all.
        backwards = backwards or line[::-1]
        folder = _FOLDER.match(backwards, len(line) - i).end() - (len(line) - i)
        scan.steps += folder
        j = i - 1 - folder
        if j < 0 or line[j] in _BOUNDARY:
            return m.end()
    return None


def _command_end(rest: str, scan: Scan) -> int:
    """Where the command ends: a pipe, `;`, `&&` or a Start-Process switch outside "..."."""
    quotes, counted = 0, 0
    for end in _END.finditer(rest):
        quotes += rest.count('"', counted, end.start())
        scan.steps += end.start() - counted
        counted = end.start()
        if quotes % 2 == 0:
            return end.start()
    return len(rest)


def extract_command(text: str, scan: Scan | None = None) -> str:
    """The msiexec arguments in a .cmd/.bat/.ps1 text or a bare command line."""
    scan = scan or Scan()
    text = re.sub(r"\^\r?\n", " ", text)  # cmd line continuation
    text = re.sub(r"`\r?\n", " ", text)  # PowerShell line continuation
    lines = text.splitlines()
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(("#", "::", "REM ", "rem ")):
            continue
        start = find_msiexec(line, scan)
        if start is None:
            continue
        parts = [line]
        for more in lines[index + 1 :]:  # wrapped over indented lines, as documents print it
            if not _ARG_LINE.match(more):
                break
            parts.append(more.strip())
        rest = " ".join(parts)[start:]
        if a := _ARGLIST.search(rest):
            value = rest[a.end():]
            if v := _PS_VARIABLE.match(value):  # -ArgumentList $Arguments: its assignment
                value = _assigned(text, v.group(1))
            return " ".join(_ps_strings(value))
        return rest[: _command_end(rest, scan)]
    if re.search(r"(?i)(^|\s)/(i|package)\s", text) or re.search(r"\b[A-Z_]+=", text):
        return text.strip()
    raise ImportProblem("no msiexec command line was found")


def _assigned(text: str, name: str) -> str:
    """What follows the last `$name = ` before the command (PowerShell scripts build the
    argument list in a variable first); "" when the script never assigns it."""
    found = list(re.finditer(rf"(?im)^[ \t]*\${re.escape(name)}[ \t]*=[ \t]*", text))
    return text[found[-1].end():] if found else ""


def parse_arguments(args: str) -> tuple[dict[str, str], dict[str, str]]:
    """(options, properties) of msiexec arguments."""
    options: dict[str, str] = {}
    props: dict[str, str] = {}
    tokens = iter(split_msiexec(args))
    for t in tokens:
        key, eq, value = t.partition("=")
        if eq:
            props[key.upper()] = value
        elif t[:1] in ("/", "-"):
            name = t[1:].lower()
            if name in ("i", "package", "a", "x", "f") or name.startswith("l"):
                following = next(tokens, None)
                if following is None:
                    raise ImportProblem(f"{t} needs a file after it")
                options["package" if name in ("i", "package") else name] = following
            else:
                options[name] = ""
        elif "package" not in options and t[-4:].lower() == ".msi":
            options["package"] = t
    return options, props

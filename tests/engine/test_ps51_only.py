"""Every PowerShell mimsetup ships runs on Windows PowerShell 5.1 (#15.18): the engine's scripts,
the PowerShell export's script and the Ansible export's scripts. No PowerShell runs here: the
text is parsed with tree-sitter-powershell, strings and comments are set aside, and what is
left may hold no PowerShell 7-only syntax or parameter; Invoke-WebRequest always has
-UseBasicParsing (the IE engine it needs otherwise is absent on Server Core)."""

from __future__ import annotations

import re

import pytest

from tests.support.powershell import PARSER, shipped

COMMENTS = {"comment"}
STRINGS = {"verbatim_string_characters", "verbatim_here_string_characters",
           "expandable_string_literal", "expandable_here_string_literal"}
# Syntax PowerShell 7 added, in code (strings and comments blanked out).
SYNTAX = {
    "?? or ??= (null-coalescing)": r"\?\?",
    "?. or ?[ (null-conditional member access)": r"\?\.|\}\?\[",
    "&& or || (pipeline chain)": r"&&|\|\|",
    "the ternary ? : operator": r"[^\s|]\s+\?\s+[^\s{][^\n]*?\s:\s",
    "ForEach-Object -Parallel": r"(?i)-Parallel\b",
    "ConvertFrom-Json -AsHashtable": r"(?i)-AsHashtable\b",
    "-AsByteStream": r"(?i)-AsByteStream\b",
}
UTF8_NO_BOM = re.compile(r"(?i)\butf8NoBOM\b")  # an -Encoding value: often written as a string
WEB_REQUEST = {"invoke-webrequest", "iwr", "curl", "wget"}


def _blank(source: bytes, kinds: set[str]) -> str:
    """The source with the text of nodes of `kinds` replaced by spaces (lines kept)."""
    out = bytearray(source)

    def walk(node) -> None:
        if node.type in kinds:
            for i in range(node.start_byte, node.end_byte):
                if out[i] not in (10, 13):
                    out[i] = 32
            return
        for child in node.children:
            walk(child)

    walk(PARSER.parse(source).root_node)
    return out.decode("utf-8", "replace")


def _commands(source: bytes):
    """(name, its arguments' nodes, the command's text) of every command in the script."""
    found = []

    def walk(node) -> None:
        if node.type == "command":
            name = next((c for c in node.children if c.type == "command_name"), None)
            elements = next((c for c in node.children if c.type == "command_elements"), None)
            args = [c for c in (elements.children if elements else [])
                    if c.type not in ("command_argument_sep",)]
            if name is not None:
                found.append((source[name.start_byte:name.end_byte].decode().lower(), args,
                              source[node.start_byte:node.end_byte].decode("utf-8", "replace")))
        for child in node.children:
            walk(child)

    walk(PARSER.parse(source).root_node)
    return found


def problems(text: str) -> list[str]:
    """What would not run on Windows PowerShell 5.1, as 'line N: what'."""
    source = text.encode("utf-8")
    code = _blank(source, COMMENTS | STRINGS)
    found = []
    for what, pattern in SYNTAX.items():
        for m in re.finditer(pattern, code):
            found.append(f"line {code.count(chr(10), 0, m.start()) + 1}: {what}")
    no_comments = _blank(source, COMMENTS)
    for m in UTF8_NO_BOM.finditer(no_comments):
        found.append(f"line {no_comments.count(chr(10), 0, m.start()) + 1}: utf8NoBOM")
    for name, args, whole in _commands(source):
        if name == "join-path":
            params = [a for a in args if a.type == "command_parameter"]
            if len(args) > 2 + len(params) or "-additionalchildpath" in whole.lower():
                found.append(f"Join-Path with more than two paths: {whole[:60]}")
        if name in WEB_REQUEST and "-usebasicparsing" not in whole.lower():
            found.append(f"Invoke-WebRequest without -UseBasicParsing: {whole[:60]}")
    return found


SHIPPED = shipped()


def test_every_kind_of_script_is_checked():
    names = " ".join(SHIPPED)
    assert "scripts/preflight.ps1" in names and "export powershell" in names
    assert "export ansible files/checklist.ps1" in names and "tasks/mimsetup.yml" in names


@pytest.mark.parametrize("where", list(SHIPPED))
def test_runs_on_windows_powershell_51(where):
    assert problems(SHIPPED[where]) == [], where


@pytest.mark.parametrize("snippet, what", [
    ("$a = $b ?? 'x'\n", "null-coalescing"),
    ("$n = ${user}?.Name\n", "null-conditional"),
    ("Get-Item x && Remove-Item y\n", "pipeline chain"),
    ("Test-Path a || exit 1\n", "pipeline chain"),
    ("$v = $ok ? 'yes' : 'no'\n", "ternary"),
    ("1..3 | ForEach-Object -Parallel { $_ }\n", "Parallel"),
    ("$h = $j | ConvertFrom-Json -AsHashtable\n", "AsHashtable"),
    ("$p = Join-Path $a 'b' 'c'\n", "Join-Path"),
    ("Get-Content x -AsByteStream\n", "AsByteStream"),
    ("Set-Content x -Value 1 -Encoding utf8NoBOM\n", "utf8NoBOM"),
    ("$r = Invoke-WebRequest -Uri $u\n", "UseBasicParsing"),
])
def test_each_pattern_is_caught(snippet, what):
    assert any(what in p for p in problems(snippet)), problems(snippet)


@pytest.mark.parametrize("snippet", [
    "$x = 'a ?? b && c || d'\n",  # in a string
    "# $a ?? $b && $c\n",  # in a comment
    "$s = @($list | ? { $_ -gt 1 })\n",  # ? is Where-Object
    "$p = Join-Path $env:WINDIR 'Temp'\n",
    "$r = Invoke-WebRequest -Uri $u -UseBasicParsing\n",
    "if ($a -and $b -or $c) { 1 }\n",
])
def test_what_51_has_is_not_caught(snippet):
    assert problems(snippet) == []

"""Every PowerShell script shipped under tui/engine/scripts parses without a syntax error.

No PowerShell runs here; tree-sitter-powershell marks syntax errors (`has_error`). It misreads a
few valid one-line forms (a `switch` with `default` on one line, `1MB` suffixes): the scripts are
written so that it does not need to, rather than weakening this check.
"""

from __future__ import annotations

from importlib import resources

import pytest

from tests.support.powershell import PARSER
from tui.engine import scripts


def syntax_errors(source: str) -> list[str]:
    """Where the parser found errors, as 'line:col: text' (empty when the script is fine)."""
    tree = PARSER.parse(source.encode("utf-8"))
    found: list[str] = []

    def walk(node) -> None:
        if node.is_error or node.is_missing:
            row, col = node.start_point
            snippet = source.encode("utf-8")[node.start_byte : node.end_byte][:60]
            found.append(f"{row + 1}:{col + 1}: {snippet.decode('utf-8', 'replace')!r}")
        for child in node.children:
            walk(child)

    walk(tree.root_node)
    if tree.root_node.has_error and not found:
        found.append("the parser reports an error it does not locate")
    return found


ALL = sorted(
    p.name for p in resources.files(scripts).iterdir() if p.name.endswith(".ps1")
)


def test_there_are_scripts():
    assert "bootstrap.ps1" in ALL and "preflight.ps1" in ALL


@pytest.mark.parametrize("name", ALL)
def test_script_parses(name):
    text = resources.files(scripts).joinpath(name).read_text(encoding="utf-8")
    assert syntax_errors(text) == [], f"{name} has syntax errors"


@pytest.mark.parametrize("name", ALL)
def test_script_declares_its_name(name):
    text = resources.files(scripts).joinpath(name).read_text(encoding="utf-8")
    assert text.splitlines()[0] == f"# mimsetup-script: {name[:-4]}"
    assert scripts.script_name(text) == name[:-4]


@pytest.mark.parametrize(
    "broken",
    [
        "if ($x {\n    'a'\n}\n",
        "function f {\n    param([string]$a\n    $a\n}\n",
        "$h = @{ a = 1\n",
        "try {\n    1\n} catch {\n",
    ],
)
def test_a_broken_script_is_detected(broken):
    # The check above must be able to fail: these are syntax errors PowerShell would refuse.
    assert syntax_errors(broken)


def test_the_preflight_with_a_syntax_error_is_detected():
    text = scripts.text("preflight")
    broken = text.replace("Test-Step 'elevated' {", "Test-Step 'elevated' {{", 1)
    assert broken != text
    assert syntax_errors(broken)

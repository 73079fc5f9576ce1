"""One catalog of outcomes behind the scripts, the simulated target and the exports.

Every (id, reason) the scripts can emit, read from their text, is in the catalog, and the catalog
words nothing the scripts cannot emit; every outcome in the catalog is produced by the simulated
target in some situation (tests/support/outcome_situations.py) or is listed as not emulated with
the reason; the simulated target emits nothing the script cannot.
"""

from __future__ import annotations

import re

import pytest

from tests.support.outcome_situations import checklist_pairs, preflight_pairs
from tui.engine import outcomes, scripts
from tui.engine.sim.preflight_checks import NOT_EMULATED

LITERAL = r"'([a-z0-9-]+)'"
FUNCTION = re.compile(r"^( *)function ([A-Za-z-]+) \{\n(.*?)^\1\}", re.M | re.S)
# Add-Check <id> <reason> (pre-flight); Add-Item $item <kind> <reason> (checklist)
CALLS = {
    "preflight": re.compile(r"^\s*(Add-Check (\S+) (\S+))", re.M),
    "checklist": re.compile(r"^\s*(Add-Item \$item (\S+|\([^)]*\)) (\S+))", re.M),
}


def script_pairs(section: str, text: str) -> set[tuple[str, str]]:
    """Every (id, reason) the script's text can emit; ('*', reason) for an id not literal here
    (a common reason). An id passed to a function (its $Id) counts for every literal id the
    function is called with."""
    common = set(outcomes.section(section)["common"])
    pairs: set[tuple[str, str]] = set()
    bodies = {m.group(2): m.group(3) for m in FUNCTION.finditer(text)}
    for m in CALLS[section].finditer(text):
        call, id_expr, reason_expr = m.group(1), m.group(2), m.group(3)
        reason = re.fullmatch(LITERAL, reason_expr)
        assert reason, f"{section}: the reason of `{call}` is not written literally"
        literal = re.fullmatch(LITERAL, id_expr)
        if literal:
            pairs.add((literal.group(1), reason.group(1)))
            continue
        if reason.group(1) in common:
            pairs.add(("*", reason.group(1)))
            continue
        # `Add-Check $Id 'r'` inside a function: the ids it is called with
        owner = next((name for name, body in bodies.items() if call in body), None)
        assert owner and id_expr == "$Id", f"{section}: cannot tell the ids of `{call}`"
        callers = re.findall(rf"^\s*{owner} {LITERAL}", text, re.M)
        assert callers, f"{section}: {owner} is never called with a literal id"
        pairs |= {(cid, reason.group(1)) for cid in callers}
    return pairs


def _covered(pair: tuple[str, str], emitted: set[tuple[str, str]]) -> bool:
    """Whether `emitted` holds the catalog's `pair` (a common one: with any id)."""
    if pair[0] == "*":
        return any(r == pair[1] for _, r in emitted)
    return pair in emitted or ("*", pair[1]) in emitted


@pytest.mark.parametrize("section", outcomes.SECTIONS)
def test_every_outcome_a_script_emits_is_in_the_catalog(section):
    emitted = script_pairs(section, scripts.text(section))
    catalog = outcomes.pairs(section)
    missing = {p for p in emitted if p not in catalog and ("*", p[1]) not in catalog}
    assert not missing, f"{section}.ps1 emits outcomes the catalog lacks: {sorted(missing)}"
    unused = {p for p in catalog if not _covered(p, emitted)}
    assert not unused, f"the catalog words what {section}.ps1 never emits: {sorted(unused)}"


def test_the_parser_of_the_script_text_can_fail():
    text = "function X {\n}\nTest-Step 'a' {\n    Add-Check 'a' 'nope'\n}\n"
    assert script_pairs("preflight", text) == {("a", "nope")}
    with pytest.raises(AssertionError, match="not written literally"):
        script_pairs("preflight", "Add-Check 'a' $why\n")
    with pytest.raises(AssertionError, match="cannot tell the ids"):
        script_pairs("preflight", "Add-Check $other 'admin'\n")


@pytest.mark.parametrize("section", outcomes.SECTIONS)
def test_every_outcome_is_produced_by_the_simulated_target_or_said_not_to_be(section):
    produced = preflight_pairs() if section == "preflight" else checklist_pairs()
    not_emulated = {(i, r) for (s, i, r) in NOT_EMULATED if s == section}
    assert all(why for why in NOT_EMULATED.values())
    catalog = outcomes.pairs(section)
    assert not_emulated <= catalog, "NOT_EMULATED names outcomes the catalog lacks"
    never = {p for p in catalog if p not in produced and p not in not_emulated
             and not (p[0] == "*" and any(r == p[1] for _, r in produced))}
    assert not never, f"no situation produces {sorted(never)}; add one or say why not"
    both = {p for p in not_emulated
            if p in produced or (p[0] == "*" and any(r == p[1] for _, r in produced))}
    assert not both, f"listed as not emulated but produced: {sorted(both)}"


@pytest.mark.parametrize("section", outcomes.SECTIONS)
def test_the_simulated_target_emits_only_what_the_script_can(section):
    produced = preflight_pairs() if section == "preflight" else checklist_pairs()
    emitted = script_pairs(section, scripts.text(section))
    extra = {p for p in produced if p not in emitted and ("*", p[1]) not in emitted}
    assert not extra, f"the simulated {section} emits what the script cannot: {sorted(extra)}"


def test_wording_fills_placeholders_once():
    assert outcomes.expand("a {x} b", {"x": "{x}{y}"}) == "a {x}{y} b"
    assert outcomes.expand("{n} MB", {"n": 5}) == "5 MB"
    assert outcomes.expand("{gone}", {}) == "?"
    with pytest.raises(KeyError):
        outcomes.expand("{gone}", {}, strict=True)


def test_the_catalog_holds_no_template_syntax_of_the_exports():
    # The Ansible export reads it through Jinja; PowerShell reads it as JSON data.
    text = scripts.text("outcomes") + str(outcomes.catalog())
    assert "{{" not in str(outcomes.catalog()) and "{%" not in str(outcomes.catalog())
    assert "Format-Outcomes" in text

"""Every command-line option a message names exists: remedies take option names from tui.flags,
which tui.cli declares its options with (a remedy once told users to pass --allow-insecure, an
option mimsetup never had)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from tui import cli
from tui.engine.endpoint import Endpoint
from tui.engine.errors import ConnectionProblem

ROOT = Path(__file__).resolve().parents[2]
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*[a-z]")
# Options of other programs that mimsetup's sources name: ansible-playbook's, and the model's
# developer tools (python -m tui.model.docs / tui.model.compiler).
OTHER_PROGRAMS = {"--ask-vault-pass", "--list", "--check", "--write"}


def _options() -> set[str]:
    """Every option of every subcommand (and of `export`'s formats)."""
    out: set[str] = set()
    parsers = [cli.build_parser()]
    while parsers:
        p = parsers.pop()
        for action in p._actions:
            out.update(action.option_strings)
            if isinstance(action, argparse._SubParsersAction):
                parsers.extend(action.choices.values())
    return out


def test_basic_over_http_remedy_names_an_option_that_exists():
    ep = Endpoint("server.contoso.local", https=False, transport="basic", user="u", password="p")
    with pytest.raises(ConnectionProblem) as raised:
        ep.check()
    named = OPTION.findall(raised.value.remedy)
    assert named, raised.value.remedy
    assert set(named) <= _options()


def test_every_option_named_in_the_sources_exists():
    """Options named anywhere in tui/ and screens/ (messages, help texts, docstrings) are real."""
    known = _options()
    unknown = {}
    for path in [*ROOT.joinpath("tui").rglob("*.py"), *ROOT.joinpath("screens").rglob("*.py")]:
        if "sim" in path.relative_to(ROOT).parts:  # the simulated Windows side: not our options
            continue
        for name in OPTION.findall(path.read_text(encoding="utf-8")):
            if name not in known | OTHER_PROGRAMS:
                unknown.setdefault(name, str(path.relative_to(ROOT)))
    assert unknown == {}

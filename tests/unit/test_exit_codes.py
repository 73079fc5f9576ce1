"""The README's exit codes are the code's: its command table is read and compared with the one
table of exit statuses (tui/commands/common.py EXIT_CODES), which the help prints and the
commands return (#16.10)."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.support.paths import ROOT
from tui.cli import SUBCOMMANDS, build_parser
from tui.commands.common import (
    EXIT_CODES,
    EXIT_REBOOT,
    exit_codes_text,
    install_exit_code,
)
from tui.engine.events import Finished


def readme_exit_codes() -> dict[str, str]:
    """command -> the exit codes cell of the README's command table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("## Commands", 1)[1].split("\n\n", 2)[1]
    out: dict[str, str] = {}
    for row in table.splitlines()[2:]:
        cells = [c.strip() for c in row.strip("|").split(" | ")]
        names = [w for w in re.findall(r"`mimsetup (\w+)", cells[0]) if w in SUBCOMMANDS]
        name = names[0] if names else "edit"  # `mimsetup [FILE]`: the wizard
        assert out.get(name, cells[-1]) == cells[-1], f"two rows of {name} disagree"
        out[name] = cells[-1]
    return out


def test_readme_exit_codes_are_the_codes_table():
    readme = readme_exit_codes()
    assert set(readme) == set(SUBCOMMANDS) == set(EXIT_CODES)
    for name, cell in readme.items():
        assert cell == exit_codes_text(name), name


def test_help_says_the_same_exit_codes():
    text = build_parser().format_help()
    flat = " ".join(text.split())
    for name in SUBCOMMANDS:
        assert f"(exit {exit_codes_text(name)})" in flat, name


def test_apply_returns_exactly_the_codes_it_documents():
    documented = {code for code, _ in EXIT_CODES["apply"]}
    outcomes = ("success", "reboot", "failed", "already-installed", "cancelled", "detached")
    returned = {install_exit_code(Finished(o, None, "")) for o in outcomes}  # type: ignore[arg-type]
    assert returned | {2} == documented


def test_3010_arrives_as_the_number_the_readme_says_on_this_system():
    said = re.search(r"\((\d+) on Linux/macOS", exit_codes_text("apply"))
    assert said is not None
    code = subprocess.run([sys.executable, "-c", f"raise SystemExit({EXIT_REBOOT})"]).returncode
    assert code == (EXIT_REBOOT if sys.platform == "win32" else int(said[1]))

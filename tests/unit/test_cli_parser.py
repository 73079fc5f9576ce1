"""The command line builds only the parser of the subcommand that runs; help lists them all."""

from __future__ import annotations

import pytest

from tests.support.cli import run_cli
from tui import cli


def test_help_lists_every_subcommand():
    r = run_cli("--help")
    assert r.returncode == 0
    for name, (help_text, _) in cli.SUBCOMMANDS.items():
        assert f"    {name}" in r.stdout
        assert help_text.split()[0] in r.stdout


@pytest.mark.parametrize("name", list(cli.SUBCOMMANDS))
def test_each_subcommand_alone_parses_as_in_the_whole_parser(name):
    only = cli.build_parser(name)
    whole = cli.build_parser()
    probe = {"validate": [name, "a.toml"], "plan": [name, "a.toml"],
             "preflight": [name, "a.toml"], "apply": [name, "a.toml"], "check": [name, "a.toml"],
             "export": [name, "powershell", "a.toml"]}.get(name, [name])
    a, b = only.parse_args(probe), whole.parse_args(probe)
    assert {k: v for k, v in vars(a).items() if k != "run"} == \
        {k: v for k, v in vars(b).items() if k != "run"}


def test_a_subcommands_usage_error_names_it(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["plan"])
    assert exc.value.code == 2
    assert "mimsetup plan" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--help"], ["apply", "--help"], ["export", "ansible", "--help"]])
@pytest.mark.parametrize("columns", ["50", "120", "", "nonsense"])
def test_help_is_laid_out_as_argparse_lays_it_out(monkeypatch, capsys, argv, columns):
    """tui.cli finds the terminal's width without shutil (a start-up cost): the help reads
    exactly as with argparse's own formatter, at any $COLUMNS."""
    import argparse

    monkeypatch.setenv("COLUMNS", columns)
    with pytest.raises(SystemExit):
        cli.main(list(argv))
    ours = capsys.readouterr().out
    monkeypatch.setattr(cli, "_formatter", argparse.HelpFormatter)
    with pytest.raises(SystemExit):
        cli.main(list(argv))
    assert ours == capsys.readouterr().out


def test_help_follows_the_terminals_width(monkeypatch, capsys):
    widths = []
    for columns in ("50", "120"):
        monkeypatch.setenv("COLUMNS", columns)
        with pytest.raises(SystemExit):
            cli.main(["apply", "--help"])
        widths.append(max(len(line) for line in capsys.readouterr().out.splitlines()))
    assert widths[0] < widths[1] <= 120

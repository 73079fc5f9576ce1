"""`mimsetup FILE` and `mimsetup --theme NAME` open the wizard like `mimsetup edit`."""

from __future__ import annotations

import pytest

from tests.support.paths import CONTOSO
from tui import cli
from tui.commands import wizard


@pytest.fixture
def opened(monkeypatch):
    seen = []
    monkeypatch.setattr(wizard, "edit", lambda args: seen.append(args) or 0)
    return seen


@pytest.mark.parametrize("argv, file, theme", [
    ([str(CONTOSO)], str(CONTOSO), None),
    (["edit", str(CONTOSO)], str(CONTOSO), None),
    (["--theme", "ansi-dark", str(CONTOSO)], str(CONTOSO), "ansi-dark"),
    ([str(CONTOSO), "--theme", "ansi-dark"], str(CONTOSO), "ansi-dark"),
    (["edit", "--theme", "ansi-dark"], None, "ansi-dark"),
    ([], None, None),
])
def test_a_bare_path_or_theme_opens_the_wizard(opened, argv, file, theme):
    assert cli.main(argv) == 0
    assert (opened[0].command, opened[0].file, opened[0].theme) == ("edit", file, theme)


def test_subcommands_are_not_taken_for_files(opened, capsys):
    assert cli.main(["validate", str(CONTOSO)]) == 0
    assert opened == []


def test_an_unknown_theme_is_refused_with_the_list(capsys):
    assert cli.main(["--theme", "no-such-theme", str(CONTOSO)]) == 2
    err = capsys.readouterr().err
    assert "no theme named 'no-such-theme'" in err and "ansi-dark" in err


async def test_the_theme_is_used():
    app = wizard.build(str(CONTOSO), "ansi-dark")
    async with app.run_test(size=(80, 24)):
        assert app.theme == "ansi-dark"


def test_without_a_terminal_the_wizard_says_so_instead_of_waiting(tmp_path):
    """Started from a script or a pipe, the wizard would wait for keys that cannot come."""
    from tests.support.cli import run_cli

    for argv in ([str(CONTOSO)], ["edit"], []):
        r = run_cli(*argv, cwd=tmp_path)  # standard input is not a terminal
        assert r.returncode == 2, (argv, r.stderr)
        assert "the wizard needs a terminal" in r.stderr
        assert "mimsetup validate FILE" in r.stderr
        assert r.stdout == ""

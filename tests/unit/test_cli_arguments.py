"""Arguments are checked before anything runs (#12.12): a bad count, port, host or account is
argparse's one-line error naming the option, exit 2; never "internal error" or a failure deep
in the connection (InvalidURL)."""

from __future__ import annotations

import pytest

from tests.support.paths import CONTOSO
from tui.cli import main

CASES = [
    (["apply", str(CONTOSO), "--parallel", "0"], "--parallel", "1 or more"),
    (["apply", str(CONTOSO), "--parallel", "many"], "--parallel", "1 or more"),
    (["export", "ansible", str(CONTOSO), "-o", "x", "--serial", "0"], "--serial", "1 or more"),
    (["apply", str(CONTOSO), "--port", "0"], "--port", "1-65535"),
    (["preflight", str(CONTOSO), "--port", "99999"], "--port", "1-65535"),
    (["check", str(CONTOSO), "--host", "http://corpidm:x"], "--host", "not a host name"),
    (["apply", str(CONTOSO), "--host", "corp idm"], "--host", "no spaces"),
    (["apply", str(CONTOSO), "--host", "corpidm\nx"], "--host", "U+000A (line feed)"),
    (["apply", str(CONTOSO), "--host", "[::1"], "--host", "not a valid"),
    (["apply", str(CONTOSO), "--user", "Administrator"], "--user", "no domain"),
    (["apply", str(CONTOSO), "--user", "contoso\\adm\x1b[2Jin"], "--user", "U+001B (escape)"),
]


@pytest.mark.parametrize(("argv", "option", "says"), CASES, ids=[" ".join(c[0][2:]) for c in CASES])
def test_bad_argument_is_refused_with_a_sentence(argv, option, says, capsys, tmp_path,
                                                 monkeypatch):
    monkeypatch.setenv("MIMSETUP_STATE_DIR", str(tmp_path))
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}" in err and says in err, err
    assert "internal error" not in err and "\x1b" not in err

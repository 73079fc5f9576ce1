"""No value holds a control character, a bidirectional override or a Unicode line break (issue
#12.3), and whatever is echoed to the terminal shows them escaped."""

from __future__ import annotations

import pytest

from tests.support.answers import contoso_data
from tests.support.cli import run_cli
from tui.model import validation
from tui.model.fieldvalue import value_problem
from tui.model.printable import visible
from tui.model.tomlio import dump_data

BAD = {
    "CR": "\r", "LF": "\n", "NUL": "\x00", "ESC": "\x1b", "BEL": "\x07", "BS": "\x08",
    "LRO": "\u202d", "RLO": "\u202e", "LRE": "\u202a", "PDF": "\u202c", "LRI": "\u2066",
    "PDI": "\u2069", "LS": "\u2028", "PS": "\u2029", "TAB": "\t", "DEL": "\x7f", "NEL": "\x85",
}
# (section, key, a valid value): every kind of text field the model has
FIELDS = [
    ("target", "host", "corpidm.contoso.local"),
    ("target", "user", "contoso\\Administrator"),
    ("target", "ca_bundle", "./ca.pem"),
    ("service_account", "name", "MIMService"),
    ("service_account", "domain", "contoso"),
    ("service_account", "email", "MIMService@contoso.local"),
    ("certificate", "name", "ForefrontIdentityManager"),
    ("database", "server", "corpsql"),
    ("database", "name", "FIMService"),
    ("synchronization", "ma_account", "contoso\\MIMMA"),
    ("portal", "sharepoint_url", "http://corpsp.contoso.local"),
    ("install", "msi_path", "C:\\Install\\Service and Portal.msi"),
    ("install", "install_dir", "C:\\Program Files\\MIM"),
]


@pytest.mark.parametrize("where", ["end", "middle"])
@pytest.mark.parametrize("char", BAD.values(), ids=BAD.keys())
@pytest.mark.parametrize(("section", "key", "good"), FIELDS, ids=[f"{s}.{k}" for s, k, _ in FIELDS])
def test_field_rejects(section, key, good, char, where):
    value = good + char if where == "end" else good[:3] + char + good[3:]
    assert value_problem(section, key, good) is None
    msg = value_problem(section, key, value)
    assert msg is not None, f"{section}.{key} took {value!r}"
    assert char not in msg  # the message shows the value escaped


@pytest.mark.parametrize("char", BAD.values(), ids=BAD.keys())
def test_extra_properties_and_references(char):
    for extra in ({"SQLSERVER_TIMEOUT" + char: "600"}, {"SQLSERVER_TIMEOUT": "600" + char},
                  {"SQLSERVER_TIMEOUT": f"600{char}ADDLOCAL=ALL"}):
        assert value_problem("msi", "extra_properties", extra) is not None, repr(extra)
    for ref in ({"env": "MIM_PW" + char}, {"file": "pw.txt" + char},
                {"file": "s.toml", "key": "k" + char}):
        assert value_problem("service_account", "password", ref) is not None, repr(ref)


def test_env_name_is_a_name():
    assert value_problem("service_account", "password", {"env": "MIM_SVC_PW"}) is None
    msg = value_problem("service_account", "password", {"env": "A\nvault_evil: 1"})
    assert msg and "letters, digits and _" in msg and "\n" not in msg
    assert value_problem("service_account", "password", {"env": "A B"}) is not None


@pytest.mark.parametrize("model", ["pydantic", "compiled"])
def test_whole_file_names_field_and_character(model):
    data = contoso_data()
    data["certificate"]["name"] = "FIM\nADDLOCAL=ALL"
    validator = validation.compiled() if model == "compiled" else validation.pydantic()
    assert validator is not None
    loaded = validator.validate_data(data, "a.toml", dump_data(data))
    [p] = [p for p in loaded.errors if p.path == "certificate.name"]
    assert "U+000A (line feed)" in p.message and "'FIM\\nADDLOCAL=ALL'" in p.message


def test_validate_output_shows_escapes(tmp_path):
    data = contoso_data()
    data["certificate"]["name"] = "FIM\x1b[2K\x1b[1Ahidden\u202e"
    src = tmp_path / "a\x1b[31m.toml"
    src.write_text(dump_data(data), encoding="utf-8")
    for command in ("validate", "plan"):
        r = run_cli(command, str(src))
        assert r.returncode == 1, r.stdout + r.stderr
        out = r.stdout + r.stderr
        assert "\x1b" not in out and "\u202e" not in out
        assert "\\x1b[2K" in out and "\\u202e" in out and "a\\x1b[31m.toml" in out


def test_visible():
    assert visible("plain text, ünïcode") == "plain text, ünïcode"
    assert visible("a\nb\x1b\u202e\x00") == "a\\nb\\x1b\\u202e\\0"


def test_what_the_target_sends_is_shown_escaped():
    """MSI log lines and findings come from the target: an escape sequence there is shown, not
    obeyed."""
    import io

    from tui.commands.printer import EventPrinter
    from tui.engine.events import LogLines

    out = io.StringIO()
    EventPrinter(out, mode="lines")(LogLines(("ok", "a\x1b[2J\x1b]0;x\x07b"), 10))
    assert "\x1b" not in out.getvalue() and "a\\x1b[2J" in out.getvalue()


def test_a_usage_problem_is_shown_escaped(capsys):
    from tui.commands.common import UsageProblem, report_problem

    report_problem(UsageProblem("bad\x1b[31m file:\n  second line", "fix\u202e it"), False)
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\u202e" not in err and "\n  second line" in err

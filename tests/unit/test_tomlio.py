"""Answer files as TOML: schema_version, unknown keys, every problem at once with its place and
fix, atomic 0600 saves with comments, load -> save -> load."""

from __future__ import annotations

import os
import stat

import pytest

from tests.support.answers import answer_file_paths, contoso_data
from tests.support.paths import CONTOSO
from tui.model import atomic
from tui.model.answers import AnswerFile, section_types
from tui.model.tomlio import SCHEMA_NAME, dump, dump_data, save, to_data
from tui.model.validation import load_bytes, load_text, read_file, validate_data

CONTOSO_TEXT = CONTOSO.read_text(encoding="utf-8")


def by_path(loaded):
    return {p.path: p for p in loaded.problems}


def line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


# --- schema_version -------------------------------------------------------------------------

def test_schema_version_required():
    text = CONTOSO_TEXT.replace("schema_version = 1\n", "")
    loaded = load_text(text, "x.toml")
    p = by_path(loaded)["schema_version"]
    assert p.is_error and "required" in p.message
    assert "schema_version = 1" in p.fix
    assert not loaded.ok


@pytest.mark.parametrize("value", ["2", "0", '"1"', "1.0", "true"])
def test_schema_version_must_be_1(value):
    text = CONTOSO_TEXT.replace("schema_version = 1\n", f"schema_version = {value}\n")
    loaded = load_text(text, "x.toml")
    p = by_path(loaded)["schema_version"]
    assert p.is_error
    assert p.fix == "set schema_version = 1"
    assert p.line == line_of(text, "schema_version =")


# --- unknown keys ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("old", "new", "path", "suggestion"),
    [
        ("[database]", "[databse]", "databse", "database"),
        ("[service_account]", "[serviceaccount]", "serviceaccount", "service_account"),
        ('server = "corpsql"', 'servr = "corpsql"', "database.servr", "server"),
        ("open_firewall = true\n# Grant", "open_firewal = true\n# Grant", "portal.open_firewal",
         "open_firewall"),
        ("ma_account =", "ma_acount =", "synchronization.ma_acount", "ma_account"),
        ('transport = "ntlm"', 'transprot = "ntlm"', "target.transprot", "transport"),
    ],
)
def test_unknown_key_did_you_mean(old, new, path, suggestion):
    assert CONTOSO_TEXT.count(old) == 1
    text = CONTOSO_TEXT.replace(old, new)
    loaded = load_text(text, "x.toml")
    p = by_path(loaded)[path]
    assert p.is_error
    assert "unknown key" in p.message
    assert p.fix == f"did you mean '{suggestion}'?"
    assert p.line == line_of(text, new.split("\n")[0])
    assert p.file == "x.toml"


def test_unknown_key_without_close_match_lists_known_keys():
    text = CONTOSO_TEXT.replace("[database]\n", "[database]\nzzz = 1\n")
    p = by_path(load_text(text, "x.toml"))["database.zzz"]
    assert "known keys: server, name, existing" in p.fix


# --- every problem at once, located ---------------------------------------------------------

def test_every_problem_listed_at_once_with_file_line_path_fix():
    edits = {
        'server = "corpsql"': 'server = "corp sql"',
        'email = "MIMService@contoso.local"': 'email = "contoso"',
        "ma_account = 'contoso\\MIMMA'": "ma_account = 'contoso\\MIMService'",
        "port = 8088": "port = 5725",
        "accept_eula = true": "accept_eula = false",
        'mode = "self-signed"': 'mode = "selfsigned"',
        "open_firewall = true\n# Grant": "open_firewal = true\n# Grant",
        "sharepoint_timeout = 180": 'sharepoint_timeout = "three minutes"',
    }
    text = CONTOSO_TEXT
    for old, new in edits.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    loaded = load_text(text, "answers/broken.toml")
    found = by_path(loaded)
    expected = {
        "database.server": 'server = "corp sql"',
        "service_account.email": 'email = "contoso"',
        "certificate.mode": 'mode = "selfsigned"',
        "portal.open_firewal": "open_firewal = true",
        "portal.sharepoint_timeout": "sharepoint_timeout = ",
    }
    for path, needle in expected.items():
        assert path in found, (path, [p.format() for p in loaded.problems])
        p = found[path]
        assert p.file == "answers/broken.toml"
        assert p.line == line_of(text, needle), path
        assert p.fix, path
        assert p.is_error
        formatted = p.format()
        assert formatted.startswith(f"answers/broken.toml:{p.line}: error: {path}: ")
        assert "Fix: " in formatted
    assert not loaded.ok


def test_cross_field_problems_are_located_too():
    text = CONTOSO_TEXT.replace("port = 8088", "port = 5725").replace(
        "ma_account = 'contoso\\MIMMA'", "ma_account = 'contoso\\MIMService'"
    )
    loaded = load_text(text, "x.toml")
    found = by_path(loaded)
    assert found["reset_portal.port"].line == line_of(text, "port = 5725")
    assert found["synchronization.ma_account"].line == line_of(text, "ma_account =")
    assert found["reset_portal.port"].fix and found["synchronization.ma_account"].fix


def test_missing_field_points_at_its_table():
    text = CONTOSO_TEXT.replace('server = "corpsql"\n', "")
    p = by_path(load_text(text, "x.toml"))["database.server"]
    assert p.message == "is required"
    assert p.line == line_of(text, "[database]")
    assert 'server = "corpsql"' in p.fix


def test_syntax_error_has_line_and_fix():
    text = CONTOSO_TEXT.replace('name = "FIMService"', 'name = "FIMService')
    loaded = load_text(text, "x.toml")
    [p] = loaded.problems
    assert p.line == line_of(text, 'name = "FIMService')
    assert "TOML syntax" in p.message and p.fix


def test_windows_path_in_double_quotes_hint():
    text = CONTOSO_TEXT.replace(
        "msi_path = 'C:\\Install\\Service and Portal\\Service and Portal.msi'",
        'msi_path = "C:\\Install\\Service and Portal\\Service and Portal.msi"',
    )
    [p] = load_text(text, "x.toml").problems
    assert p.line == line_of(text, "msi_path =")
    assert "single quotes" in p.fix


def test_bom_is_accepted_and_utf16_refused():
    assert load_bytes(b"\xef\xbb\xbf" + CONTOSO_TEXT.encode(), "bom.toml").ok
    loaded = load_bytes(CONTOSO_TEXT.encode("utf-16"), "u16.toml")
    assert loaded.unreadable and "UTF-16" in loaded.problems[0].message
    assert "UTF-8" in loaded.problems[0].fix


def test_crlf_file_is_fine():
    assert load_text(CONTOSO_TEXT.replace("\n", "\r\n")).ok


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"schema_version": 1, "components": "all"},
        {"schema_version": 1, "database": [1, 2]},
        {"schema_version": [1], "install": {"msi_path": 3}},
        {"schema_version": 1, "msi": {"extra_properties": {"x y": {"z": 1}}}},
        {"schema_version": 1, "service_account": {"password": {"file": 1, "key": []}}},
    ],
)
def test_validate_data_never_raises(data):
    loaded = validate_data(data, "x.toml")
    assert not loaded.ok
    assert all(p.file == "x.toml" and p.message for p in loaded.problems)


# --- writing --------------------------------------------------------------------------------

def test_dump_has_schema_line_and_comments():
    a = read_file(CONTOSO).answers
    text = dump(a)
    lines = text.splitlines()
    assert lines[0] == f"#:schema {SCHEMA_NAME}"
    assert "schema_version = 1" in lines
    # each field written carries its title and MSI properties as a comment right above it
    for name, model in section_types().items():
        if getattr(a, name) is None or name == "msi":
            continue
        assert f"[{name}]" in lines
        for meta in model.fields():
            key_lines = [i for i, line in enumerate(lines) if line.startswith(f"{meta.name} = ")]
            if not key_lines or meta.name not in to_data(a)[name]:
                continue
            i = next(i for i in key_lines if i > lines.index(f"[{name}]"))
            comment = []
            j = i - 1
            while lines[j].startswith("# "):
                comment.insert(0, lines[j][2:])
                j -= 1
            joined = " ".join(comment)
            assert joined.startswith(meta.title), (name, meta.name)
            for prop in meta.msi:
                assert prop in joined, (name, meta.name, prop)
    assert "[MSI: SQLSERVER_SERVER]" in text


def test_save_is_0600_and_replaces_a_0644_file(tmp_path):
    a = read_file(CONTOSO).answers
    path = tmp_path / "a.toml"
    path.write_text("old", encoding="utf-8")
    os.chmod(path, 0o644)
    save(a, path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert read_file(path).answers == a
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.toml"]  # no temp file left


def test_save_is_atomic(tmp_path, monkeypatch):
    a = read_file(CONTOSO).answers
    path = tmp_path / "a.toml"
    path.write_text("original\n", encoding="utf-8")
    calls = []

    def boom(src, dst):
        calls.append((src, dst))
        raise OSError("disk on fire")

    monkeypatch.setattr(atomic.os, "replace", boom)
    with pytest.raises(OSError, match="disk on fire"):
        save(a, path)
    assert calls, "the save did not go through a rename"
    assert path.read_text(encoding="utf-8") == "original\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.toml"]


def test_save_fsyncs_before_rename(tmp_path, monkeypatch):
    order = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(atomic.os, "fsync", lambda fd: (order.append("fsync"), real_fsync(fd)))
    monkeypatch.setattr(atomic.os, "replace",
                        lambda s, d: (order.append("replace"), real_replace(s, d)))
    save(read_file(CONTOSO).answers, tmp_path / "a.toml")
    assert order.index("fsync") < order.index("replace")


# --- load -> save -> load -------------------------------------------------------------------

@pytest.mark.parametrize("path", answer_file_paths(), ids=lambda p: p.name)
def test_load_save_load(tmp_path, path):
    first = read_file(path)
    assert first.answers is not None, [p.format() for p in first.problems]
    saved = save(first.answers, tmp_path / path.name)
    second = read_file(saved)
    assert second.answers == first.answers
    assert second.problems == [p.at(str(saved), p.line) for p in first.problems] or [
        (p.path, p.message) for p in second.problems
    ] == [(p.path, p.message) for p in first.problems]
    assert dump(second.answers) == saved.read_text(encoding="utf-8")  # a fixed point


def test_unknown_keys_survive_dump_data():
    data = contoso_data()
    data["database"]["servr"] = "x"
    data["extra_top"] = 1
    text = dump_data(data)
    again = load_text(text)
    assert again.data["database"]["servr"] == "x"
    assert again.data["extra_top"] == 1


def test_extra_properties_round_trip():
    data = contoso_data()
    data["msi"] = {"extra_properties": {"SQLSERVER_TIMEOUT": "600", "X_Y": 'a "b" ünï c'}}
    a = AnswerFile.model_validate(data)
    text = dump(a)
    assert "[msi.extra_properties]" in text
    assert load_text(text).answers == a


"""`python -m tui validate FILE` on malformed answer files (tests/malformed/ and generated ones):
exit 1 (invalid) or 2 (unreadable), a message naming the file (and the line where there is one),
never a traceback, and it finishes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support.cli import run_cli, run_cli_process
from tests.support.paths import ROOT

MALFORMED = ROOT / "tests" / "malformed"
TIMEOUT = 60

# file -> (exit code, line of the first message or None, text the output must hold)
EXPECTED: dict[str, tuple[int, int | None, str]] = {
    "syntax_unclosed_string.toml": (1, 8, "TOML syntax"),
    "syntax_missing_value.toml": (1, 8, "TOML syntax"),
    "syntax_missing_equals.toml": (1, 8, "Expected '='"),
    "syntax_duplicate_key.toml": (1, 9, "Cannot overwrite"),
    "syntax_duplicate_table.toml": (1, 30, "twice"),
    "syntax_bad_table_header.toml": (1, 10, "table declaration"),
    "syntax_unclosed_inline_table.toml": (1, 20, "inline table"),
    "syntax_ini_style.toml": (1, 8, "Expected '='"),
    "syntax_json_document.toml": (1, 1, "TOML syntax"),
    "syntax_yaml_document.toml": (1, 1, "TOML syntax"),
    "syntax_windows_path_double_quotes.toml": (1, 28, "single quotes"),
    "syntax_bare_string_value.toml": (1, 8, "Invalid value"),
    "syntax_dotted_key_redefines_table.toml": (1, 9, "TOML syntax"),
    "missing_schema_version.toml": (1, None, "schema_version: is required"),
    "schema_version_2.toml": (1, 1, "set schema_version = 1"),
    "schema_version_string.toml": (1, 1, "set schema_version = 1"),
    "schema_version_float.toml": (1, 1, "set schema_version = 1"),
    "unknown_top_level_key.toml": (1, 7, "did you mean 'database'?"),
    "unknown_field_key.toml": (1, 7, "did you mean 'server'?"),
    "unknown_key_in_password.toml": (1, 20, "did you mean 'prompt'?"),
    "wrong_type_port_string.toml": (1, 124, "registration_portal.port: has the wrong type"),
    "wrong_type_bool_string.toml": (1, 12, "mail.use_ssl: has the wrong type"),
    "wrong_type_section_is_string.toml": (1, 2, "database: has the wrong type"),
    "wrong_type_components_array.toml": (1, 2, "components: has the wrong type"),
    "wrong_type_password_number.toml": (1, 20, "service_account.password"),
    "wrong_type_date.toml": (1, 8, "database.server: has the wrong type"),
    "array_of_tables_section.toml": (1, 7, "database: has the wrong type"),
    "missing_section_database.toml": (1, None, "section [database] is required"),
    "missing_section_install.toml": (1, None, "section [install] is required"),
    "missing_required_field.toml": (1, 21, "synchronization.ma_account: is required"),
    "empty_file.toml": (1, None, "schema_version: is required"),
    "comments_only.toml": (1, None, "schema_version: is required"),
    "invalid_email_contoso.toml": (1, 19, "looks like a domain"),
    "invalid_port_zero.toml": (1, 147, "reset_portal.port"),
    "invalid_thumbprint.toml": (1, 27, "40 hex digits"),
    "sspr_service_address_url.toml": (1, 153, "corpidname.domain.local"),
    "ma_account_is_service_account.toml": (1, 23, "must differ"),
    # the installer takes it (it checks the name only): unwise, so a warning (#14.3)
    "mail_localhost_with_ssl.toml": (0, 12, "mail.use_ssl"),
    "sspr_port_5725.toml": (1, 124, "5725"),
    "gmsa_with_password.toml": (1, 19, "no password"),
    "extra_property_lower_case.toml": (1, 30, "not a public MSI property name"),
    "crlf_with_error.toml": (1, 8, "not a SQL Server name"),
    "utf16_le_bom.toml": (2, None, "UTF-16"),
    "utf16_be_bom.toml": (2, None, "UTF-16"),
    "latin1_bytes.toml": (2, 17, "not UTF-8"),
    "binary_junk.toml": (2, None, "binary"),
    "nul_in_text.toml": (2, None, "binary"),
    "valid_utf8_bom.toml": (0, None, "valid"),  # Notepad's BOM: valid, not malformed
}


def test_every_malformed_file_has_an_expectation():
    on_disk = {p.name for p in MALFORMED.iterdir()}
    assert on_disk == set(EXPECTED)
    assert sum(1 for code, _, _ in EXPECTED.values() if code) >= 30


def check_run(path: Path | str, code: int, line: int | None, needle: str):
    try:
        r = run_cli("validate", str(path), timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"validate {path} did not finish in {TIMEOUT}s")
    out = r.stdout + r.stderr
    assert "Traceback" not in out
    assert "internal error" not in out
    assert r.returncode == code, out
    assert needle in out, out
    first = out.splitlines()[0]
    assert first.startswith(str(path)), out  # the message names the file
    if line is not None:
        assert first.startswith(f"{path}:{line}: "), out
    if code:
        assert f"{path}: {'unreadable' if code == 2 else 'invalid'}" in r.stdout
    return r


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_file(name):
    code, line, needle = EXPECTED[name]
    check_run(f"tests/malformed/{name}", code, line, needle)


# --- generated: too big, too deep, not a file -----------------------------------------------

def test_ten_megabyte_file(tmp_path):
    path = tmp_path / "huge.toml"
    line = b'# ' + b"x" * 1021 + b"\n"
    with path.open("wb") as f:
        f.write(b"schema_version = 1\n")
        for _ in range(10 * 1024):
            f.write(line)
    assert path.stat().st_size >= 10 * 1024 * 1024
    check_run(path, 2, None, "KiB")


@pytest.mark.parametrize("depth", [50, 300, 5000, 200_000])
def test_deeply_nested_arrays(tmp_path, depth):
    path = tmp_path / f"arrays{depth}.toml"
    path.write_text("schema_version = 1\n[msi.extra_properties]\nX = "
                    + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    check_run(path, 1 if depth * 2 < 1024 * 1024 else 2, None, "error")


@pytest.mark.parametrize("depth", [50, 300, 5000])
def test_deeply_nested_inline_tables(tmp_path, depth):
    path = tmp_path / f"inline{depth}.toml"
    path.write_text("schema_version = " + "{ a = " * depth + "1" + " }" * depth + "\n",
                    encoding="utf-8")
    check_run(path, 1, None, "error")


@pytest.mark.parametrize("depth", [50, 5000])
def test_deeply_nested_table_headers(tmp_path, depth):
    path = tmp_path / f"tables{depth}.toml"
    path.write_text("schema_version = 1\n[" + ".".join(["components"] * depth) + "]\nk = 1\n",
                    encoding="utf-8")
    check_run(path, 1, None, "components")


def test_deeply_nested_schema_version_value(tmp_path):
    path = tmp_path / "deepversion.toml"
    path.write_text("schema_version = " + "[" * 400 + "]" * 400 + "\n", encoding="utf-8")
    check_run(path, 1, None, "schema_version")


def test_many_tables(tmp_path):
    path = tmp_path / "wide.toml"
    path.write_text("schema_version = 1\n" + "".join(f"[t{i}]\nk = {i}\n" for i in range(20000)),
                    encoding="utf-8")
    check_run(path, 1, None, "unknown key")


def test_directory(tmp_path):
    check_run(tmp_path, 2, None, "directory")


def test_nonexistent_path(tmp_path):
    check_run(tmp_path / "nope.toml", 2, None, "does not exist")


def test_unreadable_file(tmp_path):
    # Permissions do not stop root (CI runs as root); a path through a file fails for everyone.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    check_run(blocker / "answers.toml", 2, None, "cannot be read")


def test_several_files_worst_code_wins():
    """Through the console script: the exit status is the process's."""
    r = run_cli_process("validate", "answers/contoso.toml", "tests/malformed/schema_version_2.toml",
                "tests/malformed/binary_junk.toml")
    assert r.returncode == 2
    assert "answers/contoso.toml: valid" in r.stdout
    assert "schema_version_2.toml: invalid" in r.stdout
    assert "binary_junk.toml: unreadable" in r.stdout


def test_usage_error_is_exit_2():
    r = run_cli_process("validate")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr

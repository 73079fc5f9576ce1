"""`mimsetup import` then `plan` of silent-install lines published in community scripts (each
case names its source, tests/support/published.py): the answer file is valid, and the plan
passes every non-secret property of the original with its value, adding none the original
lacked but the package's own defaults (msi.PACKAGE_DEFAULTS) and mimsetup's REBOOT policy."""

from __future__ import annotations

import json
import re
import tomllib

import pytest

from tests.support.cli import run_cli
from tests.support.published import PASSWORD, PUBLISHED
from tui.model.importer import extract_command, from_command_line, parse_arguments
from tui.model.msi import FIXED_PROPERTIES, PACKAGE_DEFAULTS
from tui.model.secrets import named_like_secret

# FIM-in-a-Box passes the reset account's password as RESET_ACCOUNT_NAME (and RESET_ACCOUNT
# whole): the plan passes the name from RESET_ACCOUNT instead, and import says so.
DELIBERATE = {("fim-in-a-box-r2", "RESET_ACCOUNT_NAME")}


def _plan(tmp_path, case):
    src = tmp_path / "original.ps1"
    src.write_text(case.text, encoding="utf-8")
    out = tmp_path / "imported.toml"
    r = run_cli("import", "--from-file", str(src), "-o", str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert PASSWORD not in r.stdout + r.stderr + out.read_text(encoding="utf-8")
    v = run_cli("validate", str(out), cwd=tmp_path)
    if "/i \"\\\\" in case.text:
        # The package on a share: refused (the install's WinRM logon cannot reach it, #15.7)
        # until the admin copies it to the target, as the remedy says.
        assert v.returncode == 1 and "install.msi_path" in v.stdout + v.stderr, v.stdout
        assert "network share" in v.stdout + v.stderr
        copied = "msi_path = 'C:\\Install\\Service and Portal.msi'"
        out.write_text(re.sub(r"^msi_path = .*$", lambda _: copied, out.read_text("utf-8"),
                              flags=re.M), encoding="utf-8")
        v = run_cli("validate", str(out), cwd=tmp_path)
    assert v.returncode == 0, v.stdout + v.stderr  # nothing the installer would take is refused
    p = run_cli("plan", "--format", "json", str(out), cwd=tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    return json.loads(p.stdout)["properties"], r.stderr, tomllib.loads(out.read_text("utf-8"))


@pytest.mark.parametrize("case", PUBLISHED, ids=lambda c: c.name)
def test_published_line_imports_and_plans_as_published(tmp_path, case):
    planned, notes, _ = _plan(tmp_path, case)
    original = parse_arguments(extract_command(case.text))[1]
    for prop, value in original.items():
        if named_like_secret(prop):
            assert planned[prop] == "********"  # passed, masked
        elif (case.name, prop) not in DELIBERATE:
            assert planned.get(prop) == value, f"{prop}: {value!r} became {planned.get(prop)!r}"
    fixed = dict(FIXED_PROPERTIES)
    for prop, value in planned.items():
        if prop in original:
            continue
        if prop in fixed:  # msiexec's own, the twin of the /norestart the plan passes
            assert value == fixed[prop]
            continue
        assert PACKAGE_DEFAULTS.get(prop) == value, f"{prop}={value} added"
        assert f"{prop}={value} added: the package's own default" in notes


def test_what_the_line_left_to_the_package_stays_left():
    case = next(c for c in PUBLISHED if c.name == "xmimdsc-pam-gmsa")
    data = from_command_line(case.text).data
    # no MAIL_SERVER_USE_SSL or MAIL_SERVER_IS_EXCHANGE in the original: not made up
    assert {"MAIL_SERVER_USE_SSL", "MAIL_SERVER_IS_EXCHANGE"} <= set(
        data["msi"]["package_defaults"])
    assert data["service_account"]["managed"] is True
    assert "password" not in data["service_account"]


def test_a_password_given_as_an_account_name_is_not_passed_on(tmp_path):
    case = next(c for c in PUBLISHED if c.name == "fim-in-a-box-r2")
    planned, notes, _ = _plan(tmp_path, case)
    assert planned["RESET_ACCOUNT_NAME"] == "svcFIMPwdReset"
    assert "RESET_ACCOUNT_NAME differs from RESET_ACCOUNT" in notes
    assert PASSWORD not in notes


def test_an_argument_list_built_in_a_variable_is_found():
    case = next(c for c in PUBLISHED if c.name == "xmimdsc-exchange-online")
    assert "$Arguments" in case.text and "-ArgumentList $Arguments" in case.text
    assert parse_arguments(extract_command(case.text))[1]["MAIL_SERVER"] == (
        "outlook.office365.com")


def test_a_line_without_the_synchronization_server_is_the_packages_default(tmp_path):
    # The package sets SYNCHRONIZATION_SERVER to this computer itself (SetServerToComputer in the
    # reference log): a line that leaves it out is one the installer takes, and the plan leaves it
    # out too.
    case = next(c for c in PUBLISHED if c.name == "fim-in-a-box-r2-no-reset")
    line = case.text.replace("SYNCHRONIZATION_SERVER=FIM01 ", "")
    planned, _, data = _plan(tmp_path, type(case)("no-sync-server", "", line))
    assert "server" not in data["synchronization"]
    assert "SYNCHRONIZATION_SERVER" not in planned

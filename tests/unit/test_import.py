# ruff: noqa: E501 - the command lines below are quoted as published, one line each
"""`mimsetup import`: .cmd with ^ continuations, .ps1 Start-Process, the reference document's
published command line, stdin; unknown properties kept, passwords moved to a 0600 secrets file;
`plan` of the imported file reproduces every non-secret property of the original."""

from __future__ import annotations

import json
import os
import stat
import tomllib
from pathlib import Path

import pytest

from tests.support.answers import SENTINEL
from tests.support.cli import run_cli
from tests.support.paths import SHARED
from tui.model.importer import (
    ImportProblem,
    extract_command,
    from_command_line,
    parse_arguments,
)
from tui.model.msi import build_plan
from tui.model.secrets import named_like_secret
from tui.model.validation import validate_data

SECRET_PROPS = {"SERVICE_ACCOUNT_PASSWORD", "REGISTRATION_ACCOUNT_PASSWORD",
                "RESET_ACCOUNT_PASSWORD", "SERVICE_ACCOUNT_EMAIL_PASSWORD"}

# The published command line of ../shared/reference/mim-service-portal.md, section 2, as printed
# there (wrapped over indented lines).
REFERENCE_COMMAND = """\
msiexec /q /i "Service and Portal.msi" ACCEPT_EULA=1 ADDLOCAL=CommonServices,WebPortals SQMOPTINSETTING=0
  SQLSERVER_SERVER=sql01 SQLSERVER_DATABASE=FIMService EXISTINGDATABASE=0 MAIL_SERVER=ex.demo.local
  MAIL_SERVER_IS_EXCHANGE=1 POLL_EXCHANGE_ENABLED=1 SERVICE_ACCOUNT_NAME=svc SERVICE_ACCOUNT_PASSWORD="..."
  SERVICE_ACCOUNT_DOMAIN=demo SERVICE_ACCOUNT_EMAIL=fim@demo.local SYNCHRONIZATION_SERVER=sync01
  SYNCHRONIZATION_SERVER_ACCOUNT="demo\\ma" SERVICEADDRESS=fim01 SHAREPOINT_URL=http://fim01
  REGISTRATION_PORTAL_URL=https://pwd.demo.local FIREWALL_CONF=1 SHAREPOINTUSERS_CONF=1
  REQUIRE_REGISTRATION_INFO=1 /L*v C:\\fimservicelog.txt
"""
REFERENCE_DOC = SHARED / "reference" / "mim-service-portal.md"

CMD_FILE = (
    "@echo off\r\n"
    "REM Install MIM Service and Portal (msiexec, silent)\r\n"
    ":: the service account password is in the line below\r\n"
    'msiexec.exe /i "C:\\Install\\Service and Portal\\Service and Portal.msi" /qn ^\r\n'
    "  ADDLOCAL=CommonServices,WebPortals,RegistrationPortal ^\r\n"
    "  SQLSERVER_SERVER=corpsql\\MIM,1433 SQLSERVER_DATABASE=FIMService EXISTINGDATABASE=1 ^\r\n"
    "  MAIL_SERVER=localhost MAIL_SERVER_USE_SSL=0 MAIL_SERVER_IS_EXCHANGE=0 ^\r\n"
    "  POLL_EXCHANGE_ENABLED=0 ^\r\n"
    "  SERVICE_ACCOUNT_NAME=MIMService SERVICE_ACCOUNT_DOMAIN=contoso ^\r\n"
    f'  SERVICE_ACCOUNT_EMAIL=MIMService@contoso.local SERVICE_ACCOUNT_PASSWORD="{SENTINEL}" ^\r\n'
    "  SYNCHRONIZATION_SERVER=CORPIDM SYNCHRONIZATION_SERVER_ACCOUNT=contoso\\MIMMA ^\r\n"
    '  SERVICEADDRESS=CORPIDM SHAREPOINT_URL=http://CorpIDM.contoso.local ^\r\n'
    "  REGISTRATION_PORTAL_URL=http://CorpIDM.contoso.local:8080 ^\r\n"
    "  FIREWALL_CONF=1 SHAREPOINTUSERS_CONF=1 ^\r\n"
    "  REGISTRATION_ACCOUNT_NAME=MIMSSPR REGISTRATION_ACCOUNT_DOMAIN=contoso ^\r\n"
    '  REGISTRATION_ACCOUNT_PASSWORD="pa ss ""word"" é" REGISTRATION_HOSTNAME=CORPIDM ^\r\n'
    "  REGISTRATION_PORT=8080 REGISTRATION_FIREWALL_CONF=1 ^\r\n"
    "  REGISTRATION_SERVERNAME=CorpIDM.contoso.local IS_REGISTRATION_EXTRANET=None ^\r\n"
    '  REQUIRE_REGISTRATION_INFO=1 SQLSERVER_TIMEOUT=600 CUSTOM_NOTE="a ""quoted"" café" ^\r\n'
    '  /l*v "C:\\Windows\\Temp\\mim install.log"\r\n'
    "if errorlevel 1 echo failed & exit /b 1\r\n"
)

PS1_FILE = f"""\
# Install MIM 2016 Service and Portal
$ErrorActionPreference = 'Stop'
$msi = 'C:\\Install\\Service and Portal\\Service and Portal.msi'
Start-Process msiexec.exe -ArgumentList '/i "C:\\Install\\Service and Portal\\Service and Portal.msi" /qn ADDLOCAL=CommonServices SQLSERVER_SERVER=corpsql SQLSERVER_DATABASE=FIMService EXISTINGDATABASE=0 MAIL_SERVER=mail.contoso.local MAIL_SERVER_USE_SSL=1 MAIL_SERVER_IS_EXCHANGE=1 POLL_EXCHANGE_ENABLED=1 SERVICE_ACCOUNT_NAME=MIMService SERVICE_ACCOUNT_DOMAIN=contoso SERVICE_ACCOUNT_EMAIL=MIMService@contoso.local SERVICE_ACCOUNT_PASSWORD="{SENTINEL} it''s" SYNCHRONIZATION_SERVER=corpsync.contoso.local SYNCHRONIZATION_SERVER_ACCOUNT=contoso\\MIMMA FIREWALL_CONF=1 SHAREPOINTUSERS_CONF=0 CERTIFICATE_THUMBPRINT=0123456789abcdef0123456789abcdef01234567 SQLSERVER_TIMEOUT=900 /l*v! C:\\Temp\\mim.log' -Wait -NoNewWindow
Write-Host "done"
"""


def non_secret(props: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in props.items() if k not in SECRET_PROPS and not named_like_secret(k)}


def original_props(text: str) -> dict[str, str]:
    return parse_arguments(extract_command(text))[1]


def import_via_cli(tmp_path: Path, *args: str, input: str | None = None):
    out = tmp_path / "imported.toml"
    r = run_cli("import", *args, "-o", str(out), input=input, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert SENTINEL not in r.stdout + r.stderr
    return out, r


def plan_json(path: Path) -> dict:
    r = run_cli("plan", "--format", "json", str(path))
    assert r.returncode == 0, r.stdout + r.stderr
    return json.loads(r.stdout)


def assert_reproduced(original: dict[str, str], planned: dict[str, str]):
    for prop, value in non_secret(original).items():
        assert prop in planned, f"{prop} lost"
        assert planned[prop] == value, prop


def assert_private(path: Path):
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


# --- a .cmd with ^ continuations ------------------------------------------------------------

def test_cmd_file(tmp_path):
    src = tmp_path / "install.cmd"
    src.write_bytes(CMD_FILE.encode("utf-8"))
    out, r = import_via_cli(tmp_path, "--from-file", str(src))
    secrets = tmp_path / "imported.secrets.toml"
    assert_private(out)
    assert_private(secrets)
    text = out.read_text(encoding="utf-8")
    assert SENTINEL not in text
    stored = tomllib.loads(secrets.read_text(encoding="utf-8"))
    assert stored == {"SERVICE_ACCOUNT_PASSWORD": SENTINEL,
                      "REGISTRATION_ACCOUNT_PASSWORD": 'pa ss "word" é'}
    assert secrets.read_text(encoding="utf-8").startswith("#")
    data = tomllib.loads(text)
    assert data["service_account"]["password"] == {
        "file": "imported.secrets.toml", "key": "SERVICE_ACCOUNT_PASSWORD"}
    assert data["msi"]["extra_properties"] == {"SQLSERVER_TIMEOUT": "600",
                                               "CUSTOM_NOTE": 'a "quoted" café'}
    assert data["database"]["server"] == "corpsql\\MIM,1433"
    assert data["install"]["log_path"] == "C:\\Windows\\Temp\\mim install.log"
    plan = plan_json(out)
    assert_reproduced(original_props(CMD_FILE), plan["properties"])
    assert plan["msi"] == "C:\\Install\\Service and Portal\\Service and Portal.msi"
    assert plan["log"] == "C:\\Windows\\Temp\\mim install.log"
    assert plan["properties"]["SERVICE_ACCOUNT_PASSWORD"] == "********"
    # the secrets the plan leaves to the install resolve from the secrets file
    loaded = validate_data(data, str(out))
    assert loaded.ok, [p.format() for p in loaded.problems]


def test_cmd_continuations_are_one_command():
    args = extract_command(CMD_FILE)
    assert "^" not in args
    assert "errorlevel" not in args
    _, props = parse_arguments(args)
    assert props["IS_REGISTRATION_EXTRANET"] == "None"
    assert props["CUSTOM_NOTE"] == 'a "quoted" café'


# --- a .ps1 with Start-Process msiexec.exe -ArgumentList '...' -Wait -------------------------

def test_ps1_file(tmp_path):
    src = tmp_path / "install.ps1"
    src.write_text(PS1_FILE, encoding="utf-8")
    out, _ = import_via_cli(tmp_path, "--from-file", str(src))
    props = original_props(PS1_FILE)
    assert props["SERVICE_ACCOUNT_PASSWORD"] == f"{SENTINEL} it's"
    assert "-Wait" not in " ".join(props.values())
    secrets = tomllib.loads((tmp_path / "imported.secrets.toml").read_text(encoding="utf-8"))
    assert secrets == {"SERVICE_ACCOUNT_PASSWORD": f"{SENTINEL} it's"}
    data = tomllib.loads(out.read_text(encoding="utf-8"))
    assert data["certificate"]["mode"] == "existing"
    assert data["msi"]["extra_properties"] == {"SQLSERVER_TIMEOUT": "900"}
    plan = plan_json(out)
    original = non_secret(props)
    original["CERTIFICATE_THUMBPRINT"] = original["CERTIFICATE_THUMBPRINT"].upper()  # normalised
    assert_reproduced(original, plan["properties"])
    assert plan["log"] == "C:\\Temp\\mim.log"


def test_ps1_utf16_file(tmp_path):
    src = tmp_path / "install.ps1"
    src.write_bytes(PS1_FILE.encode("utf-16"))  # Windows PowerShell 5's default
    out, _ = import_via_cli(tmp_path, "--from-file", str(src))
    assert tomllib.loads(out.read_text(encoding="utf-8"))["database"]["server"] == "corpsql"


# --- the reference document's published command line -----------------------------------------

def test_reference_command_is_the_documents():
    assert REFERENCE_COMMAND in REFERENCE_DOC.read_text(encoding="utf-8")


def test_reference_command_line_nothing_lost():
    imported = from_command_line(REFERENCE_COMMAND)
    props = original_props(REFERENCE_COMMAND)
    assert len(props) == 21  # every line of the wrapped command was read
    assert props["REQUIRE_REGISTRATION_INFO"] == "1"
    assert imported.secrets == {"SERVICE_ACCOUNT_PASSWORD": "..."}
    data = imported.data
    assert data["components"]["service"] and data["components"]["portal"]
    assert not data["components"]["registration_portal"]
    assert data["database"] == {"server": "sql01", "name": "FIMService", "existing": False}
    assert data["synchronization"]["ma_account"] == "demo\\ma"
    assert data["portal"]["registration_url"] == "https://pwd.demo.local"
    assert data["install"]["log_path"] == "C:\\fimservicelog.txt"
    # REQUIRE_REGISTRATION_INFO=1 without the Registration portal: passed through as it was
    assert data["msi"]["extra_properties"] == {"REQUIRE_REGISTRATION_INFO": "1"}


def test_reference_command_line_via_stdin_then_plan(tmp_path):
    out, r = import_via_cli(tmp_path, input=REFERENCE_COMMAND)
    # the document's relative MSI name is the one thing to fix by hand; validate says so
    v = run_cli("validate", str(out))
    assert v.returncode == 1
    assert "install.msi_path" in v.stdout and "absolute Windows path" in v.stdout
    text = out.read_text(encoding="utf-8").replace(
        'msi_path = "Service and Portal.msi"',
        "msi_path = 'C:\\Install\\Service and Portal\\Service and Portal.msi'",
    )
    out.write_text(text, encoding="utf-8")
    plan = plan_json(out)
    assert_reproduced(original_props(REFERENCE_COMMAND), plan["properties"])


def test_command_line_argument(tmp_path):
    line = ('msiexec /i "C:\\x y\\Service and Portal.msi" /qn ADDLOCAL=CommonServices '
            "SQLSERVER_SERVER=corpsql MAIL_SERVER=localhost MAIL_SERVER_USE_SSL=0 "
            "MAIL_SERVER_IS_EXCHANGE=0 POLL_EXCHANGE_ENABLED=0 SERVICE_ACCOUNT_NAME=MIMService "
            "SERVICE_ACCOUNT_DOMAIN=contoso SERVICE_ACCOUNT_EMAIL=MIMService@contoso.local "
            "SYNCHRONIZATION_SERVER=CORPIDM SYNCHRONIZATION_SERVER_ACCOUNT=contoso\\MIMMA "
            "FIREWALL_CONF=1 SHAREPOINTUSERS_CONF=1 UNKNOWN_THING=\"x  y\"")
    out, _ = import_via_cli(tmp_path, line)
    assert not (tmp_path / "imported.secrets.toml").exists()
    plan = plan_json(out)
    assert_reproduced(original_props(line), plan["properties"])
    assert plan["properties"]["UNKNOWN_THING"] == "x  y"


def test_import_to_stdout_refuses_passwords():
    r = run_cli("import", input=REFERENCE_COMMAND)
    assert r.returncode == 2
    assert "-o FILE" in r.stderr
    assert "..." not in r.stdout


def test_import_to_stdout_without_passwords():
    r = run_cli("import", "msiexec /i C:\\x.msi ADDLOCAL=CommonServices FOO=bar")
    assert r.returncode == 0
    data = tomllib.loads(r.stdout)
    assert data["msi"]["extra_properties"] == {"FOO": "bar"}
    assert r.stdout.startswith("#:schema")


def test_import_does_not_overwrite(tmp_path):
    (tmp_path / "imported.toml").write_text("mine", encoding="utf-8")
    r = run_cli("import", "msiexec /i C:\\x.msi FOO=1", "-o", str(tmp_path / "imported.toml"))
    assert r.returncode == 2 and "--force" in r.stderr
    assert (tmp_path / "imported.toml").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("text", ["", "hello world", "echo msiexec is great", 'msiexec /i "x.msi'])
def test_nothing_to_import(text):
    with pytest.raises(ImportProblem):
        from_command_line(text)


def test_nothing_to_import_cli():
    r = run_cli("import", "hello world")
    assert r.returncode == 1
    assert "no msiexec command line" in r.stderr
    assert "Traceback" not in r.stderr


# --- the importer in detail -------------------------------------------------------------------

def test_addlocal_all_remove():
    data = from_command_line("msiexec /i C:\\x.msi ADDLOCAL=ALL REMOVE=PAMServices").data
    comps = data["components"]
    assert comps["service"] and comps["portal"] and comps["reporting"]
    assert not comps["pam"]


def test_sspr_account_from_name_and_domain():
    data = from_command_line(
        "msiexec /i C:\\x.msi ADDLOCAL=ResetPortal RESET_ACCOUNT_NAME=MIMSSPRService "
        "RESET_ACCOUNT_DOMAIN=Contoso IS_RESET_EXTRANET=Extranet RESET_PORT=8088"
    ).data
    assert data["reset_portal"]["account"] == "Contoso\\MIMSSPRService"
    assert data["reset_portal"]["extranet"] is True
    assert data["reset_portal"]["port"] == 8088


def test_properties_of_unselected_components_pass_through():
    line = ("msiexec /i C:\\x.msi ADDLOCAL=CommonServices REGISTRATION_PORT=65535 "
            "REGISTRATION_HOSTNAME=CORPIDM")
    data = from_command_line(line).data
    assert "registration_portal" not in data
    assert data["msi"]["extra_properties"] == {"REGISTRATION_PORT": "65535",
                                               "REGISTRATION_HOSTNAME": "CORPIDM"}


def test_all_digit_thumbprint_stays_text():
    data = from_command_line("msiexec /i C:\\x.msi CERTIFICATE_THUMBPRINT=" + "1" * 40).data
    assert data["certificate"] == {"thumbprint": "1" * 40, "mode": "existing"}


def test_reboot_other_than_ours_is_kept():
    imported = from_command_line("msiexec /i C:\\x.msi REBOOT=Force")
    assert imported.data["msi"]["extra_properties"] == {"REBOOT": "Force"}
    assert imported.notes
    same = from_command_line("msiexec /i C:\\x.msi REBOOT=ReallySuppress")
    assert "msi" not in same.data


def test_a_password_in_a_plan_built_from_the_import_is_masked():
    imported = from_command_line(REFERENCE_COMMAND.replace('"..."', f'"{SENTINEL}"'))
    data = imported.data
    data["service_account"]["password"]["file"] = "s.toml"
    data["install"]["msi_path"] = "C:\\x.msi"
    plan = build_plan(validate_data(data).answers)
    assert SENTINEL not in plan.command_line()
    assert imported.secrets["SERVICE_ACCOUNT_PASSWORD"] == SENTINEL


# --- passwords whatever the selection (#12.2) --------------------------------------------------

UNSELECTED = (
    'msiexec /i "C:\\Install\\Service and Portal.msi" /qn ADDLOCAL=CommonServices,WebPortals '
    "SQLSERVER_SERVER=corpsql MAIL_SERVER=localhost MAIL_SERVER_USE_SSL=0 "
    "MAIL_SERVER_IS_EXCHANGE=0 POLL_EXCHANGE_ENABLED=0 SERVICE_ACCOUNT_NAME=MIMService "
    "SERVICE_ACCOUNT_DOMAIN=contoso SERVICE_ACCOUNT_EMAIL=MIMService@contoso.local "
    "SYNCHRONIZATION_SERVER=CORPIDM SYNCHRONIZATION_SERVER_ACCOUNT=contoso\\MIMMA "
    "SERVICEADDRESS=CORPIDM SHAREPOINT_URL=http://CorpIDM.contoso.local "
    f'SERVICE_ACCOUNT_PASSWORD="{SENTINEL}-svc" REGISTRATION_ACCOUNT_NAME=MIMSSPR '
    f'REGISTRATION_ACCOUNT_PASSWORD="{SENTINEL}-reg" RESET_ACCOUNT_PASSWORD="{SENTINEL}-res" '
    f'SQL_ADMIN_PWD="{SENTINEL}-sql" SvcPassword="{SENTINEL}-mixed" SQLSERVER_TIMEOUT=600'
)


def test_unselected_and_unknown_passwords_are_secrets():
    imported = from_command_line(UNSELECTED)
    assert set(imported.secrets) == {
        "SERVICE_ACCOUNT_PASSWORD", "REGISTRATION_ACCOUNT_PASSWORD", "RESET_ACCOUNT_PASSWORD",
        "SQL_ADMIN_PWD", "SVCPASSWORD"}
    msi = imported.data["msi"]
    assert msi["extra_properties"] == {"REGISTRATION_ACCOUNT_NAME": "MIMSSPR",
                                       "SQLSERVER_TIMEOUT": "600"}
    assert set(msi["secret_properties"]) == set(imported.secrets) - {"SERVICE_ACCOUNT_PASSWORD"}
    assert SENTINEL not in json.dumps(imported.data)


def test_unselected_passwords_never_printed(tmp_path):
    out, r = import_via_cli(tmp_path, UNSELECTED)
    text = out.read_text(encoding="utf-8")
    assert SENTINEL not in text
    stored = tomllib.loads((tmp_path / "imported.secrets.toml").read_text(encoding="utf-8"))
    assert stored["RESET_ACCOUNT_PASSWORD"] == f"{SENTINEL}-res"
    assert stored["SQL_ADMIN_PWD"] == f"{SENTINEL}-sql"
    data = tomllib.loads(text)
    assert data["msi"]["secret_properties"]["REGISTRATION_ACCOUNT_PASSWORD"] == {
        "file": "imported.secrets.toml", "key": "REGISTRATION_ACCOUNT_PASSWORD"}
    assert validate_data(data, str(out)).ok
    plan = plan_json(out)
    assert_reproduced(original_props(UNSELECTED), plan["properties"])
    for prop in ("REGISTRATION_ACCOUNT_PASSWORD", "RESET_ACCOUNT_PASSWORD", "SQL_ADMIN_PWD"):
        assert plan["properties"][prop] == "********"  # still passed to msiexec, masked
    text_plan = run_cli("plan", str(out))
    assert text_plan.returncode == 0 and SENTINEL not in text_plan.stdout
    for kind in ("powershell", "ansible"):
        exported = run_cli("export", kind, str(out), cwd=tmp_path)
        assert SENTINEL not in exported.stdout + exported.stderr
    # without -o the passwords would go to stdout: refused
    r = run_cli("import", UNSELECTED)
    assert r.returncode == 2 and SENTINEL not in r.stdout + r.stderr


def test_a_secret_property_set_by_a_planned_field_is_a_conflict():
    imported = from_command_line(UNSELECTED)
    imported.refer_to("s.toml")
    data = imported.data
    data["msi"]["secret_properties"]["SERVICE_ACCOUNT_PASSWORD"] = {"prompt": True}
    data["install"]["msi_path"] = "C:\\x.msi"
    problems = [p.format() for p in validate_data(data).problems]
    assert any("SERVICE_ACCOUNT_PASSWORD is set by service_account.password" in p
               for p in problems)

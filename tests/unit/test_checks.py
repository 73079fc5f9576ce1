"""Every cross-field rule in tui.model.crossfield: the problem appears at the field it belongs to,
with its severity, and goes away when the answer file is fixed. Errors block (validate exits 1),
warnings do not (exit 0)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.cli import run_cli
from tui.model.answers import AnswerFile, section_needed, section_types
from tui.model.components import Components
from tui.model.crossfield import cross_field_problems as check
from tui.model.tomlio import dump_data
from tui.model.validation import validate_data


def problems(data: dict[str, Any]) -> dict[str, str]:
    """TOML path -> severity of every problem (field rules and cross-field rules)."""
    loaded = validate_data(data, "test.toml")
    return {p.path: p.severity for p in loaded.problems}


def found(data: dict[str, Any], path: str):
    loaded = validate_data(data, "test.toml")
    hits = [p for p in loaded.problems if p.path == path]
    assert hits, f"no problem at {path}: {[p.format() for p in loaded.problems]}"
    return hits[0]


def test_walkthrough_file_has_no_problem_at_all(data):
    loaded = validate_data(data, "contoso.toml")
    assert loaded.problems == []
    assert loaded.ok
    assert check(loaded.answers) == []


# --- sections are required only when their component is selected ----------------------------

SERVICE_SECTIONS = ["database", "mail", "service_account", "synchronization", "portal"]


@pytest.mark.parametrize("section", SERVICE_SECTIONS)
def test_service_sections_required_with_the_service(data, section):
    del data[section]
    p = found(data, section)
    assert p.severity == "error"
    assert f"[{section}] is required" in p.message
    assert "components.service" in p.message
    assert p.fix.startswith(f"add a [{section}] table")


@pytest.mark.parametrize("section", ["database", "mail", "service_account", "synchronization"])
def test_service_sections_not_required_without_the_service(data, section):
    data["components"]["service"] = False
    del data[section]
    assert section not in problems(data)
    assert validate_data(data).ok


def test_required_section_fix_names_its_required_fields(data):
    del data["database"]
    assert 'server = "corpsql"' in found(data, "database").fix
    del data["synchronization"]
    fix = found(data, "synchronization").fix
    # the server is the package's default (this computer) when left out: not required
    assert "ma_account" in fix and "server" not in fix


def test_portal_section_required_by_service_or_portal(data):
    del data["portal"]
    assert problems(data)["portal"] == "error"
    data["components"]["service"] = False
    assert problems(data)["portal"] == "error"  # the portal alone needs it too
    data["components"]["portal"] = False
    assert "portal" not in problems(data)


@pytest.mark.parametrize("section", ["registration_portal", "reset_portal"])
def test_sspr_sections_required_with_their_component(data, section):
    del data[section]
    p = found(data, section)
    assert p.severity == "error"
    assert f"components.{section}" in p.message
    assert "account" in p.fix and "host_name" in p.fix and "port" in p.fix
    data["components"][section] = False
    assert section not in problems(data)
    assert validate_data(data).ok


def test_install_section_always_required(data):
    del data["install"]
    assert found(data, "install").severity == "error"
    data["components"] = {k: False for k in data["components"]}
    assert problems(data).get("install") == "error"


def test_sections_of_unselected_components_may_stay(data):
    data["components"]["registration_portal"] = False
    data["components"]["reset_portal"] = False
    assert validate_data(data).ok


def test_section_needed_matches_required_by():
    none = Components(service=False, portal=False)
    assert not any(section_needed(n, none) for n in SERVICE_SECTIONS)
    assert section_needed("install", none)
    everything = Components(service=True, portal=True, registration_portal=True,
                            reset_portal=True)
    for name, model in section_types().items():
        if model.required_by:
            assert section_needed(name, everything), name


# --- install --------------------------------------------------------------------------------

def test_eula_must_be_accepted(data):
    data["install"]["accept_eula"] = False
    assert found(data, "install.accept_eula").severity == "error"
    data["install"]["accept_eula"] = True
    assert "install.accept_eula" not in problems(data)


# --- MA account != service account ----------------------------------------------------------

@pytest.mark.parametrize(
    "ma", ["contoso\\MIMService", "CONTOSO\\mimservice", "MIMService@contoso.local"]
)
def test_ma_account_differs_from_service_account(data, ma):
    data["synchronization"]["ma_account"] = ma
    p = found(data, "synchronization.ma_account")
    assert p.severity == "error"
    assert "must differ from the service account" in p.message
    data["synchronization"]["ma_account"] = "contoso\\MIMMA"
    assert "synchronization.ma_account" not in problems(data)


def test_same_name_other_domain_is_another_account(data):
    data["synchronization"]["ma_account"] = "fabrikam\\MIMService"
    assert "synchronization.ma_account" not in problems(data)


# --- SSPR ports -----------------------------------------------------------------------------

@pytest.mark.parametrize("section", ["registration_portal", "reset_portal"])
@pytest.mark.parametrize("port", [5725, 5726])
def test_sspr_ports_avoid_the_service_ports(data, section, port):
    data[section]["port"] = port
    data["portal"].pop("registration_url")
    data["portal"].pop("reset_url")
    p = found(data, f"{section}.port")
    assert p.severity == "error"
    assert str(port) in p.message
    data[section]["port"] = 8090
    assert f"{section}.port" not in problems(data)


def test_sspr_service_ports_ignored_when_component_off(data):
    data["registration_portal"]["port"] = 5725
    data["components"]["registration_portal"] = False
    assert "registration_portal.port" not in problems(data)


def test_two_sspr_portals_same_host_same_port_is_an_error(data):
    data["reset_portal"]["port"] = 8080
    data["portal"]["reset_url"] = "http://CorpIDM.contoso.local:8080"
    p = found(data, "reset_portal.port")
    assert p.severity == "error"
    assert "IIS cannot bind" in p.message
    data["reset_portal"]["port"] = 8088
    data["portal"]["reset_url"] = "http://CorpIDM.contoso.local:8088"
    assert problems(data) == {}


def test_same_port_same_host_in_other_case_is_an_error(data):
    data["reset_portal"]["port"] = 8080
    data["reset_portal"]["host_name"] = "corpidm"
    data["portal"]["reset_url"] = "http://CorpIDM.contoso.local:8080"
    assert problems(data).get("reset_portal.port") == "error"


def test_both_on_port_80_with_different_host_names_is_valid(data):
    data["registration_portal"].update(host_name="pwdreg.contoso.local", port=80)
    data["reset_portal"].update(host_name="pwdreset.contoso.local", port=80)
    data["portal"]["registration_url"] = "http://pwdreg.contoso.local"
    data["portal"]["reset_url"] = "http://pwdreset.contoso.local"
    assert problems(data) == {}
    assert validate_data(data).ok


def test_same_port_only_matters_when_both_portals_selected(data):
    data["reset_portal"]["port"] = 8080
    data["portal"]["reset_url"] = "http://CorpIDM.contoso.local:8080"
    data["components"]["registration_portal"] = False
    assert "reset_portal.port" not in problems(data)


# --- SSPR URLs on the SSPR host with another port: a warning --------------------------------

@pytest.mark.parametrize(
    ("field", "section", "url"),
    [
        ("registration_url", "registration_portal", "http://CorpIDM.contoso.local:8081"),
        ("registration_url", "registration_portal", "http://CorpIDM.contoso.local"),
        ("reset_url", "reset_portal", "http://corpidm:9000"),
        ("reset_url", "reset_portal", "https://CORPIDM.contoso.local"),
    ],
)
def test_sspr_url_with_another_port_is_a_warning(data, field, section, url):
    data["portal"][field] = url
    p = found(data, f"portal.{field}")
    assert p.severity == "warning"
    assert str(data[section]["port"]) in p.message
    assert validate_data(data).ok  # warnings do not block
    data["portal"][field] = f"http://CorpIDM.contoso.local:{data[section]['port']}"
    assert f"portal.{field}" not in problems(data)


def test_sspr_url_on_another_host_is_not_checked(data):
    data["portal"]["registration_url"] = "https://pwd.contoso.com"
    assert "portal.registration_url" not in problems(data)


# --- mail -----------------------------------------------------------------------------------

@pytest.mark.parametrize("field", ["use_ssl", "is_exchange", "poll_exchange", "exchange_online"])
@pytest.mark.parametrize("server", ["localhost", "LOCALHOST", "127.0.0.1"])
def test_mail_localhost_with_ssl_or_exchange_is_a_warning(data, field, server):
    # The installer checks the mail server's name only: it takes these, they are unwise.
    data["mail"]["server"] = server
    data["mail"][field] = True
    if field == "exchange_online":
        data["mail"]["mailbox_password"] = {"prompt": True}
    p = found(data, f"mail.{field}")
    assert p.severity == "warning"
    assert "localhost" in p.message and "mail error" in p.message
    data["mail"][field] = False
    data["mail"].pop("mailbox_password", None)
    assert problems(data) == {}


def test_mail_defaults_with_localhost_are_warnings(data):
    """The wizard's boxes are checked by default; the walkthrough unchecks them."""
    data["mail"] = {"server": "localhost"}
    got = problems(data)
    assert got["mail.use_ssl"] == "warning"
    assert got["mail.is_exchange"] == "warning"


def test_mail_localhost_with_polling_left_at_the_packages_default(data):
    # An imported line that set MAIL_SERVER=localhost and never POLL_EXCHANGE_ENABLED: the
    # installer takes it; the warning says the value is the package's, not the admin's.
    data["mail"] = {"server": "localhost", "use_ssl": False, "is_exchange": False}
    data.setdefault("msi", {})["package_defaults"] = ["POLL_EXCHANGE_ENABLED"]
    p = found(data, "mail.poll_exchange")
    assert p.severity == "warning" and "left at the package's default" in p.message


def test_mail_exchange_server_with_ssl_and_exchange_is_valid(data):
    data["mail"] = {"server": "mail.contoso.local", "use_ssl": True, "is_exchange": True,
                    "poll_exchange": True}
    assert problems(data) == {}


def test_poll_needs_exchange(data):
    data["mail"] = {"server": "smtp.contoso.local", "is_exchange": False, "poll_exchange": True}
    assert found(data, "mail.poll_exchange").severity == "warning"  # taken by the installer
    data["mail"]["poll_exchange"] = False
    assert problems(data) == {}


def test_exchange_online_needs_the_mailbox_password(data):
    data["mail"] = {"server": "outlook.office365.com", "exchange_online": True,
                    "is_exchange": True}
    p = found(data, "mail.mailbox_password")
    assert p.severity == "error"
    assert "Exchange Online" in p.message
    data["mail"]["mailbox_password"] = {"env": "MIM_MAILBOX_PASSWORD"}
    assert problems(data) == {}


def test_mailbox_password_without_exchange_online_is_a_warning(data):
    data["mail"]["mailbox_password"] = {"prompt": True}
    assert found(data, "mail.mailbox_password").severity == "warning"
    assert validate_data(data).ok


# --- certificate ----------------------------------------------------------------------------

def test_existing_certificate_needs_a_thumbprint(data):
    data["certificate"] = {"mode": "existing"}
    assert found(data, "certificate.thumbprint").severity == "error"
    data["certificate"]["thumbprint"] = (
        "\u200e01 23 45 67 89 ab cd ef 01 23 45 67 89 ab cd ef 01 23 45 67"
    )
    assert problems(data) == {}


# --- gMSA -----------------------------------------------------------------------------------

def test_gmsa_valid(data):
    data["service_account"] = {"name": "gmsaMIMSvc$", "domain": "contoso",
                               "email": "MIMService@contoso.local", "managed": True}
    assert problems(data) == {}


def test_gmsa_name_ends_in_dollar(data):
    data["service_account"].update(managed=True, name="gmsaMIMSvc")
    del data["service_account"]["password"]
    p = found(data, "service_account.name")
    assert p.severity == "error" and "$" in p.message and "gmsaMIMSvc$" in p.fix
    data["service_account"]["name"] = "gmsaMIMSvc$"
    assert problems(data) == {}


@pytest.mark.parametrize("password", [{"prompt": True}, {"env": "X"}, "S3ntinel-Pw!"])
def test_gmsa_has_no_password(data, password):
    data["service_account"].update(managed=True, name="gmsaMIMSvc$", password=password)
    p = found(data, "service_account.password")
    assert p.severity == "error"
    assert "no password" in p.message
    assert "S3ntinel" not in p.format()
    del data["service_account"]["password"]
    assert problems(data) == {}


def test_dollar_name_without_managed_is_an_error(data):
    data["service_account"]["name"] = "gmsaMIMSvc$"
    assert found(data, "service_account.managed").severity == "error"
    data["service_account"]["managed"] = True
    del data["service_account"]["password"]
    assert problems(data) == {}


# --- portal fields the portal needs ---------------------------------------------------------

@pytest.mark.parametrize("field", ["service_address", "sharepoint_url"])
def test_portal_needs_service_address_and_sharepoint_url(data, field):
    del data["portal"][field]
    assert found(data, f"portal.{field}").severity == "error"
    data["components"]["portal"] = False
    assert f"portal.{field}" not in problems(data)


# --- SSPR service address must be a host, not a URL -----------------------------------------

@pytest.mark.parametrize("section", ["registration_portal", "reset_portal"])
def test_sspr_service_address_walkthrough_typo(data, section):
    data[section]["service_address"] = "CorpIDname  http://CorpIDname.domain.local"
    p = found(data, f"{section}.service_address")
    assert p.severity == "error"
    assert "not a host name" in p.message
    assert "corpidname.domain.local" in p.message
    data[section]["service_address"] = "CorpIDname.domain.local"
    assert problems(data) == {}


@pytest.mark.parametrize("section", ["registration_portal", "reset_portal"])
def test_sspr_service_address_plain_url(data, section):
    data[section]["service_address"] = "http://CorpIDM.contoso.local"
    p = found(data, f"{section}.service_address")
    assert p.severity == "error" and "corpidm.contoso.local" in p.message


# --- target ---------------------------------------------------------------------------------

def test_basic_over_http_is_a_warning(data):
    data["target"].update(transport="basic", https=False)
    assert found(data, "target.transport").severity == "warning"
    data["target"]["https"] = True
    assert problems(data) == {}


def test_ca_bundle_without_validation_is_a_warning(data):
    data["target"].update(ca_bundle="./ca.pem", validate_certificate=False)
    assert found(data, "target.ca_bundle").severity == "warning"
    data["target"]["validate_certificate"] = True
    assert problems(data) == {}


# --- extra properties may not set what a field sets -----------------------------------------

def test_extra_property_owned_by_a_field(data):
    data["msi"] = {"extra_properties": {"SQLSERVER_SERVER": "other", "SQLSERVER_TIMEOUT": "600"}}
    p = found(data, "msi.extra_properties.SQLSERVER_SERVER")
    assert p.severity == "error" and "database.server" in p.message
    assert "msi.extra_properties.SQLSERVER_TIMEOUT" not in problems(data)
    del data["msi"]["extra_properties"]["SQLSERVER_SERVER"]
    assert problems(data) == {}


def test_extra_property_name_rule(data):
    data["msi"] = {"extra_properties": {"lower_case": "x"}}
    assert found(data, "msi.extra_properties").severity == "error"


# --- errors block, warnings do not: through the CLI -----------------------------------------

def _write(tmp_path, data, name="a.toml"):
    path = tmp_path / name
    path.write_text(dump_data(data), encoding="utf-8")
    return path


def test_cli_error_blocks(tmp_path, data):
    data["synchronization"]["ma_account"] = "contoso\\MIMService"
    data["certificate"] = {"mode": "existing"}  # without its thumbprint
    path = _write(tmp_path, data)
    r = run_cli("validate", str(path))
    assert r.returncode == 1, r.stdout + r.stderr
    assert "synchronization.ma_account" in r.stdout and "certificate.thumbprint" in r.stdout
    assert "invalid (2 errors)" in r.stdout
    plan = run_cli("plan", str(path))
    assert plan.returncode == 1
    assert "msiexec" not in plan.stdout


def test_cli_warning_does_not_block(tmp_path, data):
    data["portal"]["reset_url"] = "http://CorpIDM.contoso.local:9999"
    path = _write(tmp_path, data)
    r = run_cli("validate", str(path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "warning: portal.reset_url" in r.stdout
    assert "valid (1 warning)" in r.stdout
    plan = run_cli("plan", str(path))
    assert plan.returncode == 0
    assert "RESET_PORTAL_URL=http://CorpIDM.contoso.local:9999" in plan.stdout


def test_cli_json_report(tmp_path, data):
    import json

    data["reset_portal"]["port"] = 5726
    path = _write(tmp_path, data)
    r = run_cli("validate", "--json", str(path))
    assert r.returncode == 1
    report = json.loads(r.stdout)
    [entry] = report
    assert entry["valid"] is False
    paths = {(p["path"], p["severity"]) for p in entry["problems"]}
    assert ("reset_portal.port", "error") in paths


def test_model_is_what_the_checks_read(data):
    a = AnswerFile.model_validate(data)
    assert check(a) == []
    a.synchronization.ma_account = "contoso\\MIMService"
    assert [p.path for p in check(a)] == ["synchronization.ma_account"]

"""Every single-value rule in tui.model.rules, with values it takes and values it refuses, and
the wiring of each rule into the model's fields (through fieldvalue, as a form uses them)."""

from __future__ import annotations

import pytest

from tui.model import rules
from tui.model.fieldvalue import adapter, value_problem


def refused(rule, value) -> str:
    with pytest.raises(ValueError) as info:
        rule(value)
    return str(info.value)


# --- host names: NetBIOS (<= 15), RFC 1123 FQDN, IP ----------------------------------------

@pytest.mark.parametrize(
    "value",
    [
        "CORPIDM",
        "corpsql",
        "a",
        "A1-B2",
        "123456789012345",  # 15 characters, the NetBIOS maximum
        "corpidm.contoso.local",
        "CorpIDM.contoso.local",
        "a.b",
        "x-1.y-2.example",
        "corpidm.contoso.local.",  # absolute FQDN
        "a" * 63 + ".local",  # a 63-character label
        ".".join(["a" * 61] * 4),  # 247 characters
        "localhost",
        "10.0.0.5",
        "::1",
        "fe80::1",
    ],
)
def test_host_valid(value):
    assert rules.host(value) == value


def test_host_strips_surrounding_blanks():
    assert rules.host("  CORPIDM ") == "CORPIDM"


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("", "required"),
        ("   ", "required"),
        ("1234567890123456", "16 characters"),  # NetBIOS > 15
        ("CORPIDMSERVER-01", "at most 15"),
        ("-corpidm", "hyphen"),
        ("corpidm-", "hyphen"),
        ("corp_idm", "not a valid computer name"),
        ("corp idm", "not a host name"),
        ("corp..local", "not a valid DNS name"),
        ("-a.contoso.local", "not a valid DNS name"),
        ("a-.contoso.local", "not a valid DNS name"),
        ("a" * 64 + ".local", "not a valid DNS name"),
        ("under_score.contoso.local", "not a valid DNS name"),
        (".".join(["a" * 62] * 5), "at most 253"),
        ("http://corpidm.contoso.local", "not a host name"),
        ("corpidm/portal", "not a host name"),
        ("CorpIDname  http://CorpIDname.domain.local", "corpidname.domain.local"),
    ],
)
def test_host_invalid(value, needle):
    assert needle in refused(rules.host, value)


def test_host_url_refusal_suggests_the_host():
    msg = refused(rules.host, "https://corpidm.contoso.local:8080/path")
    assert "write only the name" in msg
    assert "for example corpidm.contoso.local" in msg


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("CorpIDname  http://CorpIDname.domain.local", "corpidname.domain.local"),
        ("http://corpidm.contoso.local:8080/x", "corpidm.contoso.local"),
        ("corpidm", "corpidm"),
        ("", None),
    ],
)
def test_suggest_host(value, expected):
    assert rules.suggest_host(value) == expected


# --- NetBIOS domain -------------------------------------------------------------------------

@pytest.mark.parametrize(
    "value", ["contoso", "CONTOSO", "Contoso", "A", "ABCDEFGHIJKLMNO", "my-dom"]
)
def test_netbios_domain_valid(value):
    assert rules.netbios_domain(value) == value


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("", "required"),
        ("contoso.local", "NetBIOS domain name, for example contoso"),
        ("ABCDEFGHIJKLMNOP", "at most 15"),
        ("con toso", "not a NetBIOS domain name"),
        ("con/toso", "not a NetBIOS domain name"),
        ("con*", "not a NetBIOS domain name"),
    ],
)
def test_netbios_domain_invalid(value, needle):
    assert needle in refused(rules.netbios_domain, value)


# --- sAMAccountName -------------------------------------------------------------------------

@pytest.mark.parametrize(
    "value", ["MIMService", "MIMMA", "svc-mim.01", "a" * 20, "gmsaMIM$", "Jürgen", "MIM SSPR"]
)
def test_sam_account_name_valid(value):
    assert rules.sam_account_name(value) == value


@pytest.mark.parametrize("bad", list('"/\\[]:;|=,+*?<>'))
def test_sam_account_name_refuses_each_forbidden_character(bad):
    msg = refused(rules.sam_account_name, f"MIM{bad}Service")
    assert "cannot contain" in msg and bad in msg


def test_sam_account_name_length():
    assert "21 characters" in refused(rules.sam_account_name, "a" * 21)
    assert "at most 20" in refused(rules.sam_account_name, "a" * 21)


def test_sam_account_name_empty():
    assert "required" in refused(rules.sam_account_name, "  ")


def test_sam_account_name_with_domain_hints_the_domain_field():
    assert "domain in its own field" in refused(rules.sam_account_name, "contoso\\MIMService")


# --- accounts: DOMAIN\user and user@domain --------------------------------------------------

@pytest.mark.parametrize(
    "value",
    [
        "contoso\\MIMMA",
        "Contoso\\MIMSSPRService",
        "CONTOSO\\a" + "b" * 19,
        "MIMMA@contoso.local",
        "mimma@corp.contoso.com",
    ],
)
def test_account_valid(value):
    assert rules.account(value) == value


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("MIMMA", "no domain: write it as CONTOSO\\MIMMA or MIMMA@contoso.local"),
        ("", "no domain"),
        ("contoso.local\\MIMMA", "NetBIOS domain"),
        ("contoso\\", "required"),
        ("\\MIMMA", "domain is required"),
        ("contoso\\" + "a" * 21, "at most 20"),
        ("contoso\\MIM*MA", "cannot contain"),
        ("MIMMA@contoso", "not a valid user@domain.local"),
        ("@contoso.local", "not a valid user@domain.local"),
        ("MIMMA@", "not a valid user@domain.local"),
        ("a" * 21 + "@contoso.local", "at most 20"),
        ("MIMMA@con_toso.local", "not a valid DNS name"),
    ],
)
def test_account_invalid(value, needle):
    assert needle in refused(rules.account, value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("contoso\\MIMMA", ("contoso", "MIMMA")),
        ("MIMMA@contoso.local", ("contoso", "MIMMA")),
    ],
)
def test_split_account(value, expected):
    assert rules.split_account(value) == expected


# --- e-mail ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "value", ["MIMService@contoso.local", "a.b+c@mail.contoso.com", "x@y.zz", " MIM@contoso.local "]
)
def test_email_valid(value):
    assert rules.email(value) == value.strip()


@pytest.mark.parametrize(
    "value", ["MIMService", "MIMService@", "@contoso.local", "MIM@contoso", "a@b@c.d", "a b@c.d",
              "MIM@contoso.", ""]
)
def test_email_invalid(value):
    assert "e-mail address like MIMService@contoso.local" in refused(rules.email, value)


def test_email_walkthrough_example_contoso_is_refused_with_a_hint():
    msg = refused(rules.email, "contoso")
    assert "looks like a domain" in msg
    assert "walkthrough" in msg
    assert "MIMService@contoso.local" in msg


def test_email_field_refuses_contoso():
    msg = value_problem("service_account", "email", "contoso")
    assert msg is not None and "looks like a domain" in msg
    assert value_problem("service_account", "email", "MIMService@contoso.local") is None


# --- URLs -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "value",
    [
        "http://CorpIDM.contoso.local",
        "https://corpidm.contoso.local/",
        "http://CorpIDM.contoso.local:8080",
        "https://pwd.contoso.com:443/reset",
        "http://corpidm",
        "http://10.0.0.5:65535",
        "http://corpidm:1",
    ],
)
def test_url_valid(value):
    assert rules.url(value) == value


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("corpidm.contoso.local", "must start with http:// or https://"),
        ("ftp://corpidm.contoso.local", "must start with http"),
        ("", "must start with http"),
        ("http://", "no host name"),
        ("http:///path", "no host name"),
        ("http://corpidm:0", "invalid port"),
        ("http://corpidm:65536", "invalid port"),
        ("http://corpidm:99999", "invalid port"),
        ("http://corpidm:port", "invalid port"),
        ("http://corp_idm.contoso.local", "not a valid DNS name"),
    ],
)
def test_url_invalid(value, needle):
    assert needle in refused(rules.url, value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("http://CorpIDM.contoso.local:8080", ("corpidm.contoso.local", 8080)),
        ("http://CorpIDM.contoso.local", ("corpidm.contoso.local", 80)),
        ("https://CorpIDM.contoso.local", ("corpidm.contoso.local", 443)),
    ],
)
def test_url_host_port(value, expected):
    assert rules.url_host_port(value) == expected


# --- ports ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [1, 80, 8080, 65535])
def test_port_valid(value):
    assert value_problem("registration_portal", "port", value) is None
    assert adapter("reset_portal", "port").validate_python(value) == value


@pytest.mark.parametrize("value", [0, -1, 65536, 100000])
def test_port_invalid(value):
    msg = value_problem("registration_portal", "port", value)
    assert msg is not None and ("65535" in msg or "1" in msg)


def test_port_is_a_number():
    assert value_problem("reset_portal", "port", "eighty") is not None


# --- SQL Server -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "value",
    [
        "corpsql",
        "corpsql.contoso.local",
        "corpsql\\MIM",
        "corpsql\\SQLEXPRESS",
        "corpsql,1433",
        "corpsql.contoso.local,14330",
        "corpsql\\MIM,1433",
        "10.0.0.7",
        ".",
        "(local)",
        "(local)\\MIM",
        "mimlistener",
    ],
)
def test_sql_server_valid(value):
    assert rules.sql_server(value) == value


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("", "required"),
        ("corp sql", "not a SQL Server name"),
        ("tcp://corpsql", "not a SQL Server name"),
        ("corpsql\\", "not a valid SQL Server instance name"),
        ("corpsql\\1MIM", "not a valid SQL Server instance name"),
        ("corpsql\\" + "A" * 17, "not a valid SQL Server instance name"),
        ("corpsql\\MI-M", "not a valid SQL Server instance name"),
        ("corpsql,", "not a port"),
        ("corpsql,0", "not a port"),
        ("corpsql,65536", "not a port"),
        ("corpsql,abc", "not a port"),
        ("averyveryverylongname", "not a SQL Server name"),
    ],
)
def test_sql_server_invalid(value, needle):
    assert needle in refused(rules.sql_server, value)


# --- SQL database names ---------------------------------------------------------------------

@pytest.mark.parametrize(
    "value", ["FIMService", "MIMService", "_mim", "#temp", "@db", "FIM_Service2", "a" * 123]
)
def test_sql_database_valid(value):
    assert rules.sql_database(value) == value


@pytest.mark.parametrize(
    "value", ["", "1FIM", "FIM Service", "FIM-Service", "FIM.Service", "a" * 124, "FIM;DROP"]
)
def test_sql_database_invalid(value):
    assert "not a valid database name" in refused(rules.sql_database, value)


# --- certificate thumbprint -----------------------------------------------------------------

HEX40 = "0123456789abcdef0123456789ABCDEF01234567"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (HEX40, HEX40.upper()),
        ("01 23 45 67 89 ab cd ef 01 23 45 67 89 AB CD EF 01 23 45 67", HEX40.upper()),
        ("\u200e" + HEX40, HEX40.upper()),  # the invisible mark certlm.msc copies
        ("\u200e01 23 45 67 89 ab cd ef 01 23 45 67 89 ab cd ef 01 23 45 67", HEX40.upper()),
        ("01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67", HEX40.upper()),
        (" " + HEX40 + "\u200f ", HEX40.upper()),
        ("1" * 40, "1" * 40),
    ],
)
def test_thumbprint_valid(value, expected):
    assert rules.thumbprint(value) == expected


@pytest.mark.parametrize(
    ("value", "length"),
    [(HEX40[:-1], 39), (HEX40 + "0", 41), ("", 0), ("G" * 40, 40), ("0x" + HEX40[:38], 40)],
)
def test_thumbprint_invalid(value, length):
    msg = refused(rules.thumbprint, value)
    assert "40 hex digits" in msg and f"has {length} characters" in msg


def test_thumbprint_field_stores_the_cleaned_value():
    thumbprint = adapter("certificate", "thumbprint")
    assert thumbprint.validate_python("\u200e" + HEX40.lower()) == HEX40.upper()


# --- Windows paths, MSI file, MSI property names --------------------------------------------

@pytest.mark.parametrize(
    "value",
    ["C:\\Install\\x.msi", "d:\\", "\\\\server\\share\\Service and Portal.msi", "C:\\Prögram\\a b"],
)
def test_windows_path_valid(value):
    assert rules.windows_path(value) == value


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("Service and Portal.msi", "not an absolute Windows path"),
        ("/opt/x.msi", "not an absolute Windows path"),
        ("C:relative", "not an absolute Windows path"),
        ("C:\\a|b", "cannot hold"),
        ('C:\\a"b', "cannot hold"),
        ("C:\\a?b", "cannot hold"),
    ],
)
def test_windows_path_invalid(value, needle):
    assert needle in refused(rules.windows_path, value)


def test_msi_file():
    assert rules.msi_file("C:\\Install\\Service and Portal.MSI")
    assert "does not end in .msi" in refused(rules.msi_file, "C:\\Install\\setup.exe")


@pytest.mark.parametrize("value", ["SQLSERVER_TIMEOUT", "_X", "A.B", "X1"])
def test_msi_property_name_valid(value):
    assert rules.msi_property_name(value) == value


@pytest.mark.parametrize("value", ["lower", "1ABC", "A-B", "", "A B"])
def test_msi_property_name_invalid(value):
    assert "not a public MSI property name" in refused(rules.msi_property_name, value)


# --- each rule is the one the model's fields use --------------------------------------------

@pytest.mark.parametrize(
    ("section", "name", "good", "bad"),
    [
        ("database", "server", "corpsql\\MIM", "corp sql"),
        ("database", "name", "FIMService", "FIM Service"),
        ("mail", "server", "localhost", "smtp://mail"),
        ("certificate", "thumbprint", HEX40, "abc"),
        ("service_account", "name", "MIMService", "contoso\\MIMService"),
        ("service_account", "domain", "contoso", "contoso.local"),
        ("service_account", "email", "MIMService@contoso.local", "contoso"),
        ("synchronization", "server", "CORPIDM", "CORPIDM SERVER"),
        ("synchronization", "ma_account", "contoso\\MIMMA", "MIMMA"),
        ("portal", "service_address", "CORPIDM", "http://CORPIDM"),
        ("portal", "sharepoint_url", "http://CorpIDM.contoso.local", "CorpIDM.contoso.local"),
        ("portal", "registration_url", "http://CorpIDM:8080", "http://CorpIDM:0"),
        ("portal", "reset_url", "https://CorpIDM", "CorpIDM:8088"),
        ("registration_portal", "account", "contoso\\MIMSSPR", "MIMSSPR"),
        ("registration_portal", "host_name", "CORPIDM", "CORPIDM:8080"),
        ("registration_portal", "port", 8080, 70000),
        ("registration_portal", "service_address", "CorpIDM.contoso.local",
         "CorpIDname  http://CorpIDname.domain.local"),
        ("reset_portal", "account", "Contoso\\MIMSSPRService", "Contoso\\MIMSSPR[Service]"),
        ("reset_portal", "host_name", "corpidm.contoso.local", "corp_idm.contoso.local"),
        ("reset_portal", "port", 8088, 0),
        ("reset_portal", "service_address", "CORPIDM",
         "CorpIDname  http://CorpIDname.domain.local"),
        ("install", "msi_path", "C:\\Install\\Service and Portal.msi", "C:\\Install\\setup.exe"),
        ("install", "log_path", "C:\\Windows\\Temp\\x.log", "x.log"),
        ("install", "install_dir", "D:\\MIM\\", "MIM"),
        ("target", "host", "corpidm.contoso.local", "https://corpidm"),
        ("target", "user", "contoso\\Administrator", "Administrator"),
        ("target", "port", 5986, 65536),
        ("portal", "sharepoint_timeout", 180, 5),
    ],
)
def test_field_uses_its_rule(section, name, good, bad):
    assert value_problem(section, name, good) is None
    assert value_problem(section, name, bad) is not None


def test_sspr_service_address_typo_refused_with_suggestion():
    for section in ("registration_portal", "reset_portal"):
        msg = value_problem(section, "service_address", "CorpIDname  http://CorpIDname.domain.local")
        assert msg is not None
        assert "not a host name" in msg
        assert "corpidname.domain.local" in msg

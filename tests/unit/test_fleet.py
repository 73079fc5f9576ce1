"""Fleet files: the example, how overrides merge, where problems are reported (host, field,
file and line), and each rule across hosts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.answers import read_fleet
from tests.support.cli import run_cli
from tests.support.paths import ANSWERS, CONTOSO
from tui.model.fleet import is_fleet_data, read_any
from tui.model.fleethosts import same_host
from tui.model.validation import Loaded

FLEET = ANSWERS / "fleet-contoso.toml"

HEAD = 'schema_version = 1\nkind = "fleet"\nbase = "contoso.toml"\n'
TWO = HEAD + """
[hosts.mim01.target]
host = "mim01.contoso.local"

[hosts.mim02.database]
existing = true

[hosts.mim02.target]
host = "mim02.contoso.local"
"""


# The walkthrough's answers with the password portals off: the base of the two MIM Service hosts
# below (with them on, both hosts would claim the same portal host names).
BASE_TEXT = CONTOSO.read_text(encoding="utf-8").replace(
    "registration_portal = true\n", "registration_portal = false\n").replace(
    "reset_portal = true\n", "reset_portal = false\n")


def write(tmp_path: Path, text: str, name: str = "fleet.toml") -> Path:
    (tmp_path / "contoso.toml").write_text(BASE_TEXT, encoding="utf-8")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def by_path(fleet) -> dict[str, object]:
    return {p.path: p for p in fleet.problems}


def line_of(text: str, needle: str, after: str | None = None) -> int:
    start = text.index(after) if after else 0
    return text[: text.index(needle, start)].count("\n") + 1


# --- the example and the basics --------------------------------------------------------------

def test_example_fleet_is_valid_and_ordered():
    fleet = read_fleet(FLEET)
    assert fleet.problems == [], [p.format() for p in fleet.problems]
    assert [h.name for h in fleet.hosts] == ["mim01", "mim02", "sspr01"]
    assert [[h.name for h in wave] for wave in fleet.waves()] == [["mim01"], ["mim02", "sspr01"]]
    mim02 = fleet.host("mim02").answers
    assert mim02.database.existing and mim02.target.host == "mim02.contoso.local"
    sspr = fleet.host("sspr01").answers
    assert not sspr.components.service and sspr.components.reset_portal
    assert fleet.base == str(ANSWERS / "contoso.toml")


def test_read_any_tells_fleet_from_answer_file():
    assert isinstance(read_any(CONTOSO), Loaded)
    assert not isinstance(read_any(FLEET), Loaded)
    assert is_fleet_data({"kind": "fleet"})
    assert is_fleet_data({"hosts": {"a": {}}})  # kind forgotten: still read as a fleet
    assert not is_fleet_data({"schema_version": 1, "components": {}, "hosts": {}})


def test_validate_command_accepts_fleet_files(tmp_path):
    r = run_cli("validate", str(FLEET), str(CONTOSO))
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"{FLEET}: valid" in r.stdout
    bad = write(tmp_path, TWO.replace("existing = true", "existing = false"))
    r = run_cli("validate", "--json", str(bad))
    assert r.returncode == 1
    report = json.loads(r.stdout)
    assert report[0]["valid"] is False
    assert [p["path"] for p in report[0]["problems"]] == ["hosts.mim02.database.existing"]


def test_overrides_replace_fields_and_keep_the_rest(tmp_path):
    text = TWO + '\n[hosts.mim02.service_account]\npassword = { env = "MIM_SVC_PW" }\n'
    fleet = read_fleet(write(tmp_path, text))
    assert fleet.ok, [p.format() for p in fleet.problems]
    a = fleet.host("mim02").answers
    # a password reference is replaced whole, never merged with the base's { prompt = true }
    assert a.service_account.password.kind == "env"
    assert a.service_account.name == "MIMService"  # from the base
    assert fleet.host("mim01").answers.service_account.password.kind == "prompt"


# --- where problems are reported -------------------------------------------------------------

def test_host_problem_at_the_fleet_line_when_the_key_is_there(tmp_path):
    text = TWO.replace('existing = true\n', 'existing = true\nnaem = "x"\n')
    fleet = read_fleet(write(tmp_path, text))
    p = by_path(fleet)["hosts.mim02.database.naem"]
    assert p.is_error and "did you mean 'name'" in p.fix
    assert (p.file, p.line) == (str(tmp_path / "fleet.toml"), line_of(text, "naem"))


def test_field_rule_problem_names_host_and_field(tmp_path):
    text = TWO + '\n[hosts.mim02.service_account]\nemail = "not-an-address"\n'
    fleet = read_fleet(write(tmp_path, text))
    p = by_path(fleet)["hosts.mim02.service_account.email"]
    assert p.is_error and p.line == line_of(text, "not-an-address")
    assert "hosts.mim01.service_account.email" not in by_path(fleet)


def test_problem_from_the_base_points_at_the_base_file(tmp_path):
    # mim02 moves its Registration portal to port 8081; the base's registration_url still says
    # 8080: the warning belongs to the base's line, under mim02's name.
    text = TWO + """
[hosts.mim02.components]
registration_portal = true
[hosts.mim02.registration_portal]
port = 8081
"""
    fleet = read_fleet(write(tmp_path, text))
    p = by_path(fleet)["hosts.mim02.portal.registration_url"]
    assert p.severity == "warning" and "8081" in p.message
    assert (p.file, p.line) == (str(tmp_path / "contoso.toml"),
                                line_of(BASE_TEXT, "registration_url ="))


def test_problem_without_a_key_anywhere_points_at_the_host_table(tmp_path):
    text = TWO + "\n[hosts.mim02.mail]\nserver = \"mail.contoso.local\"\nexchange_online = true\n"
    p = by_path(read_fleet(write(tmp_path, text)))["hosts.mim02.mail.mailbox_password"]
    assert p.is_error
    assert (p.file, p.line) == (str(tmp_path / "fleet.toml"), line_of(text, "[hosts.mim02.mail]"))


def test_problem_in_the_base_on_every_host_is_reported_once_at_the_base_line(tmp_path):
    fleet_path = write(tmp_path, TWO)
    base = tmp_path / "contoso.toml"
    base_text = base.read_text(encoding="utf-8").replace(
        'email = "MIMService@contoso.local"', 'email = "nobody"')
    base.write_text(base_text, encoding="utf-8")
    fleet = read_fleet(fleet_path)
    hits = [p for p in fleet.problems if p.path.endswith("service_account.email")]
    assert len(hits) == 1
    assert hits[0].path == "service_account.email" and "(on every host)" in hits[0].message
    assert (hits[0].file, hits[0].line) == (str(base), line_of(base_text, 'email = "nobody"'))


def test_problem_in_the_base_on_some_hosts_is_reported_per_host(tmp_path):
    text = TWO + '\n[hosts.mim01.service_account]\nemail = "mim@contoso.local"\n'
    fleet_path = write(tmp_path, text)
    base = tmp_path / "contoso.toml"
    base_text = base.read_text(encoding="utf-8").replace(
        'email = "MIMService@contoso.local"', 'email = "nobody"')
    base.write_text(base_text, encoding="utf-8")
    p = by_path(read_fleet(fleet_path))["hosts.mim02.service_account.email"]
    assert (p.file, p.line) == (str(base), line_of(base_text, 'email = "nobody"'))


# --- the fleet file's own keys ----------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "path", "words"),
    [
        (TWO.replace("schema_version = 1\n", ""), "schema_version", "required"),
        (TWO.replace("schema_version = 1", "schema_version = 2"), "schema_version", "not one"),
        (TWO.replace('kind = "fleet"\n', ""), "kind", 'kind = "fleet"'),
        (TWO.replace('base = "contoso.toml"\n', ""), "base", "required"),
        (TWO.replace('base = "contoso.toml"', 'base = "missing.toml"'), "base", "does not exist"),
        (TWO.replace("kind = ", "extra = 1\nkind = "), "extra", "unknown key"),
        (HEAD, "hosts", "at least one host"),
        (TWO + '\n[hosts."bad name".target]\nhost = "x"\n', "hosts.bad name", "host name"),
        (TWO + '\n[hosts.mim03.databse]\nexisting = true\n', "hosts.mim03.databse",
         "unknown key"),
        (TWO + '\n[hosts.mim03]\ndatabase = 3\n', "hosts.mim03.database", "table"),
    ],
)
def test_fleet_keys(tmp_path, text, path, words):
    fleet = read_fleet(write(tmp_path, text))
    problems = by_path(fleet)
    assert path in problems, [p.format() for p in fleet.problems]
    assert words in problems[path].message + problems[path].fix
    assert problems[path].is_error and not fleet.ok


def test_unknown_section_suggests_the_right_one(tmp_path):
    text = TWO + '\n[hosts.mim03.databse]\nexisting = true\n'
    p = by_path(read_fleet(write(tmp_path, text)))["hosts.mim03.databse"]
    assert "did you mean 'database'" in p.fix
    assert p.line == line_of(text, "[hosts.mim03.databse]")


def test_base_that_is_a_fleet_is_refused(tmp_path):
    write(tmp_path, TWO, "other.toml")
    fleet = read_fleet(write(tmp_path, TWO.replace("contoso.toml", "other.toml")))
    assert "fleet file" in by_path(fleet)["base"].message


def test_unreadable_fleet_file(tmp_path):
    path = tmp_path / "f.toml"
    path.write_bytes(b"\xff\xfek\x00")
    fleet = read_fleet(path)
    assert fleet.unreadable and "UTF-16" in fleet.problems[0].message
    path.write_text(HEAD + "[hosts.a\n", encoding="utf-8")
    p = read_fleet(path).problems[0]
    assert "TOML syntax" in p.message and p.line == 4


def test_each_host_needs_a_target(tmp_path):
    target = BASE_TEXT[BASE_TEXT.index("# Target\n[target]"):]
    text = HEAD + """
[hosts.mim01.target]
host = "mim01.contoso.local"
user = 'contoso\\Administrator'

[hosts.mim03.components]
service = false
"""
    path = write(tmp_path, text)
    (tmp_path / "contoso.toml").write_text(BASE_TEXT.replace(target, ""), encoding="utf-8")
    fleet = read_fleet(path)
    assert list(by_path(fleet)) == ["hosts.mim03.target"]
    p = by_path(fleet)["hosts.mim03.target"]
    assert p.is_error and "[target]" in p.message
    assert p.line == line_of(text, "[hosts.mim03.components]")


# --- rules across hosts ----------------------------------------------------------------------

def test_only_the_first_service_host_creates_the_database(tmp_path):
    text = TWO.replace("existing = true", "existing = false")
    fleet = read_fleet(write(tmp_path, text))
    p = by_path(fleet)["hosts.mim02.database.existing"]
    assert p.is_error and "mim01" in p.message and "mim02" in p.message
    assert "existing = true" in p.fix
    assert p.line == line_of(text, "existing = false")


def test_second_host_inheriting_create_from_the_base_is_an_error_at_the_base_line(tmp_path):
    text = TWO.replace("[hosts.mim02.database]\nexisting = true\n", "")
    fleet = read_fleet(write(tmp_path, text))
    p = by_path(fleet)["hosts.mim02.database.existing"]
    assert p.is_error and p.file == str(tmp_path / "contoso.toml")


def test_no_host_creating_the_database_is_a_warning(tmp_path):
    text = TWO + "\n[hosts.mim01.database]\nexisting = true\n"
    fleet = read_fleet(write(tmp_path, text))
    p = by_path(fleet)["hosts.mim01.database.existing"]
    assert p.severity == "warning" and "no host creates" in p.message
    assert fleet.ok
    assert [[h.name for h in w] for w in fleet.waves()] == [["mim01", "mim02"]]


def test_first_service_host_is_the_first_in_the_file_that_runs_the_service(tmp_path):
    text = HEAD + """
[hosts.sspr.components]
service = false
portal = false
[hosts.sspr.target]
host = "sspr.contoso.local"
[hosts.b.target]
host = "b.contoso.local"
[hosts.a.database]
existing = true
[hosts.a.target]
host = "a.contoso.local"
"""
    fleet = read_fleet(write(tmp_path, text))
    assert fleet.ok, [p.format() for p in fleet.problems]
    assert [[h.name for h in w] for w in fleet.waves()] == [["b"], ["sspr", "a"]]


@pytest.mark.parametrize(("key", "value"), [("server", "othersql"), ("name", "FIMService2")])
def test_service_hosts_share_one_database(tmp_path, key, value):
    text = TWO.replace("existing = true", f'existing = true\n{key} = "{value}"')
    fleet = read_fleet(write(tmp_path, text))
    p = by_path(fleet)[f"hosts.mim02.database.{key}"]
    assert p.is_error and "share one database" in p.message and "mim01" in p.message
    assert p.line == line_of(text, value)


def test_database_comparison_ignores_case(tmp_path):
    text = TWO.replace("existing = true", 'existing = true\nserver = "CORPSQL"')
    assert read_fleet(write(tmp_path, text)).ok


def test_service_hosts_share_one_service_account(tmp_path):
    text = TWO + '\n[hosts.mim02.service_account]\nname = "MIMService2"\n'
    p = by_path(read_fleet(write(tmp_path, text)))["hosts.mim02.service_account.name"]
    assert p.is_error and "share one service account" in p.message
    assert "contoso\\MIMService" in p.fix


def test_hosts_without_the_service_are_not_held_to_its_database(tmp_path):
    text = TWO + """
[hosts.sspr.components]
service = false
portal = false
[hosts.sspr.database]
server = "elsewhere"
[hosts.sspr.target]
host = "sspr.contoso.local"
"""
    assert read_fleet(write(tmp_path, text)).ok


def test_password_portal_host_names_are_unique_across_hosts(tmp_path):
    sspr = """
[hosts.{name}.components]
service = false
portal = false
registration_portal = true
reset_portal = false
[hosts.{name}.registration_portal]
host_name = "{site}"
[hosts.{name}.target]
host = "{name}.contoso.local"
"""
    text = (TWO + sspr.format(name="sspr1", site="pwreg.contoso.local")
            + sspr.format(name="sspr2", site="PWREG"))
    fleet = read_fleet(write(tmp_path, text))
    p = by_path(fleet)["hosts.sspr2.registration_portal.host_name"]
    assert p.is_error and "sspr1" in p.message
    assert p.line == line_of(text, '"PWREG"')
    text = (TWO + sspr.format(name="sspr1", site="pwreg1.contoso.local")
            + sspr.format(name="sspr2", site="pwreg2.contoso.local"))
    assert read_fleet(write(tmp_path, text)).ok


def test_registration_and_reset_names_collide_across_hosts(tmp_path):
    text = TWO + """
[hosts.mim01.components]
registration_portal = true
reset_portal = false
[hosts.mim02.components]
registration_portal = false
reset_portal = true
[hosts.mim02.reset_portal]
host_name = "CORPIDM"
"""
    p = by_path(read_fleet(write(tmp_path, text)))["hosts.mim02.reset_portal.host_name"]
    assert p.is_error and "mim01" in p.message


def test_target_servers_are_unique(tmp_path):
    text = TWO.replace('host = "mim02.contoso.local"', 'host = "MIM01"')
    p = by_path(read_fleet(write(tmp_path, text)))["hosts.mim02.target.host"]
    assert p.is_error and "mim01" in p.message


def test_same_host():
    assert same_host("CORPIDM", "corpidm.contoso.local")
    assert same_host("a.contoso.local", "A.contoso.local.")
    assert not same_host("a.contoso.local", "a.fabrikam.local")
    assert not same_host("10.0.0.1", "10.0.0.2")
    assert not same_host("10", "10.0.0.2")

"""The answer files shipped in answers/: all validate, and contoso.toml is the walkthrough."""

from __future__ import annotations

import pytest

from tests.support.answers import answer_file_paths
from tests.support.cli import run_cli
from tests.support.paths import ANSWERS, CONTOSO
from tui.model.msi import build_plan
from tui.model.tomlio import dump
from tui.model.validation import read_file

EXAMPLES = ["service-only.toml", "portal-sspr.toml", "exchange-online.toml",
            "existing-database.toml"]


def test_every_file_in_answers_validates():
    files = sorted(str(p.relative_to(ANSWERS.parent)) for p in ANSWERS.glob("*.toml"))
    assert {f"answers/{n}" for n in ["contoso.toml", *EXAMPLES]} <= set(files)
    r = run_cli("validate", *files)
    assert r.returncode == 0, r.stdout + r.stderr
    for f in files:
        assert f"{f}: valid" in r.stdout


@pytest.mark.parametrize("path", answer_file_paths(), ids=lambda p: p.name)
def test_answer_file_has_no_problem_and_plans(path):
    loaded = read_file(path)
    assert loaded.ok, [p.format() for p in loaded.problems]
    assert [p for p in loaded.problems if p.severity == "error"] == []
    assert path.read_text(encoding="utf-8").startswith("#:schema mimsetup.schema.json")
    plan = build_plan(loaded.answers)
    assert plan.command_line().startswith("msiexec.exe /i ")


@pytest.mark.parametrize("name", EXAMPLES)
def test_examples_are_written_by_the_model(name):
    """Generated with tomlio.dump: the comments are the model's, a save changes nothing."""
    path = ANSWERS / name
    text = path.read_text(encoding="utf-8")
    loaded = read_file(path)
    dumped = dump(loaded.answers).splitlines()
    lines = text.splitlines()
    assert [ln for ln in lines if not ln.startswith("# ")] == [
        ln for ln in dumped if not ln.startswith("# ")]
    assert set(dumped) <= set(lines)


def test_contoso_holds_the_walkthrough():
    a = read_file(CONTOSO).answers
    c = a.components
    assert (c.service, c.portal, c.registration_portal, c.reset_portal) == (True,) * 4
    assert not c.reporting and not c.pam
    assert a.database.server == "corpsql"
    assert a.database.existing is False  # "Create a new database"
    assert a.mail.server == "localhost"
    assert not (a.mail.use_ssl or a.mail.is_exchange or a.mail.poll_exchange
                or a.mail.exchange_online)
    assert a.certificate.mode == "self-signed"
    assert a.service_account.name == "MIMService"
    assert a.service_account.domain == "contoso"
    assert a.service_account.email == "MIMService@contoso.local"
    assert a.service_account.password.kind == "prompt"
    assert a.synchronization.ma_account == "contoso\\MIMMA"
    assert a.portal.service_address == "CORPIDM"
    assert a.portal.sharepoint_url == "http://CorpIDM.contoso.local"
    assert a.portal.registration_url == "http://CorpIDM.contoso.local:8080"
    assert a.portal.reset_url == "http://CorpIDM.contoso.local:8088"
    assert a.portal.open_firewall is True
    assert a.portal.grant_authenticated_users is True
    assert a.registration_portal.account == "contoso\\MIMSSPR"
    assert a.registration_portal.host_name == "CORPIDM"
    assert a.registration_portal.port == 8080
    assert a.registration_portal.open_firewall is True
    assert a.reset_portal.account == "Contoso\\MIMSSPRService"
    assert a.reset_portal.host_name == "CORPIDM"
    assert a.reset_portal.port == 8088
    assert a.reset_portal.open_firewall is True
    props = build_plan(a).property_map()
    assert props["ADDLOCAL"] == "CommonServices,WebPortals,RegistrationPortal,ResetPortal"
    assert props["FIREWALL_CONF"] == "1" and props["SHAREPOINTUSERS_CONF"] == "1"
    assert props["EXISTINGDATABASE"] == "0"
    assert props["CERTIFICATE_NAME"] == "ForefrontIdentityManager"
    assert "CERTIFICATE_THUMBPRINT" not in props


def test_service_only():
    a = read_file(ANSWERS / "service-only.toml").answers
    assert a.components.selected() == ["service"]
    assert build_plan(a).property_map()["ADDLOCAL"] == "CommonServices"
    assert "SHAREPOINT_URL" not in build_plan(a).property_map()


def test_portal_sspr_on_a_separate_server():
    a = read_file(ANSWERS / "portal-sspr.toml").answers
    assert a.components.selected() == ["portal", "registration_portal", "reset_portal"]
    assert a.database is None and a.service_account is None
    assert a.registration_portal.port == a.reset_portal.port == 80
    assert a.registration_portal.host_name != a.reset_portal.host_name
    assert a.portal.service_address != a.target.host
    props = build_plan(a).property_map()
    assert props["ADDLOCAL"] == "WebPortals,RegistrationPortal,ResetPortal"
    assert "SQLSERVER_SERVER" not in props


def test_exchange_online():
    a = read_file(ANSWERS / "exchange-online.toml").answers
    assert a.mail.exchange_online and a.mail.mailbox_password is not None
    assert a.mail.mailbox_password.kind == "env"
    props = build_plan(a).property_map()
    assert props["MAIL_SERVER_IS_EXCHANGE_ONLINE"] == "1"
    assert props["SERVICE_ACCOUNT_EMAIL_PASSWORD"] == "********"


def test_existing_database():
    a = read_file(ANSWERS / "existing-database.toml").answers
    assert a.database.existing is True
    assert build_plan(a).property_map()["EXISTINGDATABASE"] == "1"

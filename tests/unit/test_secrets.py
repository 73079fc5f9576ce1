"""Passwords: references by default, literal only on request, never shown."""

from __future__ import annotations

import json
import os
import stat

import pytest
from pydantic import SecretStr, ValidationError

from tests.support.answers import SENTINEL
from tests.support.cli import run_cli
from tui.model.answers import AnswerFile
from tui.model.msi import build_plan
from tui.model.secrets import (
    MASK,
    PROMPT,
    SecretRef,
    SecretUnavailable,
    named_like_secret,
    resolve,
)
from tui.model.service import ServiceAccount
from tui.model.tomlio import SECRETS_HEADER, dump, save
from tui.model.validation import load_text, read_file, validate_data

SECRET_FIELDS = [
    ("service_account", "password"),
    ("registration_portal", "password"),
    ("reset_portal", "password"),
    ("target", "password"),
]


def with_literals(data):
    for section, name in SECRET_FIELDS:
        data[section][name] = SENTINEL
    data["mail"] = {"server": "outlook.office365.com", "is_exchange": True,
                    "exchange_online": True, "mailbox_password": SENTINEL}
    return data


# --- forms ----------------------------------------------------------------------------------

def test_prompt_is_the_default():
    sa = ServiceAccount(name="MIMService", domain="contoso", email="MIMService@contoso.local")
    assert sa.password == PROMPT
    assert sa.password.kind == "prompt"


@pytest.mark.parametrize(
    ("toml", "kind", "described"),
    [
        ("{ prompt = true }", "prompt", "asked at install time"),
        ('{ env = "MIM_SVC_PW" }', "env", "from environment variable MIM_SVC_PW"),
        ('{ file = "secrets.toml" }', "file", "from file secrets.toml"),
        ('{ file = "secrets.toml", key = "SVC" }', "file", "from file secrets.toml (key SVC)"),
        (f'"{SENTINEL}"', "value", f"{MASK} (in the answer file)"),
    ],
)
def test_secret_forms_in_toml(data, toml, kind, described):
    import tomllib

    data["service_account"]["password"] = tomllib.loads(f"v = {toml}")["v"]
    loaded = validate_data(data)
    assert loaded.ok, [p.format() for p in loaded.problems]
    ref = loaded.answers.service_account.password
    assert ref.kind == kind
    assert ref.describe() == described
    assert SENTINEL not in ref.describe()


@pytest.mark.parametrize(
    "value",
    [
        {},
        {"prompt": False},
        {"prompt": True, "env": "X"},
        {"env": "X", "file": "f"},
        {"env": "X", "key": "K"},
        {"value": SENTINEL, "prompt": True},
        {"envv": "X"},
        12345,
        [SENTINEL],
    ],
)
def test_bad_secret_forms_are_refused_without_showing_them(data, value):
    data["service_account"]["password"] = value
    loaded = validate_data(data, "a.toml")
    assert not loaded.ok
    assert any(p.path.startswith("service_account.password") for p in loaded.errors)
    assert SENTINEL not in " ".join(p.format() for p in loaded.problems)


def test_secretref_rejects_two_sources_directly():
    with pytest.raises(ValidationError) as info:
        SecretRef(prompt=True, value=SENTINEL)
    assert SENTINEL not in str(info.value)


# --- resolving ------------------------------------------------------------------------------

def test_resolve_literal():
    assert resolve(SecretRef.model_validate(SENTINEL), "pw").get_secret_value() == SENTINEL


def test_resolve_env(monkeypatch):
    monkeypatch.setenv("MIMSETUP_TEST_PW", SENTINEL)
    got = resolve(SecretRef(env="MIMSETUP_TEST_PW"), "service password")
    assert isinstance(got, SecretStr) and got.get_secret_value() == SENTINEL
    monkeypatch.delenv("MIMSETUP_TEST_PW")
    with pytest.raises(SecretUnavailable, match="MIMSETUP_TEST_PW is not set"):
        resolve(SecretRef(env="MIMSETUP_TEST_PW"), "service password")


def test_resolve_file_and_key(tmp_path):
    (tmp_path / "pw.txt").write_text(SENTINEL + "\r\n", encoding="utf-8")
    assert resolve(SecretRef(file="pw.txt"), "pw", base_dir=tmp_path).get_secret_value() == SENTINEL
    (tmp_path / "s.toml").write_text(f'SVC = "{SENTINEL}"\nOTHER = "x"\n', encoding="utf-8")
    ref = SecretRef(file=str(tmp_path / "s.toml"), key="SVC")
    assert resolve(ref, "pw").get_secret_value() == SENTINEL
    with pytest.raises(SecretUnavailable, match="no string key NOPE"):
        resolve(SecretRef(file="s.toml", key="NOPE"), "pw", base_dir=tmp_path)
    with pytest.raises(SecretUnavailable, match="cannot read secrets file"):
        resolve(SecretRef(file="missing.txt"), "pw", base_dir=tmp_path)
    (tmp_path / "bad.toml").write_text("SVC = \n", encoding="utf-8")
    with pytest.raises(SecretUnavailable, match="not valid TOML"):
        resolve(SecretRef(file="bad.toml", key="SVC"), "pw", base_dir=tmp_path)


def test_resolve_prompt():
    assert resolve(PROMPT, "pw", ask=lambda what: SENTINEL).get_secret_value() == SENTINEL
    with pytest.raises(SecretUnavailable, match="no one can answer"):
        resolve(PROMPT, "pw", ask=None)


# --- never shown ----------------------------------------------------------------------------

def test_literal_never_in_repr_str_json_or_plan(data):
    a = AnswerFile.model_validate(with_literals(data))
    for text in (
        repr(a),
        str(a),
        a.model_dump_json(),
        str(a.model_dump()),
        repr(a.service_account),
        str(a.mail.mailbox_password),
        build_plan(a).command_line(),
        json.dumps(build_plan(a).property_map()),
        repr(build_plan(a)),
        dump(a),
    ):
        assert SENTINEL not in text
    plan = build_plan(a)
    assert plan.property_map()["SERVICE_ACCOUNT_PASSWORD"] == MASK
    assert plan.property_map()["SERVICE_ACCOUNT_EMAIL_PASSWORD"] == MASK
    assert "SERVICE_ACCOUNT_PASSWORD=********" in plan.command_line()
    secrets = plan.secret_properties()
    assert set(secrets) == {"SERVICE_ACCOUNT_PASSWORD", "REGISTRATION_ACCOUNT_PASSWORD",
                            "RESET_ACCOUNT_PASSWORD", "SERVICE_ACCOUNT_EMAIL_PASSWORD"}
    assert all(resolve(r, n).get_secret_value() == SENTINEL for n, r in secrets.items())


def test_literal_never_in_error_messages(data):
    data = with_literals(data)
    data["service_account"]["pasword"] = SENTINEL  # a typo'd key holding a password
    data["service_account"]["managed"] = True  # gMSA with a password: an error on that field
    data["registration_portal"]["port"] = SENTINEL  # a password pasted in the wrong field
    data["reset_portal"]["password"] = {"value": SENTINEL, "env": "X"}
    loaded = validate_data(data, "a.toml")
    assert len(loaded.errors) >= 3
    text = "\n".join(p.format() + json.dumps(p.to_json()) for p in loaded.problems)
    assert SENTINEL not in text


def test_cli_never_prints_a_literal(tmp_path, data):
    a = AnswerFile.model_validate(with_literals(data))
    path = save(a, tmp_path / "lit.toml", include_secrets=True)
    assert SENTINEL in path.read_text(encoding="utf-8")
    for args in (("validate", str(path)), ("validate", "--json", str(path)),
                 ("plan", str(path)), ("plan", "--format", "json", str(path))):
        r = run_cli(*args)
        assert r.returncode == 0, r.stdout + r.stderr
        assert SENTINEL not in r.stdout + r.stderr
    r = run_cli("plan", "--format", "json", str(path))
    assert json.loads(r.stdout)["properties"]["SERVICE_ACCOUNT_PASSWORD"] == MASK


# --- saving literals ------------------------------------------------------------------------

def test_save_with_secrets_writes_the_literal_0600_and_says_so(tmp_path, data):
    a = AnswerFile.model_validate(with_literals(data))
    path = save(a, tmp_path / "with.toml", include_secrets=True)
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == SECRETS_HEADER
    assert "password" in text.splitlines()[0].lower()
    assert text.count(SENTINEL) == 5
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = read_file(path)
    assert again.ok
    assert again.answers.target.password.value.get_secret_value() == SENTINEL
    assert again.answers == a


def test_save_without_secrets_drops_the_literal(tmp_path, data):
    a = AnswerFile.model_validate(with_literals(data))
    path = save(a, tmp_path / "without.toml")
    text = path.read_text(encoding="utf-8")
    assert SENTINEL not in text
    assert not text.startswith(SECRETS_HEADER)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = load_text(text).answers
    for section, name in SECRET_FIELDS:
        assert getattr(getattr(again, section), name) == PROMPT
    assert again.mail.mailbox_password == PROMPT


def test_references_are_saved_as_references(tmp_path, data):
    data["service_account"]["password"] = {"env": "MIM_SVC"}
    data["reset_portal"]["password"] = {"file": "s.toml", "key": "RESET"}
    a = AnswerFile.model_validate(data)
    text = dump(a)
    assert 'password = { env = "MIM_SVC" }' in text
    assert 'password = { file = "s.toml", key = "RESET" }' in text
    assert not text.startswith(SECRETS_HEADER)
    assert load_text(text).answers == a


def test_validation_errors_printed_raw_never_show_a_literal(data):
    """Whatever prints a pydantic ValidationError (a log line, a debug trace) shows no password."""
    from tui.model.fieldvalue import adapter

    bad = dict(data)
    bad["registration_portal"] = {**data["registration_portal"], "port": SENTINEL}
    bad["reset_portal"] = {**data["reset_portal"], "password": {"value": SENTINEL, "env": "X"}}
    with pytest.raises(ValidationError) as info:
        AnswerFile.model_validate(bad)
    assert SENTINEL not in str(info.value)
    for section, name, value in (
        ("mail", "mailbox_password", {"value": SENTINEL, "env": "X"}),
        ("service_account", "password", {"value": SENTINEL, "prompt": True}),
        ("registration_portal", "port", SENTINEL),
    ):
        with pytest.raises(ValidationError) as info:
            adapter(section, name).validate_python(value)
        assert SENTINEL not in str(info.value)


def test_an_empty_env_or_file_reference_is_refused_not_taken_for_a_literal():
    from pydantic import ValidationError

    from tui.model.secrets import SecretRef

    for data in ({"env": ""}, {"file": " "}):
        try:
            SecretRef.model_validate(data)
        except ValidationError as exc:
            assert "needs" in str(exc)
        else:
            raise AssertionError(f"{data} was accepted")


# --- what is named like a secret (the importer's and the drafts' one rule) --------------------

@pytest.mark.parametrize("name", [
    "SERVICE_ACCOUNT_PASSWORD", "SQL_PASSWORD", "SQL_ADMIN_PWD", "SvcPassword", "password",
    "pasword", "passwd", "paswd", "pwd", "PASS", "SQL_PW", "MyPassPhrase", "CLIENT_SECRET",
    "mot_de_passe", "Kennwort", "credentials",
])
def test_named_like_a_secret(name):
    assert named_like_secret(name)


@pytest.mark.parametrize("name", [
    "REQUIRE_RESET_INFO", "PASSTHROUGH", "BYPASS_CHECK", "COMPASS_URL", "SHAREPOINTTIMEOUT",
    "USE_MANAGED_ACCOUNT_FOR_SERVICE", "IS_BEST_PRACTICE_ACCOUNT", "ADDRESS", "SPS", "name",
    "REGISTRATION_ACCOUNT_NAME",
])
def test_not_named_like_a_secret(name):
    assert not named_like_secret(name)

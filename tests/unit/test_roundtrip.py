"""Hypothesis round trips: model -> TOML -> model, and plan -> import -> plan."""

from __future__ import annotations

import dataclasses
import tempfile
import tomllib
from pathlib import Path

import tomli_w
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.support.answers import contoso_data
from tests.support.strategies import answer_data, answer_files, free_text, password_literal
from tui.model.answers import AnswerFile
from tui.model.importer import from_command_line, split_msiexec
from tui.model.msi import Plan, build_plan, quote
from tui.model.secrets import PROMPT, SecretRef, resolve
from tui.model.tomlio import SECRETS_HEADER, dump, has_literal_secrets
from tui.model.validation import load_text, validate_data

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


# --- model -> TOML -> model -----------------------------------------------------------------

@SETTINGS
@given(answer_files)
def test_model_toml_model_with_secrets(a):
    text = dump(a, include_secrets=True)
    loaded = load_text(text, "rt.toml")
    assert loaded.answers is not None, [p.format() for p in loaded.problems]
    assert loaded.answers == a
    assert dump(loaded.answers, include_secrets=True) == text


def _without_literals(a: AnswerFile) -> AnswerFile:
    updates = {}
    for name in AnswerFile.model_fields:
        section = getattr(a, name)
        if section is None or not hasattr(section, "fields"):
            continue
        changes = {
            m.name: PROMPT
            for m in section.fields()
            if isinstance(getattr(section, m.name), SecretRef)
            and getattr(section, m.name).kind == "value"
        }
        if changes:
            updates[name] = section.model_copy(update=changes)
    return a.model_copy(update=updates)


@SETTINGS
@given(answer_files)
def test_model_toml_model_without_secrets(a):
    text = dump(a)
    loaded = load_text(text, "rt.toml")
    assert loaded.answers == _without_literals(a)
    assert not has_literal_secrets(tomllib.loads(text))
    assert not text.startswith(SECRETS_HEADER)


# --- msiexec quoting ------------------------------------------------------------------------

@SETTINGS
@given(st.lists(free_text | password_literal, min_size=1, max_size=6))
def test_quote_split_inverse(values):
    line = " ".join(f"P{i}={quote(v)}" for i, v in enumerate(values))
    assert split_msiexec(line) == [f"P{i}={v}" for i, v in enumerate(values)]


def test_quote_rules():
    assert quote("corpsql") == "corpsql"
    assert quote("a b") == '"a b"'
    assert quote('say "hi"') == '"say ""hi"""'
    assert quote("") == '""'
    assert quote("Zürich") == "Zürich"


# --- plan -> import -> plan -----------------------------------------------------------------

def _literal_plan(plan: Plan, base: Path) -> Plan:
    """The plan with each secret's resolved value in its property, as the install passes it."""
    props = tuple(
        dataclasses.replace(p, value=resolve(p.secret, p.name, base_dir=base,
                                             ask=lambda _w, n=p.name: "asked-" + n)
                            .get_secret_value())
        if p.secret is not None else p
        for p in plan.properties
    )
    return dataclasses.replace(plan, properties=props)


def _literal_map(plan: Plan, base: Path) -> dict[str, str]:
    return _literal_plan(plan, base).property_map(mask=False)


def _replan(command: str, base: Path) -> tuple[Plan, dict[str, str]]:
    imported = from_command_line(command)
    secrets_file = base / "imported.secrets.toml"
    secrets_file.write_text(tomli_w.dumps(imported.secrets), encoding="utf-8")
    for table in imported.data.values():
        if isinstance(table, dict):
            for value in table.values():
                if isinstance(value, dict) and value.get("file") == "":
                    value["file"] = secrets_file.name
    loaded = validate_data(imported.data, "imported.toml")
    assert loaded.answers is not None, [p.format() for p in loaded.problems]
    plan = build_plan(loaded.answers)
    return plan, _literal_map(plan, base)


def _env_safe(data):
    """Environment references cannot resolve in a test; keep them out of the plan test."""
    for table in data.values():
        if isinstance(table, dict):
            for k, v in table.items():
                if isinstance(v, dict) and set(v) == {"env"}:
                    table[k] = "from-env-" + v["env"]
    return data


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer_data(secrets=password_literal | st.just({"prompt": True})))
@example(contoso_data())
def test_plan_import_plan(data):
    a = AnswerFile.model_validate(_env_safe(data))
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        plan = build_plan(a)
        original = _literal_map(plan, base)
        command = _literal_plan(plan, base).command_line(mask=False)
        replanned, again = _replan(command, base)
        assert again == original
        assert replanned.msi_path == plan.msi_path
        assert replanned.log_path == plan.log_path
        assert [p.name for p in replanned.properties] == [p.name for p in plan.properties]
        assert replanned.command_line() == plan.command_line()

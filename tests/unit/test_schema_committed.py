"""The committed JSON Schema is the model's (regenerate: python -m tui schema -o
answers/mimsetup.schema.json)."""

from __future__ import annotations

import json

from tests.support.cli import run_cli
from tests.support.paths import ANSWERS
from tui.model.schema import schema_text

COMMITTED = ANSWERS / "mimsetup.schema.json"


def test_committed_schema_matches_the_model():
    assert COMMITTED.read_text(encoding="utf-8") == schema_text(), (
        "answers/mimsetup.schema.json is stale: run "
        "`python -m tui schema -o answers/mimsetup.schema.json --force`"
    )


def test_schema_command_prints_the_same():
    r = run_cli("schema")
    assert r.returncode == 0
    assert r.stdout == schema_text()


def test_schema_describes_fields_and_secrets():
    schema = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert schema["$id"] == "mimsetup.schema.json"
    assert "schema_version" in schema["required"]
    assert schema["additionalProperties"] is False
    db = schema["$defs"]["Database"]["properties"]["server"]
    assert db["x-msi"] == ["SQLSERVER_SERVER"]
    assert schema["$defs"]["ServiceAccount"]["properties"]["password"]["x-secret"] is True


def test_answer_files_point_at_the_schema():
    for path in ANSWERS.glob("*.toml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        if first.startswith("#:schema"):
            assert (ANSWERS / first.split()[1]).exists()

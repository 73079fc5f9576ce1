"""The JSON Schema of answer files, generated from the model (editors validate TOML with it
through the `#:schema` line)."""

from __future__ import annotations

import json

from tui.model.answers import AnswerFile


def json_schema() -> dict:
    schema = AnswerFile.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "mimsetup.schema.json"
    return schema


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"

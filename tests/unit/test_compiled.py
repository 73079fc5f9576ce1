"""The compiled model, which `validate` and `plan` use, gives what the pydantic model gives: the
same problems, values and plans, over the example files, the malformed corpus, generated valid
answer files and generated broken ones."""

from __future__ import annotations

import copy
import json
from typing import Annotated, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import AfterValidator, BaseModel

from tests.support.answers import SENTINEL, contoso_data
from tests.support.paths import ANSWERS, ROOT
from tests.support.strategies import answer_data, free_text
from tui.model import twin, validation
from tui.model.answers import AnswerFile
from tui.model.compiler import CompileError, _Compiler, compile_model, compiled_text
from tui.model.fleet import read_any
from tui.model.msi import build_plan
from tui.model.validation import validate_data

MALFORMED = ROOT / "tests" / "malformed"
COMPILED = validation.compiled()
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _project(value: Any) -> Any:
    """A model object as plain data, to compare the two models' results."""
    if hasattr(value, "to_toml"):
        return ("secret", value.to_toml(True))
    if hasattr(value, "get_secret_value"):
        return ("secret-str", value.get_secret_value())
    if hasattr(type(value), "section_types"):
        names = ("schema_version", *type(value).section_types())
        return {n: _project(getattr(value, n)) for n in names}
    if hasattr(value, "fields"):
        return {"set": sorted(value.model_fields_set),
                **{m.name: _project(getattr(value, m.name)) for m in value.fields()}}
    if isinstance(value, dict):
        return {k: _project(v) for k, v in value.items()}
    return value


def _plan(answers: Any) -> Any:
    p = build_plan(answers)
    return (p.command_line(mask=False), p.command_line(), p.argument_line(), p.property_map(),
            {k: v.to_toml(True) for k, v in p.secret_properties().items()})


def _assert_same(mine: Any, theirs: Any) -> None:
    assert mine.problems == theirs.problems
    assert mine.unreadable == theirs.unreadable
    assert (mine.answers is None) == (theirs.answers is None)
    if theirs.answers is not None:
        assert type(mine.answers).__module__ == "tui.model.twin"
        assert _project(mine.answers) == _project(theirs.answers)
        if not theirs.errors and theirs.answers.install is not None:
            assert _plan(mine.answers) == _plan(theirs.answers)


def test_the_committed_compiled_model_is_the_models():
    assert twin.ARTIFACT.read_text(encoding="utf-8") == compiled_text(), (
        "tui/model/compiled.json is stale: run `make generated` "
        "(python -m tui.model.compiler --write)"
    )


def test_it_loads():
    assert COMPILED is not None
    assert list(COMPILED.section_types()) == list(AnswerFile.section_types())


@pytest.mark.parametrize(
    "path",
    sorted(ANSWERS.glob("*.toml")) + sorted(MALFORMED.glob("*.toml")),
    ids=lambda p: p.name,
)
def test_files_read_alike(path):
    with validation.using(COMPILED):
        mine = read_any(path)
    theirs = read_any(path)
    assert mine.problems == theirs.problems
    for m, t in zip(getattr(mine, "hosts", [mine]), getattr(theirs, "hosts", [theirs]),
                    strict=True):
        assert _project(m.answers) == _project(t.answers)
        if t.answers is not None and not theirs.errors:
            assert _plan(m.answers) == _plan(t.answers)
    if hasattr(theirs, "hosts"):
        return
    _assert_same(mine, theirs)


@SETTINGS
@given(answer_data())
def test_valid_files_read_alike(data):
    _assert_same(COMPILED.validate_data(copy.deepcopy(data), "x.toml"),
                 validate_data(copy.deepcopy(data), "x.toml"))


TOML_VALUES = st.one_of(
    st.booleans(), st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False), free_text,
    st.sampled_from(["", " ", "localhost", "C:\\x.msi", "contoso\\x", "a$", "http://h:1"]),
    st.dates(), st.lists(st.integers() | free_text, max_size=2),
    st.dictionaries(st.sampled_from(["prompt", "env", "file", "key", "value", "x"]),
                    st.booleans() | free_text, max_size=3),
)


@st.composite
def broken_data(draw) -> dict[str, Any]:
    """A valid file with one to four things broken: a value replaced by any TOML value, a key
    dropped, an unknown key added, a whole section replaced."""
    d = draw(answer_data())
    for _ in range(draw(st.integers(1, 4))):
        section = draw(st.sampled_from(sorted(d)))
        table = d[section]
        op = draw(st.sampled_from(["set", "set", "drop", "unknown", "section"]))
        if op == "section" or not isinstance(table, dict):
            d[section] = draw(TOML_VALUES)
        elif op == "set":
            keys = sorted(set(table) | set(AnswerFile.allowed_keys((section,))))
            if keys:
                table[draw(st.sampled_from(keys))] = draw(TOML_VALUES)
        elif op == "drop" and table:
            del table[draw(st.sampled_from(sorted(table)))]
        elif op == "unknown":
            table[draw(st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12))] = (
                draw(TOML_VALUES))
    return d


@SETTINGS
@given(broken_data())
def test_broken_files_read_alike(data):
    _assert_same(COMPILED.validate_data(copy.deepcopy(data), "x.toml"),
                 validate_data(copy.deepcopy(data), "x.toml"))


def test_the_comparison_can_fail():
    """What the tests above compare differs when the answers differ."""
    a = COMPILED.validate_data(contoso_data(), "x.toml")
    changed = contoso_data()
    changed["database"]["name"] = "Other"
    b = validate_data(changed, "x.toml")
    with pytest.raises(AssertionError):
        _assert_same(a, b)


def test_a_password_never_shows_in_the_compiled_answers():
    data = contoso_data()
    data["service_account"]["password"] = SENTINEL
    a = COMPILED.validate_data(data, "x.toml").answers
    assert a is not None
    assert SENTINEL not in repr(a) + repr(a.service_account) + str(a.service_account.password)
    assert a.service_account.password.value.get_secret_value() == SENTINEL
    assert SENTINEL not in build_plan(a).command_line()


def test_a_validator_outside_the_pydantic_free_modules_stops_the_compilation():
    class Probe(BaseModel):
        x: Annotated[str, AfterValidator(lambda v: v)]

    with pytest.raises(CompileError, match="pydantic-free modules"):
        _Compiler().schema(Probe.__pydantic_core_schema__)


def test_a_stale_or_foreign_compiled_model_is_not_used(tmp_path):
    raw = compile_model()
    path = tmp_path / "compiled.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    assert twin.read(path) is not None
    for key, value in (("source", "0"), ("pydantic_core", "0.0.0"), ("format", 0)):
        path.write_text(json.dumps({**raw, key: value}), encoding="utf-8")
        assert twin.read(path) is None, key
    path.write_text("[]", encoding="utf-8")
    assert twin.read(path) is None
    assert twin.read(tmp_path / "missing.json") is None


def test_the_compiled_model_runs_only_pydantic_free_code():
    with pytest.raises(ValueError, match="outside"):
        twin._resolve("os:system")


def test_the_choice_of_model_ends_with_the_command():
    """validate chooses the compiled model for itself; what runs after it in the same process
    (the wizard, apply) validates with the pydantic model's classes again."""
    from tui.cli import main

    assert main(["validate", str(ANSWERS / "contoso.toml")]) == 0
    assert validation.current() is validation.pydantic()
    with validation.using(COMPILED):
        assert type(validation.read_file(ANSWERS / "contoso.toml").answers).__module__ == (
            "tui.model.twin")
    assert validation.current() is validation.pydantic()

"""The YAML writer of the exports: whatever plain data it is given, a YAML reader gives it back
(PyYAML here, which is what Ansible reads with); Jinja in data is tagged !unsafe, in a Template
it is not."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.export.yamltext import Template, dumps, quoted, scalar


class _Loader(yaml.SafeLoader):
    pass


class Unsafe(str):
    pass


_Loader.add_constructor("!unsafe", lambda loader, node: Unsafe(loader.construct_scalar(node)))


def load(text: str):
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
keys = st.one_of(texts, st.sampled_from(["yes", "no", "on", "null", "true", "a.b", "-x", "1"]))
leaves = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), texts,
                   st.sampled_from(["", "\n", "a\nb\n", "a\nb", " lead\nx", "x\n\n", "{{ v }}",
                                    "C:\\Program Files\\x", "\x85\u2028\ufeff\x7f", "- x", "#"]))
data = st.recursive(leaves, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(data)
def test_round_trip(value):
    assert load(dumps(value)) == value


@settings(max_examples=200, deadline=None)
@given(texts)
def test_quoted_scalar_round_trip(text):
    assert load(f"v: {quoted(text)}")["v"] == text


def test_jinja_in_data_is_unsafe_and_templates_are_not():
    doc = load(dumps({"data": "a {{ b }}", "block": "x\n{% y %}\n", "t": Template("{{ c }}")}))
    assert isinstance(doc["data"], Unsafe) and isinstance(doc["block"], Unsafe)
    assert not isinstance(doc["t"], Unsafe) and doc["t"] == "{{ c }}"


def test_readable_output():
    text = dumps({"a": [1, {"b": "x\ny\n"}], "import_tasks": "t.yml", "yes": True, "e": {}},
                 "line one\nline two")
    assert text == (
        "# line one\n# line two\n---\n"
        "a:\n  - 1\n  - b: |\n      x\n      y\n"
        'import_tasks: "t.yml"\n"yes": true\ne: {}\n'
    )


def test_scalars():
    assert scalar(None) == "null" and scalar(False) == "false" and scalar(3) == "3"
    assert scalar("C:\\x") == '"C:\\\\x"'
    with pytest.raises(TypeError):
        scalar(object())

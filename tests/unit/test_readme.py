"""The README's answer-file reference is generated from the model; it must not drift."""

from tests.support.paths import ROOT
from tui.model.docs import BEGIN, END, reference_table


def test_readme_reference_matches_model():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert BEGIN in readme and END in readme
    current = readme.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert current == reference_table().strip(), (
        "README answer-file reference is stale: run python -m tui.model.docs --write README.md"
    )


def test_readme_names_every_field():
    from tui.model.answers import section_types

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for section, model in section_types().items():
        for meta in model.fields():
            assert f"`{section}.{meta.name}`" in readme


def test_readme_shows_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme

"""Fixes in the wizard say what to type or tick (#16.4); `validate` keeps the answer file's
words. The titles come from the model's field declarations (the form's specs)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.cli import run_cli
from tests.support.wizard import app_with, message
from tui.form.build import model_specs
from tui.form.words import problem_words, sentence
from tui.model.validation import read_file

MALFORMED = Path(__file__).parents[1] / "malformed"
ASSIGN = re.compile(r"\b[a-z_]+ = ")


async def test_the_wizard_says_uncheck_use_ssl():
    app = app_with({"mail": {"server": "localhost", "use_ssl": True, "is_exchange": False,
                             "poll_exchange": False}})
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await app.show_page("mail")
        await pilot.pause()
        severity, text = message(app, "mail", "use_ssl")
        assert "Fix: uncheck Use SSL" in text, text
        assert "use_ssl" not in text


def test_validate_keeps_the_answer_files_words(tmp_path):
    res = run_cli("validate", str(MALFORMED / "mail_localhost_with_ssl.toml"))
    assert "set use_ssl = false" in res.stdout + res.stderr


def test_no_problem_of_the_malformed_files_reads_like_toml_in_the_form():
    specs = model_specs()
    seen = 0
    for path in sorted(MALFORMED.glob("*.toml")):
        for p in read_file(path).problems:
            if not p.loc or str(p.loc[0]) not in specs or not p.fix:
                continue
            words = problem_words(p, specs)
            seen += 1
            field_names = {f.name for s in specs.values() for f in s.fields}
            left = [m for m in ASSIGN.findall(words) if m[:-3] in field_names]
            assert not left, f"{path.name}: {words}"
    assert seen >= 5


def test_a_value_at_the_start_keeps_its_case():
    assert sentence("http://CorpIDM.contoso.local:8080 is on port 8080").startswith("http://")
    assert sentence("the MIM Portal needs it") == "The MIM Portal needs it"

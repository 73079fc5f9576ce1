"""The form's view of the model: the page-skipping rule agrees with the model's, the spec cache
round-trips, a draft never holds a clear-text password, and `mimsetup validate` stays free of
Textual."""

from __future__ import annotations

import itertools
import subprocess
import sys

from tests.support.paths import CONTOSO, ROOT
from tui import drafts
from tui.app import WizardApp
from tui.form import spec
from tui.form.build import build
from tui.form.state import effective_data
from tui.model.answers import section_needed, section_types
from tui.model.components import Components
from tui.model.shape import SCHEMA_VERSION


def test_what_is_saved_and_the_page_list_agree_on_skipped_pages_for_every_selection():
    """One decision: a section the page list shows as skipped is left out of what is saved, and
    one it shows is kept; both follow the model's section_needed."""
    specs = build()
    names = [f.name for f in specs["components"].fields]
    for values in itertools.product((False, True), repeat=len(names)):
        selection = dict(zip(names, values, strict=True))
        data = spec.prepare(specs, {"components": selection})
        data |= {name: spec.default_table(s) for name, s in specs.items() if name not in data}
        saved = effective_data(data)
        components = Components(**selection)
        for section, model in section_types().items():
            if model.required_by and "*" not in model.required_by:
                skipped = spec.skipped(specs, section, data)
                assert skipped == (not section_needed(section, components)), (section, selection)
                assert (section not in saved) == skipped, (section, selection)


def test_a_new_file_and_a_prepared_one_carry_the_models_schema_version():
    specs = build()
    assert spec.new_data(specs)["schema_version"] == SCHEMA_VERSION
    assert spec.prepare(specs, {})["schema_version"] == SCHEMA_VERSION


def test_spec_cache_round_trip(tmp_path):
    built = build()
    spec.save(built, tmp_path)
    assert spec.load(tmp_path) == built
    (next(tmp_path.glob("uimeta-*"))).write_text("{broken")
    assert spec.load(tmp_path) is None


def test_specs_come_from_the_model():
    specs = build()
    db = {f.name: f for f in specs["database"].fields}
    assert db["server"].msi == ("SQLSERVER_SERVER",) and db["server"].required
    assert db["name"].default == "FIMService"
    assert specs["target"].fields[-1].kind == "secret"
    assert [f.choices for f in specs["certificate"].fields if f.name == "mode"] == [
        ("self-signed", "existing")]


async def test_started_from_the_cache_then_checked(state_dir):
    spec.save(build(), state_dir / "cache")
    app = WizardApp()
    assert not app._specs_built
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        # the model's check ran after the first frame
        assert any(p.loc == ("database", "server") for p in app.found)


def test_draft_without_secrets_replaces_literals():
    data = {"service_account": {"password": "Sentinel-1", "name": "x"},
            "target": {"password": {"env": "X"}}, "mail": {"mailbox_password": "Sentinel-2"}}
    out = drafts.without_secrets(data)
    assert out["service_account"]["password"] == {"prompt": True}
    assert out["mail"]["mailbox_password"] == {"prompt": True}
    assert out["target"]["password"] == {"env": "X"}
    assert data["service_account"]["password"] == "Sentinel-1"  # the form keeps its copy


def test_validate_never_loads_textual():
    code = (f"import sys; from tui.cli import main; rc = main(['validate', {str(CONTOSO)!r}]); "
            "assert 'textual' not in sys.modules, 'textual loaded'; raise SystemExit(rc)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr

"""Drafts keep no password (issue #12.6): a literal under a misspelt key, under a key named like
a secret, or under a fleet file's hosts never reaches the draft; a fleet file is not opened as
an answer file."""

from __future__ import annotations

from pathlib import Path

from tests.support.answers import SENTINEL, contoso_data
from tests.support.wizard import type_text, until
from tui import drafts
from tui.commands import wizard
from tui.model.tomlio import dump_data


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def assert_clean(where: str, blob: bytes) -> None:
    for form in (SENTINEL.encode(), SENTINEL.encode("utf-16-le"),
                 SENTINEL.replace("!", "\\u0021").encode()):
        assert form not in blob, f"the sentinel is in {where}"


async def test_a_draft_of_misspelt_secret_keys_holds_no_password(tmp_path, state_dir):
    data = contoso_data()
    data["target"]["pasword"] = SENTINEL  # misspelt: an unknown key, still a password
    data["service_account"]["passwd"] = SENTINEL
    data["msi"] = {"extra_properties": {"MY_ADMIN_PASSWORD": SENTINEL + "x"}}
    data["reset_portal"]["password"] = SENTINEL
    answers = tmp_path / "mim.toml"
    answers.write_text(dump_data(data), encoding="utf-8")
    app = wizard.build(str(answers))
    async with app.run_test(size=(80, 24)) as pilot:
        await app.show_page("target")
        await type_text(pilot, "x")
        await pilot.press("backspace")
        await until(pilot, lambda: any(state_dir.glob("draft-*.json")), what="a draft")
    written = files_under(state_dir)
    assert written
    for path in written:
        assert_clean(str(path), path.read_bytes())


def test_scrub_reaches_every_depth():
    data = {"kind": "fleet", "base": "b.toml", "hosts": {
        "mim01": {"target": {"password": SENTINEL}, "service_account": {"pasword": SENTINEL}},
        "mim02": {"reset_portal": {"password": {"value": SENTINEL}}}},
        "x": [{"secret": SENTINEL}], "mail": {"mailbox_password": 1234}}
    out = drafts.without_secrets(data)
    assert SENTINEL not in repr(out) and "1234" not in repr(out)
    assert out["hosts"]["mim01"]["target"]["password"] == {"prompt": True}
    assert out["base"] == "b.toml" and SENTINEL in repr(data)  # the caller's copy is kept


def test_edit_refuses_a_fleet_file(tmp_path, state_dir, capsys):
    fleet = tmp_path / "fleet.toml"
    fleet.write_text('schema_version = 1\nkind = "fleet"\nbase = "b.toml"\n'
                     f'[hosts.mim01.target]\npassword = "{SENTINEL}"\n', encoding="utf-8")
    before = fleet.read_bytes()
    app = wizard.build(str(fleet))
    assert isinstance(app, str) and "is a fleet file" in app
    from tui.cli import main

    assert main(["edit", str(fleet)]) == 2
    assert "fleet file" in capsys.readouterr().err
    assert fleet.read_bytes() == before
    assert not files_under(state_dir)

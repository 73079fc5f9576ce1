"""Drafts and the records of installs in progress live in one state folder, computed once
(tui/folders.py). They were computed twice, with different platformdirs arguments: on Windows
(where platformdirs adds an author level unless appauthor=False) drafts went to
%LOCALAPPDATA%\\mimsetup\\mimsetup and install records to %LOCALAPPDATA%\\mimsetup."""

from __future__ import annotations

import platformdirs

from tui import drafts
from tui.engine.state import InstallState


def _as_on_windows(appname=None, appauthor=None, version=None, roaming=False,
                   ensure_exists=False, tmp=None):
    # platformdirs' Windows rule: no appauthor means the app's name again, False means none
    author = appname if appauthor is None else (appauthor or "")
    return str(tmp.joinpath(*(p for p in ("LocalAppData", author, appname) if p)))


def test_drafts_and_install_records_share_the_state_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("MIMSETUP_STATE_DIR", raising=False)
    monkeypatch.setattr(platformdirs, "user_state_dir",
                        lambda *a, **kw: _as_on_windows(*a, **kw, tmp=tmp_path))
    draft_folder = drafts.draft_path(None).parent
    record = InstallState("id1", {}, "task", "C:\\w", "C:\\w\\s", "C:\\w\\l", 0.0)
    install_folder = record.path.parent.parent  # <state>/installs/<id>.json
    assert draft_folder == install_folder == tmp_path / "LocalAppData" / "mimsetup"


def test_a_draft_left_in_the_old_windows_folder_is_found_and_moved(monkeypatch, tmp_path):
    monkeypatch.delenv("MIMSETUP_STATE_DIR", raising=False)
    monkeypatch.setattr(platformdirs, "user_state_dir",
                        lambda *a, **kw: _as_on_windows(*a, **kw, tmp=tmp_path))
    new = drafts.draft_path(None)
    drafts.save(drafts.Draft({"schema_version": 1}, None, "review"))
    old = tmp_path / "LocalAppData" / "mimsetup" / "mimsetup" / new.name  # before: author level
    old.parent.mkdir(parents=True)
    new.replace(old)
    draft = drafts.load(None)
    assert draft is not None and draft.page == "review"
    assert new.is_file() and not old.exists()
    drafts.discard(None)
    assert drafts.load(None) is None  # discarded for good, not found again in the old folder

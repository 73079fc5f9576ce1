"""`mimsetup edit [FILE]` (and bare `mimsetup`): the wizard. Textual is imported here, when the
wizard opens, so that the other subcommands never load it."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

EXIT_OK, EXIT_USAGE = 0, 2


def _err(message: str) -> None:
    print(f"mimsetup: {message}", file=sys.stderr)


def build(file: str | None):
    """The app for `file` (None: a new answer file), with any draft restored; or an exit code
    and the message when the file cannot be opened."""
    from tui import drafts
    from tui.app import WizardApp

    path = Path(file).expanduser() if file else None
    draft = drafts.load(path)
    if draft is not None:
        return WizardApp(
            path=path, data=draft.data, dirty=True, start_page=draft.page,
            started=draft.started,
            notice="Restored unsaved answers from a draft. Save with Ctrl+S.",
        )
    if path is None:
        return WizardApp()
    if not path.exists():
        return WizardApp(path=path, notice=f"{path} does not exist yet: Ctrl+S creates it.")
    from tui.model.tomlio import read_file

    loaded = read_file(path)
    if loaded.unreadable or loaded.data is None:
        return "\n".join(p.format() for p in loaded.problems) or f"{path}: cannot be read"
    return WizardApp(path=path, data=loaded.data, from_file=True)


def edit(args: argparse.Namespace) -> int:
    # pydantic looks for plugins in every installed package's metadata on its first model;
    # the wizard has none, and starting fast matters more
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    app = build(getattr(args, "file", None))
    if isinstance(app, str):
        _err(app)
        return EXIT_USAGE
    code = app.run()
    return app.return_code if app.return_code is not None else (code or EXIT_OK)

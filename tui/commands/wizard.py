"""`mimsetup edit [FILE]` (and bare `mimsetup`): the wizard. Textual is imported here, when the
wizard opens, so that the other subcommands never load it."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path

from tui.commands.common import EXIT_USAGE, remote_shell, wizard_exit_code


def _err(message: str) -> None:
    from tui.model.printable import visible

    print(f"mimsetup: {visible(message)}", file=sys.stderr)


def build(file: str | None, theme: str | None = None, glyphs: str | None = None):
    """The app for `file` (None: a new answer file), with any draft restored; or an exit code
    and the message when the file cannot be opened."""
    from functools import partial

    from tui import drafts
    from tui.app import WizardApp

    WizardApp = partial(WizardApp, remote_shell=remote_shell, glyphs=glyphs)  # noqa: N806
    path = Path(file).expanduser() if file else None
    refused = _fleet_refusal(path)
    if refused:
        return refused
    draft = drafts.load(path)
    if draft is not None:
        newer = _newer_file(path, draft)
        app = WizardApp(
            path=path, data=draft.data, dirty=True, start_page=draft.page,
            started=draft.started,
            notice="Restored unsaved answers from a draft. Save with Ctrl+S." if newer is None
            else "Restored unsaved answers from a draft; the file changed since.", theme=theme,
        )
        if newer is not None:
            # until the admin chooses, a draft written again keeps saying that the file changed
            app.lifecycle.base_stamp = draft.file_stamp or (0, -1)
            app.after_start(lambda: app.lifecycle.ask_newer_file(newer, draft.data))
        return app
    if path is None:
        return WizardApp(theme=theme)
    if not path.exists():
        return WizardApp(path=path, notice=f"{path} does not exist yet: Ctrl+S creates it.",
                         theme=theme)
    from tui.model.validation import read_file

    loaded = read_file(path)
    if loaded.unreadable or loaded.data is None:
        return "\n".join(p.format() for p in loaded.problems) or f"{path}: cannot be read"
    return WizardApp(path=path, data=loaded.data, from_file=True, theme=theme)


def _newer_file(path: Path | None, draft) -> dict | None:
    """The file's data when it changed after `draft` was started (and can be read), else None."""
    from tui import drafts

    if path is None or not drafts.changed_since(draft, path):
        return None
    from tui.model.validation import read_file

    loaded = read_file(path)
    return loaded.data if not loaded.unreadable and loaded.data is not None else None


def _fleet_refusal(path: Path | None) -> str | None:
    """The sentence refusing a fleet file, or None: the wizard edits one answer file, and saving
    a fleet from it would rewrite the fleet as an answer file (and its draft keep the hosts'
    values)."""
    if path is None or not path.is_file():
        return None
    import tomllib

    from tui.model.fleet import is_fleet_data
    from tui.model.reading import read_limited

    try:
        data = tomllib.loads(read_limited(path).decode("utf-8-sig"))
    except (OSError, ValueError):
        return None  # not TOML: the answer-file reader below says what is wrong
    if not is_fleet_data(data):
        return None
    return (f"{path} is a fleet file (kind = \"fleet\"); the wizard edits one answer file: "
            "edit the fleet in a text editor, or open its base answer file with "
            "`mimsetup edit BASE`, and check the fleet with `mimsetup validate`")


def edit(args: argparse.Namespace) -> int:
    # pydantic looks for plugins in every installed package's metadata on its first model;
    # the wizard has none, and starting fast matters more
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # Starting makes many objects (Textual's modules, the first page, then the model) and next
    # to no garbage: the collector would only walk them, a full collection among others (15-25
    # ms before the first frame). It is back on once the start is over (after_start).
    gc.disable()
    # Textual writes each frame from its output thread, which waits for the interpreter lock
    # while the main thread goes on (laying out, then loading the model): up to the switch
    # interval, 5 ms. While starting, the lock changes hands sooner.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    try:
        theme = getattr(args, "theme", None)
        glyphs = getattr(args, "glyphs", None)
        from tui.glyphs import CHOICES, GLYPHS_ENV

        if not glyphs and os.environ.get(GLYPHS_ENV, "auto").lower() not in CHOICES:
            _err(f"${GLYPHS_ENV} is {os.environ[GLYPHS_ENV]!r}; it is one of "
                 f"{', '.join(CHOICES)}")
            return EXIT_USAGE
        app = build(getattr(args, "file", None), theme, glyphs)
        if isinstance(app, str):
            _err(app)
            return EXIT_USAGE
        if theme and theme not in app.available_themes:
            _err(f"no theme named {theme!r}; themes: {', '.join(sorted(app.available_themes))}")
            return EXIT_USAGE
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            # Textual would draw into a pipe and wait for keys that cannot come.
            _err("the wizard needs a terminal, and standard input or output is not one here; in a "
                 "script use `mimsetup validate FILE`, `mimsetup plan FILE` or "
                 "`mimsetup apply FILE --yes`")
            return EXIT_USAGE
        app.after_start(gc.enable)
        app.after_start(lambda: sys.setswitchinterval(interval))
        code = app.run()
    finally:
        gc.enable()
        sys.setswitchinterval(interval)
    return wizard_exit_code(app, code)


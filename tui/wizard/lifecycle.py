"""The wizard's life around the user's work: unsaved changes kept as a draft (restored after a
crash or a lost connection), and a terminal that goes away (SSH hang-up, a pty closed) ending
the app cleanly with its draft saved."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tui import drafts

if TYPE_CHECKING:
    from textual.timer import Timer

    from tui.wizard.host import Wizard

HANGUP_GRACE = 3.0  # seconds a hung-up app gets to end by itself
TERMINAL_WATCH = 1.0  # seconds between checks that the terminal is still there
DRAFT_DELAY = 0.3  # seconds of quiet after an edit before the draft is written
EXIT_HANGUP = 129


class Lifecycle:
    """The draft of `app`'s answers (keyed by `draft_key`: the file's path, or none for a new
    file) and the hang-up watch."""

    def __init__(self, app: Wizard, draft_key: Path | None) -> None:
        self.app = app
        self.draft_key = draft_key
        self._timer: Timer | None = None
        self._hung_up = False
        self._said_small = False

    def check_size(self, least: tuple[int, int]) -> None:
        """Says once (each time the terminal becomes too small) that it is below `least`."""
        width, height = self.app.size
        small = width < least[0] or height < least[1]
        if small and not self._said_small:
            self.app.notify(f"This terminal is {width}x{height}; mimsetup needs at least "
                            f"{least[0]}x{least[1]}: parts of it are cut off.",
                            severity="warning", timeout=10)
        self._said_small = small

    @property
    def draft_key(self) -> Path | None:
        return self._draft_key

    @draft_key.setter
    def draft_key(self, key: Path | None) -> None:
        # The file as this editing found it: a draft carries it, so that a restore can tell
        # that another editor changed the file since.
        self._draft_key, self.base_stamp = key, drafts.file_stamp(key)

    # --- drafts -----------------------------------------------------------------------------------

    def schedule_draft(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.app.set_timer(DRAFT_DELAY, self.save_draft)

    def save_draft(self) -> None:
        app = self.app
        if not app.dirty:
            return
        try:
            drafts.save(drafts.Draft(
                data=app.data,
                file=str(self.draft_key) if self.draft_key else None,
                page=app.current,
                started=sorted(app.started),
                file_stamp=self.base_stamp,
            ))
        except OSError as exc:
            app.notify(f"Could not save the draft: {exc.strerror or exc}", severity="warning")

    def discard_draft(self) -> None:
        """The answers are saved, or the user chose to drop them: no draft to restore."""
        drafts.discard(self.draft_key)
        self.base_stamp = drafts.file_stamp(self.draft_key)  # what the next draft starts from
        if self._timer is not None:
            self._timer.stop()

    # --- a restored draft whose file changed since ------------------------------------------------

    def ask_newer_file(self, file_data: dict, draft_data: dict) -> None:
        """The file changed after this draft was started (another editor): say so and let the
        admin choose: keep the draft, take the file, or see the difference first. Neither is
        replaced silently."""
        self.app.run_worker(self._newer_file(file_data, draft_data), exclusive=True,
                            group="newer-file")

    async def _newer_file(self, file_data: dict, draft_data: dict) -> None:
        from screens.prompts import Choice, TextScreen
        from tui.model.printable import visible

        app, path = self.app, self.draft_key
        name = visible(str(path))
        text = (f"{name} changed after this draft was written (in another editor?). The form "
                "shows the draft. Keep the draft (saving it then replaces the file's changes), "
                "take the file (the draft is dropped), or see the difference first.")
        while True:
            choice = await app.push_screen_wait(Choice(
                "The file is newer than the draft", text,
                [("draft", "Keep the draft", "k"), ("file", "Take the file", "f"),
                 ("diff", "See the difference", "d")], cancel="ask"))
            if choice == "diff":
                await app.push_screen_wait(TextScreen(
                    "The draft's changes to the file",
                    drafts.difference(file_data, draft_data, name)))
            elif choice == "draft":
                self.base_stamp = drafts.file_stamp(path)  # chosen: no second question
                self.save_draft()
                app.notify("Kept the draft; Ctrl+S saves it over the file.")
                return
            elif choice == "file":
                if await app.files.open_file(path):
                    self.discard_draft()
                    app.notify(f"Took {name}; the draft is dropped.")
                return

    # --- hang-up ----------------------------------------------------------------------------------

    def watch_hangup(self) -> None:
        if not self.app.is_headless:
            # A pty that closes while it is not the process's controlling terminal sends no
            # SIGHUP; it shows as stdin no longer being a terminal (Textual's input thread then
            # reads nothing, forever, at full speed).
            self.app.set_interval(TERMINAL_WATCH, self._watch_terminal)
        if not hasattr(signal, "SIGHUP"):
            return
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.hangup)

    def unwatch_hangup(self) -> None:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError, AttributeError):
            asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)

    def _watch_terminal(self) -> None:
        try:
            alive = os.isatty(sys.__stdin__.fileno())
        except (AttributeError, ValueError, OSError):
            alive = False
        if not alive:
            self.hangup()

    def hangup(self) -> None:
        """The terminal went away (SSH hang-up): keep the draft and leave cleanly."""
        if self._hung_up:
            return
        self._hung_up = True
        if self._timer is not None:
            self._timer.stop()
        self.save_draft()
        self.app.exit(return_code=EXIT_HANGUP)
        # With its terminal gone, Textual's input thread can spin instead of letting the app
        # end (seen once: 98% CPU for an hour). The draft is saved: leave for sure.
        import threading

        timer = threading.Timer(HANGUP_GRACE, os._exit, args=(EXIT_HANGUP,))
        timer.daemon = True
        timer.start()

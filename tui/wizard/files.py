"""The answer file behind the wizard: save, save as, open, and quitting with unsaved changes.
Nothing is overwritten or thrown away without asking."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from tui.model.outputs import write_outputs

if TYPE_CHECKING:
    from tui.wizard.host import Wizard


class Files:
    """Save, open and quit for `app`. The dialogs wait for answers: the flows run in workers
    (group "file", one at a time)."""

    def __init__(self, app: Wizard) -> None:
        self.app = app

    def _worker(self, flow: Callable[..., Awaitable[object]], *args: object) -> None:
        self.app.run_worker(partial(flow, *args), exclusive=True, group="file")

    def save_flow(self, save_as: bool = False) -> None:
        self._worker(self.save, save_as)

    async def save(self, save_as: bool = False) -> bool:
        """Save (asking for a path when there is none, or for Save as). Must run in a worker."""
        from screens import prompts  # loaded when first needed: a faster start

        app = self.app
        path = app.path
        if path is None or save_as:
            default = str(app.path) if app.path else str(Path.cwd() / "answers.toml")
            answer = await app.push_screen_wait(
                prompts.PathPrompt("Save as", "Save the answer file to:", default)
            )
            if answer is None:
                return False
            path = Path(answer).expanduser()
            if path.is_dir():
                app.notify(f"{path} is a directory: give a file name.", severity="error")
                return False
            if path.exists() and path != app.path:
                choice = await app.push_screen_wait(prompts.Choice(
                    "Overwrite?", f"{path} exists. Replace it?",
                    [("overwrite", "Replace", "r"), ("cancel", "Cancel", "c")],
                ))
                if choice != "overwrite":
                    return False
        assert path is not None
        if not await self._replace_outside_change(path):
            return False
        from tui.form.state import effective_data
        from tui.model.tomlio import dump_data, has_literal_secrets

        eff = effective_data(app.data)
        try:
            write_outputs([(path, dump_data(eff), 0o600)], force=True)  # asked above
        except OSError as exc:
            app.notify(f"Could not save: {getattr(exc, 'message', None) or exc.strerror or exc}",
                       severity="error")
            return False
        app.saved(path)
        errors = sum(p.is_error for p in app.found)
        note = f" ({errors} error{'s' if errors != 1 else ''} left)" if errors else ""
        if has_literal_secrets(eff):
            note += "; it holds passwords in clear text (mode 0600)"
        app.notify(f"Saved {path}{note}.", severity="warning" if note else "information")
        return True

    async def _replace_outside_change(self, path: Path) -> bool:
        """Saving over the file being edited after another editor changed it: ask first."""
        from screens import prompts
        from tui import drafts

        app = self.app
        base = app.lifecycle.base_stamp
        if path != app.path or base is None or drafts.file_stamp(path) in (None, base):
            return True
        choice = await app.push_screen_wait(prompts.Choice(
            "The file changed", f"{path} changed on disk since it was opened (another editor?). "
            "Replace it with these answers?",
            [("overwrite", "Replace", "r"), ("cancel", "Cancel", "c")],
        ))
        return choice == "overwrite"

    def open_flow(self) -> None:
        self._worker(self._open)

    async def _open(self) -> None:
        from screens import prompts  # loaded when first needed: a faster start

        if self.app.dirty and not await self.settle_unsaved("Open another file"):
            return
        answer = await self.app.push_screen_wait(
            prompts.PathPrompt("Open", "Open the answer file:"))
        if answer is None:
            return
        await self.open_file(Path(answer).expanduser())

    async def open_file(self, path: Path) -> bool:
        from tui.model.validation import read_file

        app = self.app
        loaded = read_file(path)
        if loaded.unreadable or loaded.data is None:
            first = loaded.problems[0].format() if loaded.problems else f"{path}: unreadable"
            app.notify(first, severity="error", timeout=10)
            return False
        await app.open_data(path, loaded.data)
        return True

    async def settle_unsaved(self, what: str) -> bool:
        """Ask what to do with unsaved changes; True when it is fine to go on."""
        from screens import prompts  # loaded when first needed: a faster start

        choice = await self.app.push_screen_wait(prompts.Choice(
            "Unsaved changes",
            f"The answers have unsaved changes. {what}:",
            [("save", "Save", "s"), ("discard", "Discard", "d"), ("cancel", "Cancel", "c")],
        ))
        if choice == "save":
            return await self.save()
        if choice == "discard":
            self.app.discard_draft()
            self.app.dirty = False
            return True
        return False

    # --- quit -------------------------------------------------------------------------------------

    def quit(self) -> None:
        app = self.app
        if app.install_running():
            self._worker(self._quit_while_installing)
        elif not app.dirty:
            app.discard_draft()
            app.exit(0)
        else:
            self._worker(self._quit_unsaved)

    async def _quit_unsaved(self) -> None:
        if await self.settle_unsaved("Quit"):
            self.app.exit(0)

    async def _quit_while_installing(self) -> None:
        from screens import prompts  # loaded when first needed: a faster start

        app = self.app
        session = app.install_session
        state = session.state if session else None
        how = (f"Follow it again with: mimsetup attach {state.install_id}" if state
               else "mimsetup attach follows it again once it has started")
        if app.demo is not None:
            how = "The simulated server stops with mimsetup, and its install with it"
        choice = await app.push_screen_wait(prompts.Choice(
            "Quit while installing?",
            f"Quitting detaches: the install goes on on the target. {how}.",
            [("quit", "Quit", "q"), ("stay", "Stay", "s")], cancel="stay",
        ))
        if choice != "quit":
            return
        if app.dirty and not await self.settle_unsaved("Quit"):
            return
        if not app.dirty:
            app.discard_draft()
        app.exit(0)

"""What the helpers in tui/wizard/ use of the wizard app. `tui.app.WizardApp` is this class
with the behaviour filled in; the helpers are handed the app and type it as `Wizard`, so that
they never import the module that imports them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App

if TYPE_CHECKING:
    from tui.form.spec import Specs
    from tui.model.problems import Problem
    from tui.session import DemoTarget, InstallSession, RemoteShellType


class Wizard(App[int]):
    data: dict[str, Any]  # the answers as TOML data, as the form edits them
    found: list[Problem]  # every problem of `data`
    specs: Specs
    path: Path | None  # the answer file, None until it is first saved
    dirty: bool  # changes not saved to `path`
    demo: DemoTarget | None
    remote_shell: RemoteShellType | None
    install_session: InstallSession | None

    @property
    def current(self) -> str:
        """The id of the page shown."""
        raise NotImplementedError

    @property
    def started(self) -> set[str]:
        """The pages visited and left."""
        raise NotImplementedError

    def revalidate(self) -> None:
        raise NotImplementedError

    def answers(self) -> Any:
        raise NotImplementedError

    async def show_page(self, page_id: str, field: tuple[str, str] | None = None) -> None:
        raise NotImplementedError

    def set_dirty(self, dirty: bool) -> None:
        raise NotImplementedError

    def discard_draft(self) -> None:
        raise NotImplementedError

    def saved(self, path: Path) -> None:
        """`data` is now what `path` holds."""
        raise NotImplementedError

    async def open_data(self, path: Path, data: dict[str, Any]) -> None:
        """Edit `data`, read from `path`, from its first incomplete page."""
        raise NotImplementedError

    def in_install_flow(self) -> bool:
        raise NotImplementedError

    def install_running(self) -> bool:
        raise NotImplementedError

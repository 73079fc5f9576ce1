"""The wizard: a Textual app that edits an answer file as a plain dict of TOML data and checks it
with the model on every change. What it does lives beside it, in tui/wizard/: routing between the
pages (router.py; the pages are declared in screens/pages.py), the file (files.py: save, open,
quit), the draft and hang-up (lifecycle.py), and the install (install.py).

Public hooks:
- `screens.pages.PAGES`: the pages in order.
- `screens.review.ReviewPage.ACTIONS`: the buttons of the Review page (Install, Save,
  Save as), each naming an action on this app.
- Install (`action_install`, tui/wizard/install.py): `demo` points it at the simulated server
  of `mimsetup demo` instead of the answers' [target].
- `WizardApp.data` (the raw data), `WizardApp.answers()` (the AnswerFile, or None while there
  are errors), `WizardApp.found` (every problem), `WizardApp.show_page(page_id, field)`.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, Header

from screens.flow import FlowScreen
from screens.pages import PAGE_IDS, PAGES, page_class
from screens.review import ReviewPage
from tui import drafts
from tui.form import spec
from tui.glyphs import SafeGlyphs, wants_safe
from tui.widgets.field import FieldRow
from tui.widgets.page import WizardPage
from tui.widgets.sections import SectionList
from tui.wizard import install
from tui.wizard.files import Files
from tui.wizard.host import Wizard
from tui.wizard.lifecycle import Lifecycle
from tui.wizard.router import Router

if TYPE_CHECKING:  # the engine and the model load when Install is pressed, not at start
    from tui.model.problems import Problem
    from tui.session import DemoTarget, InstallSession, RemoteShellType

THEME_ENV = "MIMSETUP_THEME"
FORM_ACTIONS = frozenset({"next", "back", "save", "sections"})


class WizardApp(Wizard):
    """The answer-file wizard."""

    CSS_PATH = "app.tcss"
    AUTO_FOCUS = None  # show_page focuses the page's first field
    # Below 72 columns the page list keeps only its marks (app.tcss); below MIN_SIZE: a notice.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (72, "-wide")]
    MIN_SIZE = (60, 20)
    TITLE = "mimsetup"
    SUB_TITLE = "MIM 2016 Service and Portal"
    # The header watches it and redraws its title line; App's own reactive also redrew the whole
    # screen on each change (6 KB at 80x24, for the first key typed: " (unsaved)").
    sub_title: Reactive[str] = Reactive("", compute=False, repaint=False)

    # The tooltips say what a key does in full: the help screen (F1) lists them.
    BINDINGS = [
        Binding("ctrl+n", "next", "Next", priority=True,
                tooltip="next page (checks this page first)"),
        Binding("ctrl+b", "back", "Back", priority=True, tooltip="previous page"),
        Binding("ctrl+s", "save", "Save", priority=True, tooltip="save the answer file"),
        Binding("f2", "sections", "Pages", tooltip="page list: arrows, then Enter to jump"),
        Binding("f1", "help", "Help", tooltip="this help"),
        Binding("ctrl+q", "quit", "Quit", priority=True,
                tooltip="quit (asks when there are unsaved changes)"),
    ]
    # The command palette's own entries (Ctrl+P): title, help, action. The help screen names them.
    COMMANDS: ClassVar[tuple[tuple[str, str, str], ...]] = (
        ("Save", "Save the answer file (Ctrl+S)", "save"),
        ("Save as", "Save the answer file under another name", "save_as"),
        ("Open", "Open another answer file", "open"),
        ("Validate", "Check every page and list the problems", "validate"),
        ("Show plan", "The msiexec command line, as `mimsetup plan`", "show_plan"),
        ("Install", "Pre-flight, install and checklist on the target", "install"),
        ("Theme: ansi-dark", "Colours for terminals with few colours", "use_theme('ansi-dark')"),
    )

    def __init__(
        self,
        *,
        path: str | Path | None = None,
        data: dict[str, Any] | None = None,
        from_file: bool = False,
        dirty: bool = False,
        start_page: str | None = None,
        started: Iterable[str] | None = None,
        notice: str | None = None,
        theme: str | None = None,
        glyphs: str | None = None,
        demo: DemoTarget | None = None,
        remote_shell: RemoteShellType | None = None,
    ) -> None:
        super().__init__()
        if wants_safe(glyphs):  # a console whose font lacks ✓ ✗ ○ and the thin blocks
            self._filters.append(SafeGlyphs())
        self.demo = demo
        self.remote_shell = remote_shell
        self.install_session: InstallSession | None = None
        self.specs, self._specs_built = self._load_specs()
        self.path: Path | None = Path(path) if path is not None else None
        self.data: dict[str, Any] = (
            spec.prepare(self.specs, data) if data is not None else spec.new_data(self.specs)
        )
        # A new answer file is checked once the first frame is out (the model's import is the
        # slowest part of starting); a file or a draft is checked before, to open at its first
        # incomplete page.
        self._check_first = data is not None
        self._from_file = from_file
        self.found: list[Problem] = []
        self.dirty = dirty
        self._start_page = start_page
        self._notice = notice
        self._after_start: list[Callable[[], object]] = []
        self.router = Router(self)
        self.files = Files(self)
        self.lifecycle = Lifecycle(self, self.path)
        if started is not None:  # a restored draft: the pages the user had been on
            self.router.reset(pages=started)
        elif from_file:  # what came from a file is judged at once: its problems show at the fields
            self.router.reset(self.data)
        theme = theme or os.environ.get(THEME_ENV)
        if theme and theme in self.available_themes:
            self.theme = theme

    @staticmethod
    def _load_specs() -> tuple[spec.Specs, bool]:
        cached = spec.load(drafts.state_dir() / "cache")
        if cached is not None:
            return cached, False
        from tui.form.build import model_specs

        return model_specs(), True

    @property
    def current(self) -> str:
        return self.router.current

    @property
    def started(self) -> set[str]:
        return self.router.started

    # --- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # The first page is composed with the rest, so that the first frame shows it.
        if self._check_first:
            from tui.form.state import problems

            self.found = problems(self.data)
        start = self._start_page or self.router.first_incomplete()
        if start not in PAGE_IDS:
            start = PAGE_IDS[0]
        self.router.current = start
        yield Header(icon="≡")
        with Horizontal(id="body"):
            yield SectionList([(p.PAGE_ID, p.title(self.specs)) for p in PAGES],
                              id="sections")
            with ContentSwitcher(id="pages", initial=start):
                yield page_class(start)()
        yield Footer()

    async def on_mount(self) -> None:
        self._update_title()
        await self.show_page(self.current)
        if self._notice:
            self.notify(self._notice, timeout=8)
        elif self._from_file and self.found:
            n = len(self.found)
            self.notify(f"The answer file has {n} problem{'s' if n != 1 else ''}: each is shown "
                        "at its field and listed on the Review page.", timeout=8)
        self.lifecycle.watch_hangup()
        self.call_after_refresh(self._first_frame_out)
        if self.demo is not None and self.current == ReviewPage.PAGE_ID:
            # the demo's first step is Install: Enter presses it
            self.query_one("#action-install").focus()

    async def on_unmount(self) -> None:
        self.lifecycle.unwatch_hangup()

    def after_start(self, callback: Callable[[], object]) -> None:
        """Call `callback` once the start is over: the first frame drawn, then the model loaded
        and the answers checked with it."""
        self._after_start.append(callback)

    def _first_frame_out(self) -> None:
        self._model_ready()
        for callback in self._after_start:
            callback()
        self._after_start.clear()

    def _model_ready(self) -> None:
        """After the first frame: check the answers with the model, refresh the spec cache."""
        if not self._check_first:
            self.revalidate()
        from tui.form.build import model_specs

        built = model_specs()
        if self._specs_built or built != self.specs:
            spec.save(built, drafts.state_dir() / "cache")

    # --- pages (tui/wizard/router.py) ---------------------------------------------------------

    def page(self, page_id: str | None = None) -> WizardPage | None:
        return self.router.page(page_id)

    async def show_page(self, page_id: str, field: tuple[str, str] | None = None) -> None:
        """Switch to a page (building it the first time) and focus `field` or its first field."""
        await self.router.show(page_id, field)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in FORM_ACTIONS and self.in_install_flow():
            return False  # the pages are behind the install's screens: their keys rest
        if action == "next":
            return True if self.router.neighbour(1) else None
        if action == "back":
            return True if self.router.neighbour(-1) else None
        return True

    async def action_next(self) -> None:
        await self.router.next()

    async def action_back(self) -> None:
        await self.router.back()

    async def action_next_field(self) -> None:
        await self.router.next_field()

    def on_resize(self) -> None:
        self.lifecycle.check_size(self.MIN_SIZE)

    def action_sections(self) -> None:
        self.router.page_list()

    @on(SectionList.Jump)
    async def _jump(self, event: SectionList.Jump) -> None:
        await self.show_page(event.page)

    @on(ReviewPage.JumpToProblem)
    async def _jump_to_problem(self, event: ReviewPage.JumpToProblem) -> None:
        await self.router.show_problem(event.problem)

    def action_help(self) -> None:
        from screens.help import HelpScreen  # dialogs load when first used: a faster start

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    # --- editing and checking -----------------------------------------------------------------

    @on(FieldRow.Edited)
    def _edited(self, event: FieldRow.Edited) -> None:
        event.stop()
        row = event.row
        table = self.data.get(row.section)
        if not isinstance(table, dict):
            table = self.data[row.section] = {}
        if event.value is None:
            table.pop(row.meta.name, None)
        else:
            table[row.meta.name] = copy.deepcopy(event.value)
        if self.current != ReviewPage.PAGE_ID:
            self.router.started.add(self.current)
        if not self.dirty:
            self.set_dirty(True)
        self.revalidate()
        if row.section == "components":
            self.refresh_bindings()
        self.lifecycle.schedule_draft()

    @on(FieldRow.Left)
    def _left(self, event: FieldRow.Left) -> None:
        event.stop()

    def revalidate(self) -> None:
        """Check the whole data with the model; show the result on the current page and in the
        page list."""
        from tui.form.state import problems

        self.found = problems(self.data)
        page = self.page()
        if page is not None:
            page.refresh_page(self.data, self.found, self.current in self.router.revealed)
        self.router.update_states()

    def answers(self):
        """The answers as the model has them (an AnswerFile), or None while there are errors."""
        from tui.form.state import effective_data
        from tui.model.validation import validate_data

        loaded = validate_data(effective_data(self.data))
        return loaded.answers if not loaded.errors else None

    def set_dirty(self, dirty: bool) -> None:
        self.dirty = dirty
        self._update_title()

    def _update_title(self) -> None:
        name = str(self.path) if self.path else "new answer file"
        self.sub_title = name + (" (unsaved)" if self.dirty else "")

    # --- save, open, quit (tui/wizard/files.py, lifecycle.py) ---------------------------------

    def discard_draft(self) -> None:
        self.lifecycle.discard_draft()

    def saved(self, path: Path) -> None:
        self.discard_draft()
        self.path = self.lifecycle.draft_key = path
        self.set_dirty(False)

    async def open_data(self, path: Path, data: dict[str, Any]) -> None:
        self.path = self.lifecycle.draft_key = path
        self.data = spec.prepare(self.specs, data)
        self.router.reset(data)
        self.screen.set_focus(None)
        await self.query_one("#pages", ContentSwitcher).remove_children()
        self.set_dirty(False)
        self.revalidate()
        await self.show_page(self.router.first_incomplete())

    def action_save(self) -> None:
        self.files.save_flow()

    def action_save_as(self) -> None:
        self.files.save_flow(save_as=True)

    def action_open(self) -> None:
        self.files.open_flow()

    async def action_quit(self) -> None:
        self.files.quit()

    # --- install (tui/wizard/install.py) ------------------------------------------------------

    @work(exclusive=True, group="install")
    async def action_install(self) -> None:
        await install.launch(self)

    @on(FlowScreen.MoveOn)
    def _move_on(self, event: FlowScreen.MoveOn) -> None:
        install.move_on(self, event)

    def in_install_flow(self) -> bool:
        return any(isinstance(s, FlowScreen) for s in self.screen_stack)

    def install_running(self) -> bool:
        return install.install_running(self)

    # --- commands -----------------------------------------------------------------------------

    def action_validate(self) -> None:
        self.router.reveal_all()
        self.revalidate()
        errors = sum(p.is_error for p in self.found)
        warnings = len(self.found) - errors
        if not self.found:
            self.notify("The answers are valid.")
        else:
            self.notify(f"{errors} error(s), {warnings} warning(s): see Review.",
                        severity="error" if errors else "warning")
        self.call_later(self.show_page, ReviewPage.PAGE_ID)

    def action_show_plan(self) -> None:
        from screens import prompts  # loaded when first needed: a faster start
        from tui.form.state import plan_text

        text = plan_text(self.data)
        if text is None:
            errors = [p.format() for p in self.found if p.is_error]
            text = "The plan needs answers without errors:\n\n" + "\n".join(errors)
        self.push_screen(prompts.TextScreen("msiexec plan", text))

    def action_use_theme(self, theme: str) -> None:
        self.theme = theme

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for title, help_text, action in self.COMMANDS:
            yield SystemCommand(title, help_text, partial(self.run_action, action))
        yield from super().get_system_commands(screen)

"""The wizard: a Textual app that edits an answer file as a plain dict of TOML data, checks it with
the model on every change, and routes between the pages in `screens/`.

Public hooks:
- `PAGES`: the page classes in order (a `WizardPage` subclass each; `SectionPage` for a page
  of answer-file sections). A new page is a module in `screens/` plus an entry here.
- `screens.review.ReviewPage.ACTIONS`: the buttons of the Review page (Save, Save as,
  Install), each naming an action on this app.
- Install (`action_install`): the passwords kept as "ask at install time" in a masked dialog,
  the connection, then the install flow's screens (screens/preflight.py, install.py, result.py,
  checklist.py), which share a `tui.session.InstallSession`. `demo` points it at the simulated
  server of `mimsetup demo` instead of the answers' [target].
- `WizardApp.data` (the raw data), `WizardApp.answers()` (the AnswerFile, or None while there
  are errors), `WizardApp.found` (every problem), `WizardApp.show_page(page_id, field)`.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import os
import signal
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import Reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Footer, Header

from screens.certificate import CertificatePage
from screens.components import ComponentsPage
from screens.database import DatabasePage
from screens.mail import MailPage
from screens.portal import PortalPage
from screens.registration_portal import RegistrationPortalPage
from screens.reset_portal import ResetPortalPage
from screens.review import ReviewPage
from screens.service_account import ServiceAccountPage
from screens.synchronization import SynchronizationPage
from screens.target import TargetPage
from tui import drafts
from tui.model.atomic import atomic_write
from tui.widgets import spec
from tui.widgets.field import FieldRow
from tui.widgets.page import SectionPage, WizardPage
from tui.widgets.sections import SectionList

if TYPE_CHECKING:  # the engine and the model load when Install is pressed, not at start
    from tui.model.problems import Problem
    from tui.session import DemoTarget, InstallSession, RemoteShellType

PAGES: list[type[WizardPage]] = [
    ComponentsPage,
    DatabasePage,
    MailPage,
    CertificatePage,
    ServiceAccountPage,
    SynchronizationPage,
    PortalPage,
    RegistrationPortalPage,
    ResetPortalPage,
    TargetPage,
    ReviewPage,
]

THEME_ENV = "MIMSETUP_THEME"
FORM_ACTIONS = frozenset({"next", "back", "save", "sections"})
HANGUP_GRACE = 3.0  # seconds a hung-up app gets to end by itself
TERMINAL_WATCH = 1.0  # seconds between checks that the terminal is still there
EXIT_HANGUP = 129


def page_of(section: str) -> str | None:
    for page in PAGES:
        if section in getattr(page, "SECTIONS", ()):
            return page.PAGE_ID
    return None


def prepare(data: dict[str, Any]) -> dict[str, Any]:
    """Data read from a file (or a draft), ready for the form: the tables that the selected
    components need are there, with the model's defaults, so that the form shows them."""
    from tui.model.answers import section_needed, section_types
    from tui.widgets import formstate

    out = copy.deepcopy(data)
    out.setdefault("schema_version", 1)
    if not isinstance(out.get("components"), dict):
        out["components"] = formstate.default_table("components")
    components = formstate.components_of(out)
    for name in section_types():
        if name in ("components", "msi") or name in out:
            continue
        if section_needed(name, components):
            out[name] = formstate.default_table(name)
    return out


class WizardApp(App[int]):
    """The answer-file wizard."""

    CSS_PATH = "app.tcss"
    AUTO_FOCUS = None  # show_page focuses the page's first field
    TITLE = "mimsetup"
    SUB_TITLE = "MIM 2016 Service and Portal"
    # The header watches it and redraws its title line; App's own reactive also redrew the whole
    # screen on each change (6 KB at 80x24, for the first key typed: " (unsaved)").
    sub_title: Reactive[str] = Reactive("", compute=False, repaint=False)

    BINDINGS = [
        Binding("ctrl+n", "next", "Next", priority=True),
        Binding("ctrl+b", "back", "Back", priority=True),
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("f2", "sections", "Pages"),
        Binding("f1", "help", "Help"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

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
        demo: DemoTarget | None = None,
        remote_shell: RemoteShellType | None = None,
    ) -> None:
        super().__init__()
        self.demo = demo
        self.remote_shell = remote_shell
        self.install_session: InstallSession | None = None
        self.specs, self._specs_built = self._load_specs()
        self.path: Path | None = Path(path) if path is not None else None
        self.data: dict[str, Any] = (
            prepare(data) if data is not None else spec.new_data(self.specs)
        )
        # A new answer file is checked once the first frame is out (the model's import is the
        # slowest part of starting); a file or a draft is checked before, to open at its first
        # incomplete page.
        self._check_first = data is not None
        self._from_file = from_file
        self.found: list[Problem] = []
        self.dirty = dirty
        self.current: str = PAGES[0].PAGE_ID
        self.started: set[str] = set()
        self.revealed: set[str] = set()
        self._start_page = start_page
        self._notice = notice
        self._draft_timer: Timer | None = None
        self._after_start: list[Callable[[], object]] = []
        self._hung_up = False
        self._draft_key: Path | None = self.path
        if started is not None:  # a restored draft: the pages the user had been on
            self.started = set(started)
            self.revealed = set(started)
        elif from_file:
            # what came from a file is judged at once: its problems show at the fields
            for page in PAGES:
                if any(s in self.data for s in getattr(page, "SECTIONS", ())):
                    self.started.add(page.PAGE_ID)
                    self.revealed.add(page.PAGE_ID)
        theme = theme or os.environ.get(THEME_ENV)
        if theme and theme in self.available_themes:
            self.theme = theme

    @staticmethod
    def _load_specs() -> tuple[spec.Specs, bool]:
        cached = spec.load(drafts.state_dir() / "cache")
        if cached is not None:
            return cached, False
        return spec.build(), True

    # --- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # The first page is composed with the rest, so that the first frame shows it.
        if self._check_first:
            from tui.widgets import formstate

            self.found = formstate.problems(self.data)
        start = self._start_page or self._first_incomplete_page()
        if start not in {p.PAGE_ID for p in PAGES}:
            start = PAGES[0].PAGE_ID
        self.current = start
        yield Header(icon="≡")
        with Horizontal(id="body"):
            yield SectionList([(p.PAGE_ID, p.title(self.specs)) for p in PAGES],
                              id="sections")
            with ContentSwitcher(id="pages", initial=start):
                yield self._page_class(start)()
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
        self._install_hangup_handler()
        self.call_after_refresh(self._first_frame_out)
        if self.demo is not None and self.current == ReviewPage.PAGE_ID:
            # the demo's first step is Install: Enter presses it
            self.query_one("#action-install").focus()

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
        built = spec.build()
        if self._specs_built or built != self.specs:
            spec.save(built, drafts.state_dir() / "cache")

    def _first_incomplete_page(self) -> str:
        if self.started:
            for page in PAGES:
                if self._page_state(page) in ("errors", "not-started") and page is not ReviewPage:
                    return page.PAGE_ID
        return PAGES[0].PAGE_ID

    # --- pages --------------------------------------------------------------------------------

    def _page_class(self, page_id: str) -> type[WizardPage]:
        return next(p for p in PAGES if p.PAGE_ID == page_id)

    def page(self, page_id: str | None = None) -> WizardPage | None:
        page_id = page_id or self.current
        found = self.query_one("#pages", ContentSwitcher).query_children(f"#{page_id}")
        return found.first() if found else None  # type: ignore[return-value]

    async def show_page(self, page_id: str, field: tuple[str, str] | None = None) -> None:
        """Switch to a page (building it the first time) and focus `field` or its first field."""
        switcher = self.query_one("#pages", ContentSwitcher)
        self.screen.set_focus(None)  # never switch while a field of the old page has focus
        page = self.page(page_id)
        if page is None:
            page = self._page_class(page_id)()
            await switcher.mount(page)
        if self.current != page_id and self.current != ReviewPage.PAGE_ID:
            self.started.add(self.current)  # a page that was visited and left
        switcher.current = page_id
        self.current = page_id
        page.refresh_page(self.data, self.found, page_id in self.revealed)
        sections = self.query_one(SectionList)
        self._update_states()
        sections.show_current(page_id)
        self.refresh_bindings()
        target: Widget | None = None
        if field is not None and isinstance(page, SectionPage):
            row = page.row(*field)
            if row is not None:
                target = row.control
        if target is None:
            chain = self._page_focus_chain(page)
            target = chain[0] if chain else None
        if target is not None and field is not None:
            target.focus()
            self.call_after_refresh(target.scroll_visible, animate=False)
        else:
            # a page opens at its top, title shown: scrolling to its first field raced with
            # that field's help unfolding on focus (the page then sat a line or two down)
            if target is not None:
                target.focus(scroll_visible=False)
            page.scroll_home(animate=False)
            self.call_after_refresh(page.scroll_home, animate=False)

    def _page_focus_chain(self, page: Widget) -> list[Widget]:
        return [w for w in self.screen.focus_chain if page in w.ancestors]

    def _navigable(self) -> list[str]:
        return [
            p.PAGE_ID for p in PAGES
            if not (isinstance(p, type) and issubclass(p, SectionPage)
                    and all(spec.skipped(self.specs, s, self.data) for s in p.SECTIONS))
        ]

    def _neighbour(self, step: int) -> str | None:
        order = [p.PAGE_ID for p in PAGES]
        navigable = self._navigable()
        i = order.index(self.current) + step
        while 0 <= i < len(order):
            if order[i] in navigable:
                return order[i]
            i += step
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in FORM_ACTIONS and self.in_install_flow():
            return False  # the pages are behind the install's screens: their keys rest
        if action == "next":
            return True if self._neighbour(1) else None
        if action == "back":
            return True if self._neighbour(-1) else None
        return True

    async def action_next(self) -> None:
        """Validate the page explicitly, then go on; stay (showing why) when it has errors."""
        page = self.page()
        self.revealed.add(self.current)
        if self.current != ReviewPage.PAGE_ID:
            self.started.add(self.current)
        self.revalidate()
        if isinstance(page, SectionPage):
            errors = [
                p for p in self.found if p.is_error and p.loc[:1] and p.loc[0] in page.SECTIONS
            ]
            if errors:
                n = len(errors)
                self.notify(
                    f"{n} error{'s' if n != 1 else ''} on this page: fix "
                    f"{'them' if n != 1 else 'it'} to go on (F2 jumps to any page).",
                    severity="error",
                )
                first = next((r for r in page.rows if r.message and r.message[0] == "error"),
                             None)
                if first is not None:
                    first.focus_control()
                return
        target = self._neighbour(1)
        if target:
            await self.show_page(target)

    async def action_back(self) -> None:
        target = self._neighbour(-1)
        if target:
            await self.show_page(target)

    async def action_next_field(self) -> None:
        """Enter: the next field of the page; after its last field, the next page."""
        page = self.page()
        if page is None:
            return
        chain = self._page_focus_chain(page)
        focused = self.focused
        owner = next((w for w in chain if focused is w or (focused and w in focused.ancestors)),
                     None)
        if owner is not None and chain.index(owner) < len(chain) - 1:
            chain[chain.index(owner) + 1].focus()
        elif owner is not None:
            await self.action_next()
        else:
            self.screen.focus_next()

    def action_sections(self) -> None:
        sections = self.query_one(SectionList)
        sections.show_current(self.current)
        sections.focus()

    @on(SectionList.Jump)
    async def _jump(self, event: SectionList.Jump) -> None:
        await self.show_page(event.page)

    @on(ReviewPage.JumpToProblem)
    async def _jump_to_problem(self, event: ReviewPage.JumpToProblem) -> None:
        loc = event.problem.loc
        page = page_of(str(loc[0])) if loc else None
        if page is None:
            self.notify(f"{event.problem.path} is not on a page: fix it in the file.",
                        severity="warning")
            return
        self.revealed.add(page)
        field = (str(loc[0]), str(loc[1])) if len(loc) >= 2 else None
        await self.show_page(page, field)

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
            self.started.add(self.current)
        if not self.dirty:
            self.dirty = True
            self._update_title()
        self.revalidate()
        if row.section == "components":
            self.refresh_bindings()
        self._schedule_draft()

    @on(FieldRow.Left)
    def _left(self, event: FieldRow.Left) -> None:
        event.stop()

    def revalidate(self) -> None:
        """Check the whole data with the model; show the result on the current page and in the
        page list."""
        from tui.widgets import formstate

        self.found = formstate.problems(self.data)
        page = self.page()
        if page is not None:
            page.refresh_page(self.data, self.found, self.current in self.revealed)
        self._update_states()

    def _page_state(self, page: type[WizardPage]) -> str:
        if page is ReviewPage:
            if ReviewPage.PAGE_ID not in self.started and self.current != ReviewPage.PAGE_ID:
                return "not-started"
            if any(p.is_error for p in self.found):
                return "errors"
            return "warnings" if self.found else "complete"
        sections = page.SECTIONS  # type: ignore[attr-defined]
        if all(spec.skipped(self.specs, s, self.data) for s in sections):
            return "skipped"
        if page.PAGE_ID not in self.started:
            return "not-started"
        mine = [p for p in self.found if p.loc[:1] and p.loc[0] in sections]
        if any(p.is_error for p in mine):
            return "errors"
        return "warnings" if mine else "complete"

    def _update_states(self) -> None:
        sections = self.query(SectionList)
        if not sections:
            return
        for page in PAGES:
            sections.first().set_state(page.PAGE_ID, self._page_state(page))  # type: ignore

    def answers(self):
        """The answers as the model has them (an AnswerFile), or None while there are errors."""
        from tui.model.tomlio import validate_data
        from tui.widgets import formstate

        loaded = validate_data(formstate.effective_data(self.data))
        return loaded.answers if not loaded.errors else None

    def _update_title(self) -> None:
        name = str(self.path) if self.path else "new answer file"
        self.sub_title = name + (" (unsaved)" if self.dirty else "")

    # --- drafts -------------------------------------------------------------------------------

    def _schedule_draft(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(0.3, self.save_draft)

    def save_draft(self) -> None:
        if not self.dirty:
            return
        try:
            drafts.save(drafts.Draft(
                data=self.data,
                file=str(self._draft_key) if self._draft_key else None,
                page=self.current,
                started=sorted(self.started),
            ))
        except OSError as exc:
            self.notify(f"Could not save the draft: {exc.strerror or exc}", severity="warning")

    def _install_hangup_handler(self) -> None:
        if not self.is_headless:
            # A pty that closes while it is not the process's controlling terminal sends no
            # SIGHUP; it shows as stdin no longer being a terminal (Textual's input thread then
            # reads nothing, forever, at full speed).
            self.set_interval(TERMINAL_WATCH, self._watch_terminal)
        if not hasattr(signal, "SIGHUP"):
            return
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self._hangup)

    def _watch_terminal(self) -> None:
        try:
            alive = os.isatty(sys.__stdin__.fileno())
        except (AttributeError, ValueError, OSError):
            alive = False
        if not alive:
            self._hangup()

    def _hangup(self) -> None:
        """The terminal went away (SSH hang-up): keep the draft and leave cleanly."""
        if self._hung_up:
            return
        self._hung_up = True
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self.save_draft()
        self.exit(return_code=EXIT_HANGUP)
        # With its terminal gone, Textual's input thread can spin instead of letting the app
        # end (seen once: 98% CPU for an hour). The draft is saved: leave for sure.
        import threading

        timer = threading.Timer(HANGUP_GRACE, os._exit, args=(EXIT_HANGUP,))
        timer.daemon = True
        timer.start()

    async def on_unmount(self) -> None:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError, AttributeError):
            asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)

    # --- save, open, quit ---------------------------------------------------------------------

    def action_save(self) -> None:
        self._save_flow(save_as=False)

    def action_save_as(self) -> None:
        self._save_flow(save_as=True)

    @work(exclusive=True, group="file")
    async def _save_flow(self, save_as: bool = False, then_exit: bool = False) -> None:
        if await self.save(save_as=save_as) and then_exit:
            self.exit(0)

    async def save(self, save_as: bool = False) -> bool:
        """Save (asking for a path when there is none, or for Save as). Must run in a worker."""
        from screens import prompts  # loaded when first needed: a faster start

        path = self.path
        if path is None or save_as:
            default = str(self.path) if self.path else str(Path.cwd() / "answers.toml")
            answer = await self.push_screen_wait(
                prompts.PathPrompt("Save as", "Save the answer file to:", default)
            )
            if answer is None:
                return False
            path = Path(answer).expanduser()
            if path.is_dir():
                self.notify(f"{path} is a directory: give a file name.", severity="error")
                return False
            if path.exists() and path != self.path:
                choice = await self.push_screen_wait(prompts.Choice(
                    "Overwrite?", f"{path} exists. Replace it?",
                    [("overwrite", "Replace", "r"), ("cancel", "Cancel", "c")],
                ))
                if choice != "overwrite":
                    return False
        assert path is not None
        from tui.model.tomlio import dump_data, has_literal_secrets
        from tui.widgets import formstate

        eff = formstate.effective_data(self.data)
        try:
            atomic_write(path, dump_data(eff), 0o600)
        except OSError as exc:
            self.notify(f"Could not save {path}: {exc.strerror or exc}", severity="error")
            return False
        drafts.discard(self._draft_key)
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self.path = self._draft_key = path
        self.dirty = False
        self._update_title()
        errors = sum(p.is_error for p in self.found)
        note = f" ({errors} error{'s' if errors != 1 else ''} left)" if errors else ""
        if has_literal_secrets(eff):
            note += "; it holds passwords in clear text (mode 0600)"
        self.notify(f"Saved {path}{note}.", severity="warning" if note else "information")
        return True

    def action_open(self) -> None:
        self._open_flow()

    @work(exclusive=True, group="file")
    async def _open_flow(self) -> None:
        from screens import prompts  # loaded when first needed: a faster start

        if self.dirty and not await self._settle_unsaved("Open another file"):
            return
        answer = await self.push_screen_wait(prompts.PathPrompt("Open", "Open the answer file:"))
        if answer is None:
            return
        await self.open_file(Path(answer).expanduser())

    async def open_file(self, path: Path) -> bool:
        from tui.model.tomlio import read_file

        loaded = read_file(path)
        if loaded.unreadable or loaded.data is None:
            first = loaded.problems[0].format() if loaded.problems else f"{path}: unreadable"
            self.notify(first, severity="error", timeout=10)
            return False
        self.path = self._draft_key = path
        self.data = prepare(loaded.data)
        self.dirty = False
        self.started = set()
        self.revealed = set()
        for page in PAGES:
            if any(s in loaded.data for s in getattr(page, "SECTIONS", ())):
                self.started.add(page.PAGE_ID)
                self.revealed.add(page.PAGE_ID)
        switcher = self.query_one("#pages", ContentSwitcher)
        self.screen.set_focus(None)
        await switcher.remove_children()
        self._update_title()
        self.revalidate()
        await self.show_page(self._first_incomplete_page())
        return True

    async def _settle_unsaved(self, what: str) -> bool:
        """Ask what to do with unsaved changes; True when it is fine to go on."""
        from screens import prompts  # loaded when first needed: a faster start

        choice = await self.push_screen_wait(prompts.Choice(
            "Unsaved changes",
            f"The answers have unsaved changes. {what}:",
            [("save", "Save", "s"), ("discard", "Discard", "d"), ("cancel", "Cancel", "c")],
        ))
        if choice == "save":
            return await self.save()
        if choice == "discard":
            drafts.discard(self._draft_key)
            if self._draft_timer is not None:
                self._draft_timer.stop()
            self.dirty = False
            return True
        return False

    def in_install_flow(self) -> bool:
        from screens.flow import FlowScreen

        return any(isinstance(s, FlowScreen) for s in self.screen_stack)

    def install_running(self) -> bool:
        from screens.install import ProgressScreen

        return any(isinstance(s, ProgressScreen) and not s.done for s in self.screen_stack)

    async def action_quit(self) -> None:
        if self.install_running():
            self._quit_while_installing()
            return
        if not self.dirty:
            drafts.discard(self._draft_key)
            self.exit(0)
            return
        self._quit_flow()

    @work(exclusive=True, group="file")
    async def _quit_flow(self) -> None:
        if await self._settle_unsaved("Quit"):
            self.exit(0)

    @work(exclusive=True, group="file")
    async def _quit_while_installing(self) -> None:
        from screens import prompts  # loaded when first needed: a faster start

        session = self.install_session
        state = session.state if session else None
        how = (f"Follow it again with: mimsetup attach {state.install_id}" if state
               else "mimsetup attach follows it again once it has started")
        if self.demo is not None:
            how = "The simulated server stops with mimsetup, and its install with it"
        choice = await self.push_screen_wait(prompts.Choice(
            "Quit while installing?",
            f"Quitting detaches: the install goes on on the target. {how}.",
            [("quit", "Quit", "q"), ("stay", "Stay", "s")], cancel="stay",
        ))
        if choice != "quit":
            return
        if self.dirty and not await self._settle_unsaved("Quit"):
            return
        if not self.dirty:
            drafts.discard(self._draft_key)
        self.exit(0)

    # --- install --------------------------------------------------------------------------------

    def action_install(self) -> None:
        self._install_flow()

    @work(exclusive=True, group="install")
    async def _install_flow(self) -> None:
        """Passwords, connection, then the pre-flight screen (the flow goes on from there)."""
        from screens import prompts  # loaded when first needed: a faster start
        from tui.engine.errors import ConnectionProblem
        from tui.session import InstallSession, check_target, needed_secrets, resolve_known

        if self.in_install_flow():
            return
        answers = self.answers()
        if answers is None:
            self.revalidate()
            self.notify("The answers have errors: fix them first (the Review page lists them).",
                        severity="error")
            return
        if self.remote_shell is None:
            await self.push_screen_wait(prompts.MessageDialog(
                "Install", "This wizard was started without the WinRM engine.",
                "Start it with `mimsetup edit FILE` (or `mimsetup FILE`)."))
            return
        base = self.path.resolve().parent if self.path else Path.cwd()
        answers_file = str(self.path.resolve()) if self.path else None
        if self.demo is not None:
            session = InstallSession.for_demo(answers, self.demo, base, answers_file,
                                              self.remote_shell)
        else:
            try:
                check_target(answers, base)
            except ConnectionProblem as exc:
                await self.push_screen_wait(
                    prompts.MessageDialog("Cannot connect", exc.message, exc.remedy))
                return
            needed = needed_secrets(answers)
            values, problems = resolve_known(needed, base)
            if problems:
                await self.push_screen_wait(prompts.MessageDialog(
                    "Passwords missing", "\n".join(problems),
                    "Set them, or keep them as \u201cask at install time\u201d on their pages."))
                return
            asks = [(n.prop, n.label) for n in needed if n.ref.kind == "prompt"]
            if asks:
                answered = await self.push_screen_wait(prompts.SecretsPrompt(
                    "Passwords for this install",
                    "These passwords are kept as \u201cask at install time\u201d. They are used "
                    "for this install only: never saved, logged or shown.", asks))
                if answered is None:
                    return
                values |= answered
            try:
                session = InstallSession.connect(answers, values, base, answers_file,
                                                 self.remote_shell)
            except ConnectionProblem as exc:
                await self.push_screen_wait(
                    prompts.MessageDialog("Cannot connect", exc.message, exc.remedy))
                return
        from screens.preflight import PreflightScreen

        self.install_session = session
        await self.push_screen(PreflightScreen(session))

    # --- commands -----------------------------------------------------------------------------

    def action_validate(self) -> None:
        for page in PAGES:
            self.started.add(page.PAGE_ID)
            self.revealed.add(page.PAGE_ID)
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
        from tui.widgets import formstate

        text = formstate.plan_text(self.data)
        if text is None:
            errors = [p.format() for p in self.found if p.is_error]
            text = "The plan needs answers without errors:\n\n" + "\n".join(errors)
        self.push_screen(prompts.TextScreen("msiexec plan", text))

    def action_use_theme(self, theme: str) -> None:
        self.theme = theme

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand("Save", "Save the answer file (Ctrl+S)", self.action_save)
        yield SystemCommand("Save as", "Save the answer file under another name",
                            self.action_save_as)
        yield SystemCommand("Open", "Open another answer file", self.action_open)
        yield SystemCommand("Validate", "Check every page and list the problems",
                            self.action_validate)
        yield SystemCommand("Install", "Pre-flight, install and checklist on the target",
                            self.action_install)
        yield SystemCommand("Show plan", "The msiexec command line, as `mimsetup plan`",
                            self.action_show_plan)
        yield SystemCommand("Theme: ansi-dark", "Colours for terminals with few colours",
                            lambda: self.action_use_theme("ansi-dark"))
        yield from super().get_system_commands(screen)

"""What the install flow's screens share (pre-flight, progress, result, checklist): the session,
the header and footer, Escape back to the answers, and saving the report."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.containers import VerticalScroll
from textual.css.query import NoMatches
from textual.dom import NoScreen
from textual.events import Mount
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static
from textual.widgets._header import HeaderTitle

from screens.prompts import Choice, PathPrompt

if TYPE_CHECKING:
    from tui.session import InstallSession

class FlowHeader(Header):
    """The Header, minus a race: its title watchers run from the app's queue, which may reach
    them after the header's screen was replaced (a quick result, or quitting); Header catches
    NoScreen there but not NoMatches, and the app would end with a traceback. (Widget's own
    Mount handler, which this one also stands in for, only matters for overflow: scroll.)"""

    def _on_mount(self, event: Mount) -> None:
        event.prevent_default()  # Header's own handler (the one that can fail) is not run

        async def set_title() -> None:
            with contextlib.suppress(NoScreen, NoMatches):
                self.query_one(HeaderTitle).update(self.format_title())

        self.watch(self.app, "title", set_title)
        self.watch(self.app, "sub_title", set_title)
        self.watch(self.screen, "title", set_title)
        self.watch(self.screen, "sub_title", set_title)


# Status marks readable without colour (NO_COLOR): a glyph and a word.
MARKS: dict[str, tuple[str, str]] = {
    "pass": ("✓ pass", "green"),
    "warn": ("! warn", "yellow"),
    "fail": ("✗ fail", "red"),
    "skip": ("- skip", "dim"),
    "unknown": ("? unknown", "yellow"),
    "manual": ("□ to do", "cyan"),
    "ticked": ("☑ done", "green"),
    "fixed": ("✓ fixed", "green"),
}


def mark(status: str) -> Text:
    text, style = MARKS.get(status, (status, ""))
    return Text(text, style=style)


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    seconds = max(0, int(round(seconds)))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    if h:
        return f"{h}h{m:02d}m{s:02d}s"
    return f"{m}m{s:02d}s" if m else f"{s}s"


class FlowScreen(Screen[None]):
    """Base of the install flow's screens."""

    AUTO_FOCUS = "*"
    STEP: ClassVar[str] = ""  # the header's subtitle: which step of the install this is
    DEFAULT_CSS = """
    FlowScreen { layout: vertical; }
    FlowScreen .flow-title { text-style: bold; color: $accent; padding: 0 1; }
    FlowScreen .flow-status { padding: 0 1; height: auto; }
    FlowScreen .flow-status.-error { color: $text-error; }
    FlowScreen .flow-status.-warning { color: $text-warning; }
    FlowScreen .flow-status.-ok { color: $text-success; }
    FlowScreen .flow-detail {
        height: auto; max-height: 8; padding: 0 1; border-top: solid $panel-lighten-2;
    }
    FlowScreen DataTable { height: auto; max-height: 60%; }
    /* A table step: the detail (the highlighted row's message and remedy, the point of the
       step) is shown whole and the table gives way; in a very small terminal it scrolls. */
    FlowScreen DataTable.-gives-way { height: 1fr; min-height: 3; max-height: 100%; }
    FlowScreen .flow-detail-box {
        height: auto; max-height: 75%; border-top: solid $panel-lighten-2;
    }
    FlowScreen .flow-detail-box > .flow-detail { border-top: none; max-height: 100%; }
    """

    def __init__(self, session: InstallSession) -> None:
        super().__init__()
        self.session = session
        # set before the Header mounts: a change after would reach a Header that a quick
        # switch_screen has already removed (its watcher then fails)
        where = "simulated server" if session.demo else session.endpoint.host
        self.sub_title = f"{self.STEP} on {where}" if self.STEP else where

    class MoveOn(Message):
        """Asks the app for the flow's next step in place of `screen`: "progress" (options: those
        of ProgressScreen), "result" or "checklist". The flow's screens never import one another:
        the app makes the next one (tui/wizard/install.py)."""

        def __init__(self, screen: FlowScreen, step: str, **options: object) -> None:
            super().__init__()
            self.screen = screen
            self.step = step
            self.options = options

    def move_on(self, step: str, **options: object) -> None:
        self.post_message(self.MoveOn(self, step, **options))

    def from_thread(self, callback, *args) -> None:
        """From a worker's thread: `callback(*args)` on the app's loop, if this screen is still
        up (the admin may have gone back, or quit, while the engine worked)."""

        def run() -> None:
            if self.is_attached:
                callback(*args)

        with contextlib.suppress(RuntimeError):  # the app has ended
            self.app.call_from_thread(run)

    def action_back(self) -> None:
        self.app.pop_screen()

    # --- the report -----------------------------------------------------------------------------

    def action_save_report(self) -> None:
        self._save_report()

    @work(exclusive=True, group="report")
    async def _save_report(self) -> None:
        default = str(self.session.default_report_path())
        answer = await self.app.push_screen_wait(PathPrompt(
            "Save the report",
            "Markdown and JSON (the same name, .json) with the answers (passwords as where they "
            "come from), the pre-flight, the install result and the checklist. Save to:",
            default,
        ))
        if answer is None:
            return
        path = Path(answer).expanduser()
        if path.is_dir():
            self.notify(f"{path} is a directory: give a file name.", severity="error")
            return
        md = path if path.suffix.lower() != ".json" else path.with_suffix(".md")
        existing = [p for p in (md, md.with_suffix(".json")) if p.exists()]
        if existing:
            names = " and ".join(map(str, existing))
            choice = await self.app.push_screen_wait(Choice(
                "Overwrite?", f"{names} exist{'s' if len(existing) == 1 else ''}. Replace?",
                [("overwrite", "Replace", "r"), ("cancel", "Cancel", "c")],
            ))
            if choice != "overwrite":
                return
        try:
            # asked above before replacing; the answer file itself is never replaced
            written = self.session.report().save(path, protect=[self.session.answers_file])
        except OSError as exc:
            why = getattr(exc, "message", None) or exc.strerror or exc
            self.notify(f"Could not save the report: {why}", severity="error")
            return
        self.notify("Report saved: " + ", ".join(map(str, written)) + " (mode 0600).")


def detail_box(detail_id: str) -> VerticalScroll:
    """The highlighted row's detail under a table: whole, and scrolled when it cannot be."""
    return VerticalScroll(Static("", id=detail_id, classes="flow-detail"),
                          classes="flow-detail-box", can_focus=False)


class TableFlowScreen(FlowScreen):
    """A step that runs on the target and lists what it found in a table (the pre-flight, the
    checklist): a status line (`STATUS_ID`), the table, the highlighted row's detail below."""

    STATUS_ID: ClassVar[str] = ""
    # (label, key, width); the last column takes what the others leave, at least its width
    COLUMNS: ClassVar[tuple[tuple[str, str, int], ...]] = ()

    def __init__(self, session: InstallSession, *, run: bool = True) -> None:
        """run=False: run nothing and wait for `show(...)` (tests feed fixed results)."""
        super().__init__(session)
        self._run_on_mount = run
        self.running = False

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_class("-gives-way")
        self._columns(self.app.size.width)
        if self._run_on_mount:
            self.start()

    def _columns(self, width: int) -> None:
        """The table's columns for a terminal `width` columns wide: the last takes the rest."""
        table = self.query_one(DataTable)
        self._width = width
        *fixed, (label, key, least) = self.COLUMNS
        room = width - 2 * len(self.COLUMNS) - 2  # each cell's padding, the scroll bar
        widths = [w for *_, w in fixed]
        short = least - (room - sum(widths))
        if short > 0 and widths:  # a narrow terminal: the widest column gives way first
            widest = widths.index(max(widths))
            widths[widest] = max(10, widths[widest] - short)
        for (name, column, _), w in zip(fixed, widths, strict=True):
            table.add_column(name, width=w, key=column)
        table.add_column(label, width=max(least, room - sum(widths)), key=key)

    def on_resize(self) -> None:
        """Columns are sized again when the terminal is (their cells end in "…" when cut)."""
        width = self.app.size.width
        if width == getattr(self, "_width", width):
            return
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        self._columns(width)
        self._fill()
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

    def _fill(self) -> None:
        """Add the rows shown (again, after the columns were sized anew)."""

    def start(self) -> None:
        """Run the step on the target (on mount, unless run=False)."""
        raise NotImplementedError

    def _busy(self, text: str) -> None:
        """The step runs: say what it does, the table waits."""
        self.running = True
        self._status("", text)
        table = self.query_one(DataTable)
        table.display = True
        table.loading = True
        self.refresh_bindings()

    def _status(self, cls: str, text: str) -> None:
        status = self.query_one(f"#{self.STATUS_ID}", Static)
        status.remove_class("-error", "-warning", "-ok")
        if cls:
            status.add_class(cls)
        status.update(Text(text))

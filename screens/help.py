"""F1: the keys, and how the wizard works."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.widgets.sections import LEGEND

KEYS: tuple[tuple[str, str], ...] = (
    ("Tab / Shift+Tab", "next / previous field"),
    ("Enter", "next field (on the last field: next page)"),
    ("Space", "toggle a checkbox; open a list"),
    ("Ctrl+N", "next page (checks this page first)"),
    ("Ctrl+B", "previous page"),
    ("F2", "page list: arrows, then Enter to jump"),
    ("Ctrl+S", "save the answer file"),
    ("Ctrl+P", "commands: Save, Save as, Open, Validate, Show plan, Install, theme"),
    ("F1", "this help"),
    ("Ctrl+Q", "quit (asks when there are unsaved changes)"),
    ("Escape", "close a dialog or this help"),
)


class HelpScreen(ModalScreen[None]):
    AUTO_FOCUS = "*"
    BINDINGS = [
        Binding("escape,f1,q", "dismiss", "Close", show=True),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 76; max-width: 100%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        for key, what in KEYS:
            table.add_row(key, what)
        with VerticalScroll() as scroll:
            scroll.border_title = "Help"
            yield Static(table)
            yield Static(Text(
                "\nEach field is checked as you type; a message under it says what is wrong "
                "(✗ error, ! warning). Passwords are asked at install time unless you choose "
                "otherwise. Unsaved changes are kept as a draft and restored after a crash or a "
                "lost connection.\n\nInstall (Review page): the passwords kept as \"ask at install "
                "time\", the pre-flight, the install followed live, its result, then the "
                "post-install checklist and a report. Those screens list their keys at the "
                "bottom.\n\nPages: " + LEGEND,
            ))

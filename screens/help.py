"""F1: the keys, and how the wizard works."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.widgets.sections import LEGEND

# Textual's own focus keys (Screen.BINDINGS), which the wizard keeps.
FOCUS_KEYS = ("Tab / Shift+Tab", "next / previous field")


def key_name(key: str) -> str:
    """A key as the help writes it: ctrl+n -> Ctrl+N, f2 -> F2, escape -> Escape."""
    parts = key.split(",")[0].split("+")
    return "+".join(p.upper() if len(p) == 1 or (p[0] == "f" and p[1:].isdigit())
                    else p.capitalize() for p in parts)


def keys(app: App) -> list[tuple[str, str]]:
    """The keys of the wizard, from where they are bound (their tooltips say what each does):
    the fields' keys, the app's own, the command palette and its commands, this screen's."""
    from tui.widgets.controls import FieldCheckbox

    rows = [FOCUS_KEYS]
    for binding in [*FieldCheckbox.BINDINGS, *app.BINDINGS]:
        if isinstance(binding, Binding) and binding.tooltip:
            rows.append((key_name(binding.key), binding.tooltip))
    commands = getattr(app, "COMMANDS", ())
    if app.ENABLE_COMMAND_PALETTE:
        rows.insert(-2, (key_name(app.COMMAND_PALETTE_BINDING),
                         "commands: " + ", ".join(title for title, *_ in commands)))
    rows += [(key_name(b.key), b.tooltip) for b in HelpScreen.BINDINGS
             if isinstance(b, Binding) and b.tooltip]
    return rows


class HelpScreen(ModalScreen[None]):
    AUTO_FOCUS = "*"
    BINDINGS = [
        Binding("escape,f1,q", "dismiss", "Close", show=True,
                tooltip="close a dialog or this help"),
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
        for key, what in keys(self.app):
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

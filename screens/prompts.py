"""Small dialogs: a path prompt (Save as, Open), a choice, the plan, the passwords asked at
install time, and a problem told as a sentence and a remedy."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 70; max-width: 100%; height: auto; max-height: 90%;
    border: round $accent; background: $surface; padding: 0 1;
}}
{name} .dialog-text {{ margin-bottom: 1; }}
{name} .dialog-buttons {{ height: auto; align-horizontal: right; }}
{name} .dialog-buttons Button {{ margin-left: 1; }}
{name} .dialog-error {{ color: $text-error; }}
"""


class PathPrompt(ModalScreen[str | None]):
    """Ask for a file path. Enter accepts, Escape cancels."""

    AUTO_FOCUS = "*"  # the app focuses its pages itself; a dialog focuses its first control

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = DIALOG_CSS.format(name="PathPrompt")

    def __init__(self, title: str, prompt: str, value: str = "") -> None:
        super().__init__()
        self._title, self._prompt, self._value = title, prompt, value

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self._title
            yield Static(self._prompt, classes="dialog-text")
            yield Input(self._value, id="path", compact=True, select_on_focus=False)
            yield Static("", classes="dialog-error")
            yield Static("Enter: OK   Escape: cancel", classes="dialog-text")

    @on(Input.Submitted)
    def _ok(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        if not value:
            self.query_one(".dialog-error", Static).update("✗ Write a file name")
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class Choice(ModalScreen[str]):
    """A question with a few answers, each a button with a key. Escape gives `cancel`."""

    AUTO_FOCUS = "*"  # the app focuses its pages itself; a dialog focuses its first control

    BINDINGS = [Binding("escape", "choose('cancel')", "Cancel")]
    DEFAULT_CSS = DIALOG_CSS.format(name="Choice")

    def __init__(self, title: str, text: str, choices: list[tuple[str, str, str]],
                 cancel: str = "cancel") -> None:
        """choices: (answer, label, key)."""
        super().__init__()
        self._title, self._text, self._choices, self._cancel = title, text, choices, cancel

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self._title
            yield Static(self._text, classes="dialog-text", markup=False)
            with Horizontal(classes="dialog-buttons"):
                for answer, label, key in self._choices:
                    yield Button(f"{label} ({key})", id=f"choice-{answer}", compact=True)

    def on_mount(self) -> None:
        for answer, _label, key in self._choices:
            self._bindings.bind(key, f"choose('{answer}')", show=False)
        self.query(Button).first().focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss((event.button.id or "").removeprefix("choice-"))

    def action_choose(self, answer: str) -> None:
        self.dismiss(self._cancel if answer == "cancel" else answer)


class TextScreen(ModalScreen[None]):
    """A block of text to read (the plan), scrollable; Escape closes."""

    AUTO_FOCUS = "*"  # the app focuses its pages itself; a dialog focuses its first control

    BINDINGS = [Binding("escape,q", "dismiss", "Close")]
    DEFAULT_CSS = DIALOG_CSS.format(name="TextScreen") + """
    TextScreen > Vertical > VerticalScroll { height: auto; max-height: 18; }
    """

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self._title, self._text = title, text

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self._title
            with VerticalScroll(can_focus=True):
                yield Static(self._text, markup=False)
            yield Static("Escape: close", classes="dialog-text")


class SecretsPrompt(ModalScreen[dict[str, str] | None]):
    """Ask for the passwords kept as "ask at install time": one masked field each, whose text
    can be neither copied nor cut. Enter moves to the next field and, on the last, answers;
    Escape cancels. The values go to the caller only: never logged, stored, or put in a draft."""

    AUTO_FOCUS = "*"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = DIALOG_CSS.format(name="SecretsPrompt") + """
    SecretsPrompt .secret-label { margin-top: 1; }
    SecretsPrompt Input { width: 1fr; }
    SecretsPrompt Input.-textual-compact { background: $boost; }
    SecretsPrompt Input.-textual-compact:focus { background: $surface-lighten-1; }
    """

    def __init__(self, title: str, intro: str, asks: list[tuple[str, str]]) -> None:
        """asks: (key, label) of each password, in order."""
        super().__init__()
        self._title, self._intro, self._asks = title, intro, asks

    def compose(self) -> ComposeResult:
        from tui.widgets.controls import SecretInput

        with Vertical() as box:
            box.border_title = self._title
            yield Static(self._intro, classes="dialog-text")
            for i, (_key, label) in enumerate(self._asks):
                yield Static(label, classes="secret-label", markup=False)
                yield SecretInput(password=True, id=f"secret-{i}", compact=True,
                                  select_on_focus=False)
            yield Static("", classes="dialog-error")
            yield Static("Enter: next / OK   Escape: cancel", classes="dialog-text")

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()  # it carries the plain text: it goes no further

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = list(self.query(Input))
        error = self.query_one(".dialog-error", Static)
        empty = next((w for w in inputs if not w.value), None)
        if not event.input.value:
            error.update("✗ Write the password (Escape cancels the install)")
            return
        error.update("")
        if empty is not None:
            empty.focus()
            return
        self.dismiss({key: w.value for (key, _l), w in zip(self._asks, inputs, strict=True)})

    def action_cancel(self) -> None:
        self.dismiss(None)


class MessageDialog(ModalScreen[None]):
    """Something went wrong: one sentence, and what to do about it. Enter or Escape closes."""

    AUTO_FOCUS = "*"
    BINDINGS = [Binding("escape", "dismiss", "Close")]
    DEFAULT_CSS = DIALOG_CSS.format(name="MessageDialog") + """
    MessageDialog .dialog-message { color: $text-error; margin-bottom: 1; }
    """

    def __init__(self, title: str, message: str, remedy: str = "") -> None:
        super().__init__()
        self._title, self._message, self._remedy = title, message, remedy

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self._title
            yield Static("✗ " + self._message, classes="dialog-message", markup=False)
            if self._remedy:
                yield Static("What to do: " + self._remedy, classes="dialog-text", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", id="ok", compact=True)

    @on(Button.Pressed)
    def _ok(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

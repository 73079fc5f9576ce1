"""One field of a page: its label, its input, its help and MSI property, and a message line.

Everything shown comes from the field's declaration in the model (`FieldMeta`); the value is
checked with the model's own rule (`value_problem`) while the user types and when the field is left.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Checkbox, Input, Select, Static

from tui.form.spec import FieldSpec, secret_kind
from tui.widgets.controls import FieldCheckbox, FieldSelect, SecretInput

if TYPE_CHECKING:  # the model loads after the first frame
    from tui.model.problems import Problem

MISSING = None  # an empty field: the key is left out of the answer file


def _input_value(meta: FieldSpec, kind: str, text: str) -> Any:
    if text == "":
        return MISSING
    if kind == "int":
        try:
            return int(text)
        except ValueError:
            return text
    return text


def _placeholder(meta: FieldSpec, kind: str) -> str:
    default = meta.default
    if default is not None and kind in ("str", "int"):
        return f"default: {default}"
    if meta.example is not None:
        return f"e.g. {meta.example}"
    return "optional" if not meta.required else ""


def _text(value: Any) -> str:
    return "" if value is None else str(value)


class FieldRow(Vertical, can_focus=False):
    """A labelled input for one field of one section."""

    class Edited(Message):
        """The user changed the field's value (None: left empty). Never logged: it may be a
        password."""

        def __init__(self, row: FieldRow, value: Any) -> None:
            super().__init__()
            self.row = row
            self.value = value

        def __rich_repr__(self):  # the value stays out of logs
            yield "field", f"{self.row.section}.{self.row.meta.name}"

    class Left(Message):
        """Focus left the field."""

        def __init__(self, row: FieldRow) -> None:
            super().__init__()
            self.row = row

    def __init__(self, meta: FieldSpec, value: Any) -> None:
        super().__init__(id=f"field-{meta.section}-{meta.name}", classes="field-row")
        self.section = meta.section
        self.meta = meta
        self.kind = meta.kind
        self._value = value
        self.touched = False
        self._live: str | None = None
        self._problem: Problem | None = None
        self._note: str | None = None
        self._shown: tuple[str, str] | None = None
        self._message_line: Static | None = None
        self._held: int | None = None  # lines the message line keeps while the row has focus
        self._secret_key: str | None = value.get("key") if isinstance(value, dict) else None

    # --- layout -------------------------------------------------------------------------------

    def _help(self) -> Text:
        text = Text()
        if self.meta.msi:
            text.append(f"[{', '.join(self.meta.msi)}] ", style="italic")
        text.append(self.meta.help)
        return text

    def compose(self) -> ComposeResult:
        m, kind, value = self.meta, self.kind, self._value
        if kind == "bool":
            yield FieldCheckbox(m.title, bool(value) if value is not None else bool(m.default),
                                id="control", compact=True)
        else:
            yield Static(m.title + ("" if m.required else ""), classes="field-label")
            if kind == "choice":
                options = [(c, c) for c in m.choices]
                yield FieldSelect(options, value=value if value is not None else options[0][1],
                             allow_blank=False, id="control", compact=True)
            elif kind == "secret":
                with Horizontal(classes="secret-row"):
                    kind = secret_kind(value)
                    yield FieldSelect([(label, k) for k, label in m.secret_kinds],
                                 value=kind, allow_blank=False, id="control",
                                 compact=True)
                    yield self._secret_input(kind, value)
            else:
                yield Input(_text(value), placeholder=_placeholder(m, kind), id="control",
                            type="integer" if kind == "int" else "text", compact=True,
                            select_on_focus=False)
        yield Static(self._help(), classes="field-help")
        # the message line is added the first time there is something to say, in place of the
        # blank line under the row (app.tcss)

    def _secret_input(self, kind: str, value: Any) -> Input:
        text = ""
        if kind in ("env", "file") and isinstance(value, dict):
            text = _text(value.get(kind))
        elif kind == "value" and isinstance(value, str):
            text = value
        widget = SecretInput(
            text,
            password=kind == "value",
            placeholder=self._secret_placeholder(kind),
            id="secret-text",
            compact=True,
            select_on_focus=False,
        )
        widget.set_class(kind not in ("env", "file", "value"), "-hidden")
        return widget

    @staticmethod
    def _secret_placeholder(kind: str) -> str:
        return {
            "env": "variable name, e.g. MIM_SERVICE_PASSWORD",
            "file": "path of the file holding it",
            "value": "the password (kept in clear text)",
        }.get(kind, "")

    # --- value --------------------------------------------------------------------------------

    @property
    def value(self) -> Any:
        return self._value

    @property
    def control(self):
        return self.query_one("#control")

    def focus_control(self) -> None:
        self.control.focus()

    def fill(self, value: Any) -> None:
        """Show `value` (from a file or a draft) without it counting as an edit."""
        self._value = value
        control = self.control
        with self.prevent(Input.Changed, Checkbox.Changed, Select.Changed):
            if self.kind == "bool":
                control.value = bool(value) if value is not None else bool(self.meta.default)
            elif self.kind == "choice":
                if value is not None:
                    control.value = value
            elif self.kind == "secret":
                kind = secret_kind(value)
                control.value = kind
                self._secret_key = value.get("key") if isinstance(value, dict) else None
                text = self.query_one("#secret-text", SecretInput)
                text.password = kind == "value"
                text.value = (
                    _text(value.get(kind)) if isinstance(value, dict) and kind in ("env", "file")
                    else value if isinstance(value, str) else ""
                )
                text.placeholder = self._secret_placeholder(kind)
                text.set_class(kind not in ("env", "file", "value"), "-hidden")
            else:
                control.value = _text(value)
        self._live = None
        self._update_note()
        self._render_message()

    def _secret_value(self, kind: str, text: str) -> Any:
        if kind == "prompt":
            return {"prompt": True}
        if kind in ("env", "file"):
            out: dict[str, Any] = {kind: text}
            if kind == "file" and self._secret_key:
                out["key"] = self._secret_key
            return out
        if kind == "value":
            return text
        return MISSING

    def _set(self, value: Any) -> None:
        if value == self._value:
            return
        self._value = value
        self.touched = True
        self._check_live()
        self._update_note()
        if self._live:
            self._render_message()  # an error in what is typed shows whatever the whole check says
        # else the app checks the whole file on Edited and shows the outcome (show_problem):
        # drawing here first would show the last check's problem for a frame, then redraw
        self.post_message(self.Edited(self, value))

    @on(Input.Changed, "#control")
    def _input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._set(_input_value(self.meta, self.kind, event.value))

    @on(Checkbox.Changed)
    def _checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self._set(event.value)

    @on(Select.Changed, "#control")
    def _select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if self.kind == "choice":
            self._set(event.value)
            return
        kind = str(event.value)
        text = self.query_one("#secret-text", SecretInput)
        was_value = secret_kind(self._value) == "value"
        with self.prevent(Input.Changed):
            if was_value or kind == "value":
                text.value = ""  # a password never moves into a visible field, nor back
            text.password = kind == "value"
            text.placeholder = self._secret_placeholder(kind)
        text.set_class(kind not in ("env", "file", "value"), "-hidden")
        self._set(self._secret_value(kind, text.value))

    @on(Input.Changed, "#secret-text")
    def _secret_text_changed(self, event: Input.Changed) -> None:
        event.stop()
        kind = str(self.query_one("#control", Select).value)
        self._set(self._secret_value(kind, event.value))

    @on(Input.Submitted)
    async def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        await self.app.run_action("app.next_field")

    def on_descendant_focus(self) -> None:
        self.add_class("-focused")
        if self._held is None:
            # While the field has focus, its message line keeps the height it has now: what is
            # typed changes the message, and a message that grew or went would move (and
            # redraw) everything below on each key, 3-8 KB a key at 80x24.
            self._held = self._lines(self._message_text()) if self._message_line else 0

    def on_descendant_blur(self) -> None:
        if self.has_focus_within:
            return
        self.remove_class("-focused")
        self._held = None
        if not self.touched:  # leaving a field shows what is wrong with it
            self.touched = True
            self._render_message()
        self._draw_message()  # all of the message again
        self.post_message(self.Left(self))

    # --- messages -----------------------------------------------------------------------------

    def _check_live(self) -> None:
        """The model's rule for this one field, on the value as typed."""
        if self._value is MISSING:
            self._live = None
            return
        if self.kind == "secret" and isinstance(self._value, dict):
            kind = secret_kind(self._value)
            if kind in ("env", "file") and not self._value.get(kind):
                self._live = (
                    "Write the environment variable's name" if kind == "env"
                    else "Write the path of the file"
                )
                return
        from tui.model.fieldvalue import value_problem

        self._live = value_problem(self.section, self.meta.name, self._value)

    def _update_note(self) -> None:
        self._note = None
        if self.kind == "secret" and secret_kind(self._value) == "value":
            self._note = (
                "This password will be written in clear text in the answer file (saved 0600); "
                "asking at install time is safer"
            )

    def show_problem(self, problem: Problem | None, reveal: bool) -> None:
        """The problem the whole-file check found at this field; shown once the field has been
        left or its page validated (`reveal`)."""
        if reveal:
            self.touched = True
        self._problem = problem
        self._render_message()  # also after an edit: nothing is drawn when nothing changed

    def _render_message(self) -> None:
        shown: tuple[str, str] | None = None
        if self.touched and self._live:
            shown = ("error", self._live)
        elif self._problem is not None and (self.touched or self._value not in (None, "")):
            from tui.form.words import problem_words

            p = self._problem
            shown = (p.severity, problem_words(p, self.app.specs))  # type: ignore[attr-defined]
        elif self._note:
            shown = ("warning", self._note)
        if shown == self._shown:
            return
        self._shown = shown
        self._draw_message()

    def _message_text(self) -> Text:
        if self._shown is None:
            return Text("")
        severity, text = self._shown
        return Text(("✗ " if severity == "error" else "! ") + text)

    def _lines(self, text: Text) -> int:
        """Lines `text` takes under the field (1 before the row has a width)."""
        width = self.content_region.width
        return max(1, len(text.wrap(self.app.console, width))) if width > 0 else 1

    def _draw_message(self) -> None:
        label = self._message_line
        if self._shown is None and label is None:
            return
        content = self._message_text()
        if self._held is not None:  # the row has focus: the line keeps its height
            self._held = max(self._held, 1)
            width = self.content_region.width
            lines = content.wrap(self.app.console, width) if width > 0 else [content]
            if len(lines) > self._held:  # the rest shows when the field is left
                lines = lines[: self._held]
                last = lines[-1]
                last.truncate(max(1, width - 1))
                last.append("…")
                content = Text("\n").join(lines)
        if label is None:
            # The message line takes the place of the blank line under the field (the row's
            # margin, app.tcss): a message of one line moves nothing below it, in or out.
            # The line and the margin's going are drawn in the same frame.
            label = self._message_line = Static(content, classes="field-message")
            self.call_next(self._mount_message_line, label)
        else:
            label.update(content)
        severity = self._shown[0] if self._shown else None
        label.set_class(severity == "error", "-error")
        label.set_class(severity == "warning", "-warning")
        label.styles.height = self._held  # None: as high as the message

    async def _mount_message_line(self, label: Static) -> None:
        with self.app.batch_update():
            self.add_class("-message-line")
            await self.mount(label)
    @property
    def message(self) -> tuple[str, str] | None:
        """(severity, text) as shown, or None."""
        return self._shown

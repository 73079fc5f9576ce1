"""The controls of a field (tui/widgets/field.py): the keys each answers to, as the footer, the
help (F1) and the README's key table say."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.content import Content
from textual.geometry import Size
from textual.widgets import Checkbox, Input, Select

from tui.widgets.wraptext import wrap_lines


class SecretInput(Input):
    """A password input: masked, and its text can be neither copied nor cut out of it."""

    def action_copy(self) -> None:
        self.app.bell()

    def action_cut(self) -> None:
        self.app.bell()


class FieldCheckbox(Checkbox):
    """A checkbox that toggles with space; Enter moves on like in every other field. It shows
    [x] or [ ], readable without colour (NO_COLOR)."""

    BINDINGS = [  # the help screen lists them, with their tooltips
        Binding("enter", "app.next_field", "Next field", show=False,
                tooltip="next field (on the last field: next page)"),
        Binding("space", "toggle_button", "Toggle", show=False,
                tooltip="toggle a checkbox; open a list"),
    ]

    @property
    def _button(self) -> Content:
        style = self.get_visual_style("toggle--button")
        return Content.assemble("[", ("x" if self.value else " ", style), "]")

    # A label wider than the form wraps under itself, past the box, instead of being cut at the
    # edge ("Grant authenticated users access to the"): at 80x24 the form is ~44 columns wide.
    def _label_lines(self, width: int) -> list[str]:
        return [t.plain for t in wrap_lines(Text(self.label.plain), max(width - 5, 1))]

    def render(self) -> Content:
        style = self.get_visual_style("toggle--label")
        parts: list[Content | str] = [self._button]
        for n, line in enumerate(self._label_lines(self.content_region.width or self.size.width)):
            if n:
                parts.append("\n   ")  # under the label, past the box
            parts.append(Content(f" {line} ").stylize_before(style))
        return Content.assemble(*parts)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return min(super().get_content_width(container, viewport), container.width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._label_lines(width))


class FieldSelect(Select):
    """A drop-down: Enter opens it and Enter picks, as in Textual; once a pick is made (or the
    list was closed), Enter moves on like in every other field instead of opening it again.
    Space and the arrows open it at any time."""

    BINDINGS = [
        Binding("enter", "enter", "Open / next field", show=False,
                tooltip="on a list: open it, and once picked, the next field"),
        Binding("down,space,up", "show_overlay", "Show menu", show=False),
    ]

    _done = False  # a pick was made (or the list closed) since the field got focus

    def on_descendant_blur(self) -> None:
        self._left()

    def on_blur(self) -> None:
        self._left()

    def _left(self) -> None:
        # focus left the field itself (its list, when open, has it meanwhile): a later visit
        # starts with Enter opening the list again
        if not self.expanded:
            self.call_after_refresh(self._reset_if_away)

    def _reset_if_away(self) -> None:
        if not self.has_focus_within and not self.expanded:
            self._done = False

    def watch_expanded(self, expanded: bool) -> None:
        if not expanded:
            self._done = True

    async def action_enter(self) -> None:
        if self._done:
            await self.app.run_action("app.next_field")
        else:
            self.action_show_overlay()

"""The list of pages on the left: each page's state at a glance, and a jump to any page."""

from __future__ import annotations

from rich.text import Text
from textual.geometry import Region
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.form.spec import PageState

GLYPHS: dict[str, tuple[str, str]] = {
    # state: (glyph, style); the glyph alone tells the state when there is no colour
    "not-started": ("○", ""),
    "incomplete": ("◐", "yellow"),  # visited, fields still empty: not wrong, not done
    "complete": ("✓", "green"),
    "errors": ("✗", "red"),
    "warnings": ("!", "yellow"),
    "skipped": ("-", "dim"),
}
LEGEND = "○ not started  ◐ incomplete  ✓ complete  ✗ errors  ! warnings  - skipped"


class SectionList(OptionList):
    """One line per page: its state glyph and title. Enter jumps to the page."""

    class Jump(Message):
        def __init__(self, page: str) -> None:
            super().__init__()
            self.page = page

    def __init__(self, pages: list[tuple[str, str]], **kwargs) -> None:
        self._titles = dict(pages)
        self._states: dict[str, str] = {p: "not-started" for p, _ in pages}
        super().__init__(*[Option(self._prompt(p), id=p) for p, _ in pages], **kwargs)

    def _prompt(self, page: str) -> Text:
        state = self._states.get(page, "not-started")
        glyph, style = GLYPHS[state]
        text = Text.assemble((glyph, style), " ", self._titles[page], no_wrap=True,
                             overflow="ellipsis")
        if state == "skipped":
            text.stylize("dim")
        return text

    def set_state(self, page: str, state: PageState) -> None:
        if self._states.get(page) == state:
            return
        self._states[page] = state
        index = self.get_option_index(page)
        line = self._index_to_line.get(index) if self.is_mounted else None
        if line is None:
            self.replace_option_prompt(page, self._prompt(page))
            return
        # A prompt is one line whatever the state: only that line is drawn again
        # (replace_option_prompt redraws the whole list, ~2 KB at 80x24, on every state change
        # while the user types).
        self.get_option_at_index(index)._set_prompt(self._prompt(page))
        self._option_render_cache.clear()
        width = self.scrollable_content_region.width
        self.refresh(Region(0, line - self.scroll_offset.y, width, 1))

    def state(self, page: str) -> str:
        return self._states[page]

    def show_current(self, page: str) -> None:
        index = self.get_option_index(page)
        if self.highlighted != index:
            self.highlighted = index

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.Jump(event.option.id))

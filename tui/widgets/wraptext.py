"""Text that wraps where a reader expects it to: at spaces and after separators, never inside a
word. Rich and Textual break only at spaces and fold a longer word anywhere, so an msiexec
property list (`ADDLOCAL=CommonServices,WebPortals,RegistrationPortal`) came out as
`Registrat` / `ionPortal`; here it breaks after a comma, a path after a backslash."""

from __future__ import annotations

import re

from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.widgets import Static

_WORDS = re.compile(r" +|[^ ]+ *")
# Inside a word wider than a line: a break after one of these, when a letter or digit follows
# (not in `http://`, not before an option's `/`)
_INNER = re.compile(r"(?<=[,;=\\/])(?=\w)")


def _breaks(word: str) -> list[int]:
    """The places inside `word` (offsets) after a separator where a line may end."""
    return [m.start() for m in _INNER.finditer(word.rstrip(" ")) if m.start() > 1]


def wrap_lines(text: Text, width: int, indent: int = 0) -> list[Text]:
    """`text` as lines of at most `width` cells, broken at spaces; a word wider than a line is
    broken after a separator (`,;=\\/`), and only a part with no such place that is still wider
    than a line is folded, as nothing else fits. Continuation lines start `indent` spaces further
    in than their line's own indentation."""
    out: list[Text] = []
    width = max(width, 1)
    for line in text.split("\n", allow_blank=True):
        plain = line.plain
        lead = len(plain) - len(plain.lstrip(" "))
        pad = min(lead + indent, width // 2)
        cuts: list[int] = []  # where each continuation line starts
        used = 0  # cells of the line being filled
        offset = 0
        for word in _WORDS.findall(plain):
            size = len(word.rstrip(" "))
            room = width - (pad if cuts else 0)
            if used and size and used + size > room:  # the word starts the next line
                cuts.append(offset)
                used, room = 0, width - pad
            if used == 0 and size > room:  # wider than a line: break it after separators
                at = 0  # where the part being placed starts in the word
                for b in [*_breaks(word), size]:
                    while b - at > room - used:  # the part up to b does not fit
                        cut = at + room if used == 0 else at  # nowhere to break: fold
                        cuts.append(offset + cut)
                        at, used, room = cut, 0, width - pad
                    used += b - at
                    at = b
                used += len(word) - size
            else:
                used += len(word)
            offset += len(word)
        starts = [0, *cuts]
        for n, (a, b) in enumerate(zip(starts, [*cuts, len(plain)], strict=True)):
            out.append(_line(line, a, b, pad if n else 0))
    return out


def _line(line: Text, start: int, end: int, pad: int) -> Text:
    part = line[start:end]
    if pad:
        part = Text(" " * pad) + part.copy()
        part.rstrip()
        return part
    part.rstrip()
    return part


class WrappedText(Static, can_focus=True):
    """A block of the Review page (its values, the plan) wrapped by `wrap_lines` at the width it
    has. It takes focus, so Tab reaches it and brings it into view; Up/Down and Page Up/Down then
    scroll the page to read the rest of it."""

    BINDINGS = [
        Binding("down", "scroll_page(1)", "Scroll", show=False, tooltip="scroll the page down"),
        Binding("up", "scroll_page(-1)", "Scroll", show=False, tooltip="scroll the page up"),
        Binding("pagedown", "scroll_page(10)", "Page down", show=False),
        Binding("pageup", "scroll_page(-10)", "Page up", show=False),
    ]

    def __init__(self, *, classes: str = "", indent: int = 0) -> None:
        super().__init__("", classes=classes)
        self._text = Text()
        self._indent = indent

    @property
    def text(self) -> Text:
        """What is shown, before it is wrapped."""
        return self._text

    def set_text(self, text: Text) -> None:
        self._text = text
        self.update(text)  # a new layout: the height follows from get_content_height

    def render(self) -> Text:
        return Text("\n").join(wrap_lines(self._text, self.content_region.width or 80,
                                          self._indent))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(wrap_lines(self._text, width, self._indent)) if width else 0

    def action_scroll_page(self, lines: int) -> None:
        page = self.parent
        if page is not None:
            page.scroll_relative(y=lines, animate=False)

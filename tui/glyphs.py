"""Glyphs the console can draw. The classic Windows console (conhost: Server Core has no other)
has no font fallback, and its fonts (Consolas, Lucida Console) lack ✓ ✗ ○, rounded corners and the
eighth blocks Textual draws scroll bars and tall borders with: they show as "?" boxes and the
page marks can no longer be told apart (microsoft/terminal #219, #387; Textualize/textual #3110).
The Linux console's font is as short of them.

In "safe" mode every line the app draws goes through `SafeGlyphs`, a Textual line filter: each
glyph outside the console's code pages is replaced by one inside them, keeping marks distinct
(✓ +, ✗ x, ○ o). The safe set is what the console's legacy code pages hold (CP437, the OEM one,
and Windows-1252, the ANSI one), which both fonts draw.

Chosen by `--glyphs` or `$MIMSETUP_GLYPHS`: auto (the default: safe on a Windows console without
Windows Terminal, that is without WT_SESSION, and on the Linux console, TERM=linux), safe, or
unicode."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

GLYPHS_ENV = "MIMSETUP_GLYPHS"
CHOICES = ("auto", "safe", "unicode")


def _code_page(name: str) -> set[str]:
    return {c for c in bytes(range(0x20, 0x100)).decode(name, errors="ignore") if c.isprintable()}


SAFE: frozenset[str] = frozenset(_code_page("cp437") | _code_page("cp1252") | {" "})

# Unsafe glyph -> a safe one of the same width (one cell). Marks stay distinct from each other
# and from "!" (warnings) and "-" (skipped).
_MAP = {
    "✓": "+", "✔": "+", "☑": "+", "✗": "x", "✘": "x", "○": "o", "◐": "~", "●": "*", "□": "o",
    "◆": "*", "▶": ">", "▼": "v", "▲": "^", "◀": "<", "⏵": ">", "⏷": "v",
    "╭": "┌", "╮": "┐", "╰": "└", "╯": "┘",
    "━": "─", "┃": "│", "┏": "┌", "┓": "┐", "┗": "└", "┛": "┘", "┣": "├", "┫": "┤",
    "┳": "┬", "┻": "┴", "╋": "┼", "╍": "─", "╏": "│", "┄": "─", "┆": "│",
    "▁": "_", "▂": "▄", "▃": "▄", "▅": "▄", "▆": "█", "▇": "█", "▔": "▀",
    "▏": "│", "▎": "▌", "▍": "▌", "▋": "▌", "▊": "█", "▉": "█", "▕": "▐",
    "▖": "▄", "▗": "▄", "▘": "▀", "▝": "▀", "▚": "▒", "▞": "▒", "▙": "█", "▛": "█", "▜": "█",
    "▟": "█", "⠋": "*", "⠙": "*", "⠹": "*", "⠸": "*", "⠼": "*", "⠴": "*", "⠦": "*",
    "⠧": "*", "⠇": "*", "⠏": "*", "↑": "^", "↓": "v", "←": "<", "→": ">", "≡": "=",
    "⌫": "<", "⏎": "<",
}
TABLE = str.maketrans({k: v for k, v in _MAP.items() if k not in SAFE})


def wants_safe(setting: str | None = None, environ: Mapping[str, str] | None = None,
               platform: str | None = None) -> bool:
    """Whether to draw with safe glyphs: `setting` (or $MIMSETUP_GLYPHS), auto by default."""
    env = os.environ if environ is None else environ
    choice = (setting or env.get(GLYPHS_ENV) or "auto").strip().lower()
    if choice == "safe":
        return True
    if choice == "unicode":
        return False
    windows = (platform or sys.platform) == "win32"
    return (windows and not env.get("WT_SESSION")) or env.get("TERM") == "linux"


def safe_text(text: str) -> str:
    return text.translate(TABLE)


class SafeGlyphs(LineFilter):
    """Every glyph drawn, in the console's code pages (see the module's docstring)."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [
            Segment(text.translate(TABLE), style, control) if not control else segment
            for segment in segments
            for text, style, control in (segment,)
        ]

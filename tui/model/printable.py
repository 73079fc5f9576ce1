"""Characters no value may hold, and how any text is shown on a terminal.

A value reaches msiexec's command line, PowerShell, YAML, Jinja and the admin's terminal. A line
feed there splits one property into two (msiexec then sees a second property), a NUL ends the
Windows command line, an escape sequence or a bidirectional override hides part of what is
printed. So a value holds printable characters only: `check` is the one rule the model's field
types apply before their own, and `visible` is how every value is echoed (in messages too).

Pure Python, no pydantic: the compiled model runs the same rule (see twin.py).
"""

from __future__ import annotations

import re

# C0 controls (tab, CR, LF, NUL, BEL, BS, ESC...), DEL and C1 controls; the bidirectional
# embeddings and overrides (U+202A-U+202E) and isolates (U+2066-U+2069); the line and paragraph
# separators (U+2028, U+2029), which YAML 1.1 and JavaScript read as line breaks.
NOT_ALLOWED = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

_NAMES = {
    "\x00": "NUL", "\x07": "bell", "\x08": "backspace", "\t": "tab", "\n": "line feed",
    "\x0b": "vertical tab", "\x0c": "form feed", "\r": "carriage return", "\x1b": "escape",
    "\x7f": "delete", "\x85": "next line", "\u2028": "line separator",
    "\u2029": "paragraph separator",
}
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x00": "\\0"}


def describe(ch: str) -> str:
    """`U+000A (line feed)`: a character named so that a reader can find it."""
    if "\u202a" <= ch <= "\u202e" or "\u2066" <= ch <= "\u2069":
        name = "a bidirectional text control"
    else:
        name = _NAMES.get(ch, "a control character")
    return f"U+{ord(ch):04X} ({name})"


def _escape(ch: str) -> str:
    if ch in _SHORT:
        return _SHORT[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` for a terminal: every character that is not printable written as an escape
    (\\n, \\x1b, \\u202e), so that nothing printed can move the cursor, recolour or reorder."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else _escape(c) for c in text)


def check(value: str) -> str:
    """The value, or ValueError naming the first character that is not allowed and where."""
    if isinstance(value, str):
        found = NOT_ALLOWED.search(value)
        if found:
            raise ValueError(
                f"'{visible(value)}' contains {describe(found.group(0))} at position "
                f"{found.start() + 1}: write the value on one line, with printable characters "
                "only"
            )
    return value

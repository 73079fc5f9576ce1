"""PowerShell's stderr as words: a non-interactive powershell.exe writes its error stream as
CLIXML (`#< CLIXML` then `<Objs>` with `<S S="Error">` strings, control characters escaped as
`_x000D_`); an admin should read the message, never the XML."""

from __future__ import annotations

import html
import re

_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
MARK = "#< CLIXML"
_ERROR_STRING = re.compile(r'<S S="Error">([^<]*)</S>')


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m[1], 16)), text)


def error_strings(text: str) -> list[str]:
    """The error stream's strings of a CLIXML document (empty when there are none). Read with a
    pattern, not an XML parser: a document cut short still gives its whole strings."""
    body = text.split(MARK, 1)[1] if MARK in text else text
    return [_unescape(html.unescape(s)) for s in _ERROR_STRING.findall(body)]


def plain_text(text: str, limit: int = 600) -> str:
    """One readable paragraph: CLIXML decoded, control characters and runs of space collapsed."""
    if MARK in text:
        head, body = text.split(MARK, 1)
        # No error record: what follows the marker, without any markup.
        found = error_strings(text) or [html.unescape(re.sub(r"<[^>]*>", " ", body))]
        text = " ".join([head, *found])
    text = _CONTROL.sub(" ", text.replace("\r", " ").replace("\n", " "))
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"

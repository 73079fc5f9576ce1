"""The simulated target's own reading of a Windows Installer log: what its msiexec needs to retime
and extend the reference log, written from the documented format, not from the client's reader.

Why its own: the client's classifier (tui/engine/msilog.py) is what the simulation tests. Were the
simulated Windows to build its log with that classifier, a classifier bug would shape the log the
client is then tested against, and confirm itself. This module knows only what Microsoft documents
of a verbose log ("Windows Installer Logging", "Reading a verbose log") and what the reference log
(../shared/reference/fim2010r2-service-and-portal-install.log) shows, in English, as msiexec
writes it before any localisation (verbose.py localises afterwards):

    === Logging started: 15-01-2013  10:52:01 ===
    Action start 10:52:01: INSTALL.
    Action 10:53:49: DeployAndPopulateDatabase. Configuring the database
    Action ended 10:52:02: AppSearch. Return value 1.
    MSI (s) (48:DC) [10:52:01:437]: Doing action: INSTALL

Times are of the day, hours without a leading zero on action lines, milliseconds on engine lines;
the date is only on the `===` lines. Nothing else here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

DAY = 86400.0

_TIME = r"(\d{1,2}):(\d{2}):(\d{2})"
# "Action start T: Name.", "Action ended T: Name. Return value N.", and the deferred script's
# "Action T: Name. description" (the action's ActionText, possibly empty).
_ACTION = re.compile(rf"^Action(?: (start|ended))? {_TIME}: ([A-Za-z_][\w.]*?)\.(?: (.*))?$")
_ENGINE = re.compile(rf"^MSI \([a-z]\) \([0-9A-Fa-f]+[:!][0-9A-Fa-f]+\) \[{_TIME}:(\d{{3}})\]: ")
_BOUNDARY = re.compile(rf"^=== .*?{_TIME}")

# The byte-order marks Windows Installer (UTF-16LE) or a tool that rewrote the log may put first;
# a log without one is in the system's ANSI code page (1252 on the reference's English Windows).
_BOMS = ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"), (b"\xef\xbb\xbf", "utf-8"))


def log_text_lines(data: bytes) -> list[str]:
    """A whole log file's lines, without their CRLF (an unterminated last line included)."""
    encoding = "cp1252"
    for bom, name in _BOMS:
        if data.startswith(bom):
            data, encoding = data[len(bom) :], name
            break
    lines = data.decode(encoding, errors="replace").split("\n")
    if lines and not lines[-1]:
        lines.pop()  # the file ends with its last line's terminator
    return [line[:-1] if line.endswith("\r") else line for line in lines]


@dataclass(frozen=True, slots=True)
class ActionLine:
    """One of the three action lines: `kind` is "start", "ended" or "script" (deferred)."""

    kind: str
    name: str
    seconds: float
    rest: str  # after "Name. ": the return value sentence or the deferred action's text


def action_line(text: str) -> ActionLine | None:
    if (m := _ACTION.match(text)) is None:
        return None
    return ActionLine(m[1] or "script", m[5], _of_day(m[2], m[3], m[4]), m[6] or "")


def time_of_day(text: str) -> float | None:
    """Seconds since midnight the line is stamped with, milliseconds included; None if unstamped."""
    if m := _ACTION.match(text):
        return _of_day(m[2], m[3], m[4])
    if m := _ENGINE.match(text):
        return _of_day(m[1], m[2], m[3]) + int(m[4]) / 1000
    if m := _BOUNDARY.match(text):
        return _of_day(m[1], m[2], m[3])
    return None


def on_one_timeline(stamps: Iterable[float | None]) -> list[float | None]:
    """Times of day made monotonic across midnight: a log runs forward, so a step back of more
    than half a day is the next day; a small step back (a second-resolution action line after a
    millisecond engine line) is left as it is."""
    out: list[float | None] = []
    last: float | None = None
    days = 0
    for t in stamps:
        if t is None:
            out.append(None)
            continue
        if last is not None and t < last - DAY / 2:
            days += 1
        last = t
        out.append(t + days * DAY)
    return out


def _of_day(h: str, m: str, s: str) -> float:
    return float(int(h) * 3600 + int(m) * 60 + int(s))

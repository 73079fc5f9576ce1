"""Reading Windows Installer logs: bytes to lines, lines to meaning, a failed log to its cause.

Windows Installer writes UTF-16LE with a BOM and CRLF; a log that went through another tool may be
UTF-8 with a BOM or ANSI (no BOM, not UTF-16: code page 1252 unless the target's is known). On
non-English Windows the engine's words are localised ("Aktion gestartet um", "Rückgabewert 3");
time stamps, action names, numbers and `MSI (s)` prefixes are not, and classification uses those.
The tailer reads the file by byte offset over WinRM, in chunks that split characters and CRLFs
anywhere; `LogDecoder` turns those chunks into exactly the lines a whole-file read gives, and says
where the last complete line ends so a restarted tailer resumes there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

UTF16LE = "utf-16-le"
UTF16BE = "utf-16-be"
UTF8 = "utf-8"
ANSI = "cp1252"

_BOMS = (
    (b"\xef\xbb\xbf", UTF8),
    (b"\xff\xfe", UTF16LE),
    (b"\xfe\xff", UTF16BE),
)
_NEWLINE = {UTF16LE: b"\n\x00", UTF16BE: b"\x00\n"}  # any 8-bit encoding: b"\n"


class LogDecoder:
    """Incremental bytes-to-lines decoder for a log read in arbitrary chunks.

    Lines are split on LF only and one trailing CR is dropped, so a CRLF cut between two chunks
    waits for its LF instead of yielding an empty line. Each line is decoded from its own complete
    bytes, which is what makes the result independent of where the chunks were cut.

    `offset` is the byte offset just past the last complete line (BOM included); to resume a tail
    later, build `LogDecoder(encoding=d.encoding, offset=d.offset)` and read from `offset`.
    """

    def __init__(self, encoding: str | None = None, offset: int = 0, ansi: str = ANSI) -> None:
        self.encoding = encoding
        self.ansi = ansi  # the code page of a log without a BOM that is not UTF-16
        self.offset = offset
        self._pending = bytearray()
        self._scan_from = 0

    @property
    def pending_bytes(self) -> int:
        """Bytes received after the last complete line (an unfinished line)."""
        return len(self._pending)

    def feed(self, data: bytes) -> list[str]:
        """The lines completed by `data`, without their line ends."""
        return [line for line, _ in self.feed_spans(data)]

    def feed_spans(self, data: bytes) -> list[tuple[str, int]]:
        """Like `feed`, with the byte offset just past each line's terminator."""
        self._pending += data
        if self.encoding is None and not self._detect(final=False):
            return []
        return self._split()

    def flush(self) -> list[str]:
        """At end of file: the lines still held, including an unterminated last line."""
        return [line for line, _ in self.flush_spans()]

    def flush_spans(self) -> list[tuple[str, int]]:
        if self.encoding is None:
            self._detect(final=True)
        out = self._split()
        if self._pending:
            self.offset += len(self._pending)
            out.append((self._decode(bytes(self._pending)), self.offset))
            self._pending.clear()
            self._scan_from = 0
        return out

    def _detect(self, final: bool) -> bool:
        head = bytes(self._pending[:4])
        for bom, encoding in _BOMS:
            if head.startswith(bom):
                self.encoding = encoding
                del self._pending[: len(bom)]
                self.offset += len(bom)
                return True
            if bom.startswith(head) and not final:
                return False  # could still become this BOM: wait for more bytes
        if len(head) < 2 and not final:
            return False
        # BOM-less UTF-16: a log starts with ASCII text, so NULs sit in every other byte.
        if len(head) >= 2 and head[1] == 0 and head[0] != 0:
            self.encoding = UTF16LE
        elif len(head) >= 2 and head[0] == 0 and head[1] != 0:
            self.encoding = UTF16BE
        else:
            self.encoding = self.ansi
        return True

    def _split(self) -> list[tuple[str, int]]:
        assert self.encoding is not None
        newline = _NEWLINE.get(self.encoding, b"\n")
        step = len(newline)
        buf = self._pending
        out: list[tuple[str, int]] = []
        start = 0
        i = self._scan_from
        while True:
            i = buf.find(newline, i)
            if i < 0:
                break
            if (i - start) % step:
                i += 1  # a NUL-LF pair straddling two UTF-16 code units is not a newline
                continue
            end = i + step
            self.offset += end - start
            out.append((self._decode(bytes(buf[start:i])), self.offset))
            start = i = end
        if start:
            del buf[:start]
        # Rescan only the tail that could hold the start of a newline not yet complete.
        self._scan_from = max(0, len(buf) - len(buf) % step - step) if step > 1 else len(buf)
        return out

    def _decode(self, raw: bytes) -> str:
        text = raw.decode(self.encoding or self.ansi, errors="replace")
        return text[:-1] if text.endswith("\r") else text


def decode_lines(data: bytes, ansi: str = ANSI) -> list[str]:
    """All lines of a whole log file's bytes."""
    decoder = LogDecoder(ansi=ansi)
    return decoder.feed(data) + decoder.flush()


# ---------------------------------------------------------------- classification


class LineKind(StrEnum):
    ACTION_START = "action_start"
    ACTION_DEFERRED = "action_deferred"
    ACTION_END = "action_end"
    ERROR = "error"
    PRODUCT_RESULT = "product_result"
    PROPERTY = "property"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class LogLine:
    """One classified log line.

    `seconds` is the time of day (seconds since midnight, milliseconds when the log has them);
    the log carries no date on most lines, so `ClockUnwrapper` makes it monotonic across midnight.
    `code` is the return value (action_end), the error code (error) or the exit status
    (product_result), when the line has one.
    """

    text: str
    kind: LineKind = LineKind.OTHER
    seconds: float | None = None
    action: str | None = None
    code: int | None = None
    detail: str | None = None  # deferred action description, property value, product message

    @property
    def clock(self) -> str | None:
        """The time as HH:MM:SS, for display."""
        if self.seconds is None:
            return None
        s = int(self.seconds)
        return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"

    @property
    def benign(self) -> bool:
        """An error line that Windows Installer itself does not treat as a failure."""
        if self.kind is not LineKind.ERROR:
            return False
        if "translated to success" in self.text:
            return True  # custom action marked "continue on error"
        # 2769 (unclosed MSIHANDLEs) and 28xx (dialog layout) are package-authoring warnings.
        return self.code is not None and (self.code == 2769 or 2800 <= self.code <= 2899)

    @property
    def succeeded(self) -> bool | None:
        """For a product_result line: did the installation succeed?"""
        if self.kind is not LineKind.PRODUCT_RESULT:
            return None
        if self.code is None:
            return None
        return self.code in SUCCESS_CODES


SUCCESS_CODES = frozenset({0, 1641, 3010})

_T = r"(\d{1,2}):(\d{2}):(\d{2})"
_NAME = r"([A-Za-z_][\w.]*?)"
# `<words> <time>: <Action>.` and what follows. The words are localised ("Action start",
# "Aktion gestartet um", "Action démarrée à"; French puts a space before the colon): one word
# is the deferred script's `Action 10:53:49: X. description`, more are an immediate action's
# start, or its end when a number closes the line ("Return value 3.", "Rückgabewert 3.").
_ACTION_LINE = re.compile(rf"^(\S+(?: [^\d\s]\S*){{0,3}}) {_T} ?: {_NAME}\.(?: (.*))?$")
_RETURN_VALUE = re.compile(r"^\D*?(-?\d+)\.\s*$")
_PROPERTY = re.compile(r"^[^\s(]+\(([A-Z])\): ([^ =]+) = ?(.*)$")  # Property(S), Eigenschaft(S)
_MSI = re.compile(
    r"^MSI \([a-z]\) \([0-9A-Fa-f]+[:!][0-9A-Fa-f]+\) \[(\d{1,2}):(\d{2}):(\d{2}):(\d{3})\]: (.*)$"
)
_BOUNDARY = re.compile(r"^=== .*?(\d{1,2}):(\d{2}):(\d{2})")
_ERROR = re.compile(r"^(?:DEBUG: )?Error (\d+)[.:]")
_CA_ERROR = re.compile(r"^CustomAction (\S+) returned actual error code (-?\d+)")
_INSTALLER_ERROR = re.compile(r"The error code is (\d+)\.")
_PRODUCT_ERROR = re.compile(r"^Product: .*? -- Error (\d+)[.:]")
_PRODUCT_DONE = re.compile(r"^Product: .*? -- Installation (completed successfully|operation fail)")
_STATUS = re.compile(r"^Windows Installer \w+ the product\..*? success or error status: (-?\d+)\.")
_MAIN_ENGINE = re.compile(r"^MainEngineThread is returning (-?\d+)")
_RESTART = re.compile(r"^Windows Installer requires a system restart\.")


def _seconds(h: str, m: str, s: str, ms: str | None = None) -> float:
    total = int(h) * 3600 + int(m) * 60 + int(s)
    return total + int(ms) / 1000 if ms else float(total)


def classify(line: str) -> LogLine:
    """What one log line says; the rules follow the real FIM 2010 R2 log's shapes."""
    if (m := _ACTION_LINE.match(line)) is not None:
        seconds = _seconds(*m.group(2, 3, 4))
        rest = m[6]
        if " " not in m[1]:
            detail = (rest or "").strip() or None
            return LogLine(line, LineKind.ACTION_DEFERRED, seconds, m[5], detail=detail)
        if rest and (end := _RETURN_VALUE.match(rest)):
            return LogLine(line, LineKind.ACTION_END, seconds, m[5], int(end[1]))
        return LogLine(line, LineKind.ACTION_START, seconds, m[5])
    if "(" in line[:20] and (m := _PROPERTY.match(line)):
        return LogLine(line, LineKind.PROPERTY, action=m[2], detail=m[3])
    if line.startswith("MSI (") and (m := _MSI.match(line)):
        seconds = _seconds(*m.group(1, 2, 3, 4))
        return _classify_engine(line, m[5], seconds)
    if m := _ERROR.match(line):
        return LogLine(line, LineKind.ERROR, code=int(m[1]))
    if m := _CA_ERROR.match(line):
        return LogLine(line, LineKind.ERROR, action=m[1], code=int(m[2]))
    if line.startswith("The installer has encountered an unexpected error"):
        m = _INSTALLER_ERROR.search(line)
        return LogLine(line, LineKind.ERROR, code=int(m[1]) if m else None)
    if line.startswith("===") and (m := _BOUNDARY.match(line)):
        return LogLine(line, LineKind.OTHER, _seconds(*m.group(1, 2, 3)))
    return LogLine(line)


def _classify_engine(line: str, rest: str, seconds: float) -> LogLine:
    """The `MSI (s|c) (pid:tid) [time]: ...` lines: the product result lives here."""
    if m := _PRODUCT_ERROR.match(rest):
        return LogLine(line, LineKind.ERROR, seconds, code=int(m[1]), detail=rest)
    if m := _PRODUCT_DONE.match(rest):
        code = 0 if m[1].startswith("completed") else 1603
        return LogLine(line, LineKind.PRODUCT_RESULT, seconds, code=code, detail=rest)
    if m := _STATUS.match(rest):
        return LogLine(line, LineKind.PRODUCT_RESULT, seconds, code=int(m[1]), detail=rest)
    if m := _MAIN_ENGINE.match(rest):
        return LogLine(line, LineKind.PRODUCT_RESULT, seconds, code=int(m[1]), detail=rest)
    if _RESTART.match(rest):
        return LogLine(line, LineKind.PRODUCT_RESULT, seconds, code=3010, detail=rest)
    if m := _CA_ERROR.match(rest):
        return LogLine(line, LineKind.ERROR, seconds, m[1], int(m[2]), detail=rest)
    if m := _ERROR.match(rest):
        return LogLine(line, LineKind.ERROR, seconds, code=int(m[1]), detail=rest)
    return LogLine(line, LineKind.OTHER, seconds, detail=rest)


class ClockUnwrapper:
    """Turns time-of-day seconds into a monotonic timeline across midnight.

    A log carries the date only in its first and last lines, so a jump back of more than twelve
    hours is read as the next day; small steps back (second- versus millisecond-resolution
    stamps) are left alone.
    """

    DAY = 86400.0

    def __init__(self) -> None:
        self._last: float | None = None
        self._days = 0

    def __call__(self, seconds: float) -> float:
        if self._last is not None and seconds < self._last - self.DAY / 2:
            self._days += 1
        self._last = seconds
        return seconds + self._days * self.DAY


# ---------------------------------------------------------------- failure


@dataclass(frozen=True, slots=True)
class Failure:
    """Why an installation failed, in data a UI can show as is."""

    action: str | None  # the action that failed, e.g. DeployAndPopulateDatabase
    exit_code: int | None  # the installation's exit status, when the log reached it
    clock: str | None  # HH:MM:SS of the failure
    context: tuple[str, ...]  # log lines from the action's start to its "Return value 3"
    errors: tuple[str, ...]  # the "Error NNNN" and custom-action error lines

    @property
    def summary(self) -> str:
        what = f"{self.action} failed" if self.action else "The installation failed"
        when = f" at {self.clock}" if self.clock else ""
        code = f" (exit code {self.exit_code})" if self.exit_code is not None else ""
        return f"{what}{when}{code}."


CONTEXT_LINES = 40
ERROR_LINES = 20
# Actions that run the deferred script: their "Return value 3" names the container, not the
# custom action that actually failed inside it.
SCRIPT_RUNNERS = frozenset({"InstallExecute", "InstallExecuteAgain", "InstallFinalize"})


def failure_context(
    lines: Sequence[LogLine | str],
    context_lines: int = CONTEXT_LINES,
    error_lines: int = ERROR_LINES,
) -> Failure | None:
    """The failing action and its error lines, or None when the log shows no failure."""
    log = [line if isinstance(line, LogLine) else classify(line) for line in lines]
    end = next(
        (i for i, ln in enumerate(log) if ln.kind is LineKind.ACTION_END and ln.code == 3), None
    )
    stop = end if end is not None else len(log)
    ca = next(
        (
            i
            for i in range(stop - 1, -1, -1)
            if log[i].kind is LineKind.ERROR and log[i].action and not log[i].benign
        ),
        None,
    )
    result = _exit_status(log)
    if end is None and ca is None and (result is None or result in SUCCESS_CODES):
        return None

    action: str | None = None
    if ca is not None:
        action = log[ca].action
    elif end is not None and log[end].action not in SCRIPT_RUNNERS:
        action = log[end].action
    elif end is not None:
        last = next(
            (i for i in range(end - 1, -1, -1) if log[i].kind is LineKind.ACTION_DEFERRED), None
        )
        action = log[last].action if last is not None else log[end].action

    begin = _action_start(log, action, stop) if action else max(0, stop - context_lines)
    context = [ln.text for ln in log[begin : stop + 1] if ln.text.strip()]
    errors = [ln.text for ln in log if ln.kind is LineKind.ERROR and not ln.benign]
    errors = list(dict.fromkeys(errors))
    anchor = log[end] if end is not None else (log[ca] if ca is not None else None)
    clock = anchor.clock if anchor and anchor.seconds is not None else _last_clock(log[:stop])
    return Failure(
        action=action,
        exit_code=result if result is not None else (1603 if end is not None else None),
        clock=clock,
        context=tuple(context[-context_lines:]),
        errors=tuple(errors[:error_lines]),
    )


def _action_start(log: Sequence[LogLine], action: str, stop: int) -> int:
    for i in range(min(stop, len(log) - 1), -1, -1):
        ln = log[i]
        if ln.action == action and ln.kind in (LineKind.ACTION_START, LineKind.ACTION_DEFERRED):
            return i
    return max(0, stop - CONTEXT_LINES)


def _exit_status(log: Sequence[LogLine]) -> int | None:
    """The final status: the last product-result code (MainEngineThread wins as it comes last)."""
    codes = [ln.code for ln in log if ln.kind is LineKind.PRODUCT_RESULT and ln.code is not None]
    if not codes:
        return None
    failed = [c for c in codes if c not in SUCCESS_CODES]
    return failed[-1] if failed else codes[-1]


def _last_clock(log: Sequence[LogLine]) -> str | None:
    return next((ln.clock for ln in reversed(log) if ln.seconds is not None), None)


# The filter (which lines are sent, shown and kept) lives in logfilter.py; its names are here too.
from tui.engine.logfilter import FILTER_KEYS, LogFilter, filter_rules, log_filter, matters  # noqa: E402, F401, I001

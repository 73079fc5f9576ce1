"""A command's result and the decoding of its output streams."""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from dataclasses import dataclass

OutputCallback = Callable[[str], None]
# Used when the target's OEM code page cannot be read: en-US Windows' (it matches cp850 for the
# Western European letters), the most likely guess, and for ASCII any guess is right.
OEM_FALLBACK = "cp437"
# The registry value Windows' National Language Support takes the OEM code page from, read with
# reg.exe (plain ASCII output). `chcp` or [Console]::OutputEncoding would report 65001, the
# shell's code page, not the one native tools write.
OEM_QUERY = ("reg", ["query", "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Nls\\CodePage",
                     "/v", "OEMCP"])


def oem_codepage(reg_output: str) -> str | None:
    """The Python codec for the OEMCP value in `reg query` output, None if there is none."""
    found = re.search(r"^\s*OEMCP\s+REG_SZ\s+(\d+)\s*$", reg_output, re.MULTILINE | re.IGNORECASE)
    if not found:
        return None
    try:
        return codecs.lookup(f"cp{found.group(1)}").name
    except LookupError:
        return None


@dataclass(frozen=True)
class CommandResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


class Stream:
    """Decodes one output stream as it arrives (a chunk may end mid-character, mid-line).

    PowerShell writes UTF-8 (the shell's code page is 65001); native tools such as sc.exe or
    reg.exe write the target's OEM code page whatever the console's. Bytes alone cannot tell
    them apart (cp866's "ужб" is E3 A6 A1, valid UTF-8 for one CJK sign), but a writer writes
    whole lines: each line that is valid UTF-8 is read as UTF-8, any other in the OEM code page.
    A line is passed on up to its first byte that is not ASCII at once, the rest at its end.

    While the code page is unknown (`oem` None), output from the first line that is not UTF-8
    on is held until `resolve` names it: never a guessed character."""

    def __init__(self, callback: OutputCallback | None, oem: str | None) -> None:
        self._callback = callback
        self._oem = oem
        self._parts: list[str] = []
        self._line = bytearray()  # the current line from its first byte that is not ASCII
        self._held = bytearray()  # from the first line that is not UTF-8 (code page unknown)
        self._ended = False

    @property
    def holding(self) -> bool:
        """Whether output waits for the OEM code page."""
        return bool(self._held)

    def feed(self, data: bytes) -> None:
        if self._held:
            self._held += data
            return
        start = 0
        while (newline := data.find(b"\n", start)) >= 0:
            self._line += data[start : newline + 1]
            start = newline + 1
            self._end_line()
            if self._held:
                self._held += data[start:]
                return
        rest = data[start:]
        if not self._line:
            ascii_end = next((i for i, b in enumerate(rest) if b >= 0x80), len(rest))
            self._emit(rest[:ascii_end].decode("ascii"))
            rest = rest[ascii_end:]
        self._line += rest

    def end(self) -> None:
        """The stream is complete: decode its last line, or hold it (code page unknown)."""
        self._ended = True
        if not self._held:
            self._end_line()

    def resolve(self, oem: str) -> None:
        """Decode what is held, and what follows, with the OEM code page `oem`."""
        self._oem = oem
        held, self._held = bytes(self._held), bytearray()
        self.feed(held)
        if self._ended:
            self._end_line()

    def text(self) -> str:
        assert not self._held and not self._line, "the stream must be ended and resolved"
        return "".join(self._parts)

    def _end_line(self) -> None:
        line, self._line = bytes(self._line), bytearray()
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            if self._oem is None:
                self._held += line
                return
            text = line.decode(self._oem, "replace")
        self._emit(text)

    def _emit(self, text: str) -> None:
        if text:
            self._parts.append(text)
            if self._callback is not None:
                self._callback(text)

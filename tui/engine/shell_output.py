"""A command's result and the decoding of its output streams."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import dataclass

OutputCallback = Callable[[str], None]
OEM_CODEPAGE = "cp437"  # what native tools that ignore the console code page write (en-US)


@dataclass(frozen=True)
class CommandResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


class Stream:
    """Decodes one output stream incrementally (a chunk may end mid-character): UTF-8, and bytes
    that are not UTF-8 in the OEM code page (native tools such as sc.exe write it whatever the
    console's code page)."""

    def __init__(self, callback: OutputCallback | None, oem: str) -> None:
        self._callback = callback
        self._decoder = codecs.getincrementaldecoder("utf-8")(_oem_handler(oem))
        self._parts: list[str] = []

    def feed(self, data: bytes, final: bool = False) -> None:
        text = self._decoder.decode(data, final)
        if text:
            self._parts.append(text)
            if self._callback is not None:
                self._callback(text)

    def finish(self) -> str:
        self.feed(b"", final=True)
        return "".join(self._parts)


def _oem_handler(codepage: str) -> str:
    """The name of a codecs error handler that decodes bytes UTF-8 rejects in `codepage`."""
    name = f"mimsetup-oem-{codepage}"
    try:
        codecs.lookup_error(name)
    except LookupError:
        def handler(err: UnicodeError) -> tuple[str, int]:
            assert isinstance(err, UnicodeDecodeError)
            bad = err.object[err.start : err.end]
            return bytes(bad).decode(codepage, "replace"), err.end

        codecs.register_error(name, handler)
    return name


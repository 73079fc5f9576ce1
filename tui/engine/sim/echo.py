r"""A tiny Machine for exercising the WinRS plumbing: a few cmd-like commands and the bootstrap.

Commands (the command and its arguments are joined and split on spaces, as cmd would see them):
  echo TEXT | cmd /c echo TEXT        prints TEXT
  cmd /c exit N                       exits with N
  lines N SECONDS                     prints "line i" N times, SECONDS apart
  big N                               prints N bytes of 'x' (and a newline)
  stderr TEXT                         prints TEXT on stderr, exits with 1
  more                                echoes stdin back once it is closed
  sleep SECONDS                       prints nothing for SECONDS, then exits 0
  native TEXT                         prints TEXT in the machine's OEM code page, as native
                                      tools such as sc.exe or netsh do whatever the shell's code
                                      page (chcp 65001 changes the console's, not theirs)
  reg query HKLM\SYSTEM\CurrentControlSet\Control\Nls\CodePage /v OEMCP
                                      prints the OEM code page as reg.exe does (REG_SZ, e.g. 866)
  powershell.exe ... -EncodedCommand <bootstrap>   reads the stdin payload, prints JSON of it
"""

from __future__ import annotations

import json

from tui.engine import scripts
from tui.engine.sim.process import OutputSink, ProcessFn, StdinReader, ThreadProcess


def _words(command: str, arguments: list[str]) -> list[str]:
    words = " ".join([command, *arguments]).split()
    if len(words) >= 2 and words[0].lower() in ("cmd", "cmd.exe") and words[1].lower() == "/c":
        words = words[2:]
    return words


def _echo(text: str) -> ProcessFn:
    def fn(stdin: StdinReader, out: OutputSink) -> int:
        out.stdout(text + "\r\n")
        return 0

    return fn


def _lines(count: int, interval: float) -> ProcessFn:
    def fn(stdin: StdinReader, out: OutputSink) -> int:
        for i in range(1, count + 1):
            if i > 1:
                out.sleep(interval)
            out.stdout(f"line {i}\r\n")
        return 0

    return fn


def _more(stdin: StdinReader, out: OutputSink) -> int:
    out.stdout(stdin.read_all())
    return 0


def _bootstrap(stdin: StdinReader, out: OutputSink) -> int:
    name, _text, params = scripts.parse_stdin_payload(stdin.read_all())
    out.stdout(json.dumps({"script": name, "params": params}, ensure_ascii=False) + "\r\n")
    return 0


def _powershell(words: list[str]) -> ProcessFn:
    lowered = [w.lower() for w in words]
    if "-encodedcommand" not in lowered:
        return _fail("powershell: only -EncodedCommand is simulated")
    encoded = words[lowered.index("-encodedcommand") + 1]
    if scripts.script_name(scripts.decode_command(encoded)) != "bootstrap":
        return _fail("powershell: only the mimsetup bootstrap is simulated")
    return _bootstrap


# Where Windows keeps the system's code pages (the OEM one is what console tools write): the
# registry key National Language Support reads at boot, one REG_SZ value per code page.
CODEPAGE_KEY = "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Nls\\CodePage"


def _reg_query(rest: list[str], oem: str) -> ProcessFn:
    """reg.exe's `query KEY /v NAME`: a blank line, the key's full name, the value indented four
    spaces with four spaces between name, type and data, a blank line (as `reg query /?` and
    Microsoft's reg query page show it)."""
    key = rest[1].upper().replace("HKLM\\", "HKEY_LOCAL_MACHINE\\") if len(rest) > 1 else ""
    lowered = [w.lower() for w in rest]
    name = rest[lowered.index("/v") + 1] if "/v" in lowered[:-1] else ""
    if lowered[:1] != ["query"] or key != CODEPAGE_KEY.upper() or name.upper() != "OEMCP":
        return _fail("ERROR: The system was unable to find the specified registry key or value.")
    number = oem.lower().removeprefix("cp")
    return _echo(f"\r\n{CODEPAGE_KEY}\r\n    OEMCP    REG_SZ    {number}\r\n")


def _fail(message: str, code: int = 1) -> ProcessFn:
    def fn(stdin: StdinReader, out: OutputSink) -> int:
        out.stderr(message + "\r\n")
        return code

    return fn


def _sleep(seconds: float) -> ProcessFn:
    def fn(stdin: StdinReader, out: OutputSink) -> int:
        out.sleep(seconds)
        return 0

    return fn


def program(command: str, arguments: list[str], oem: str = "cp437") -> ProcessFn:
    words = _words(command, arguments)
    if not words:
        return _fail("no command")
    head, rest = words[0].lower(), words[1:]
    if head == "echo":
        return _echo(" ".join(rest))
    if head == "exit":
        return lambda stdin, out: int(rest[0]) if rest else 0
    if head == "lines":
        return _lines(int(rest[0]), float(rest[1]) if len(rest) > 1 else 0.0)
    if head == "big":
        return _echo("x" * int(rest[0]))
    if head == "stderr":
        return _fail(" ".join(rest))
    if head == "more":
        return _more
    if head == "sleep":
        return _sleep(float(rest[0]))
    if head == "native":
        text = " ".join(rest)
        return lambda stdin, out: out.stdout((text + "\r\n").encode(oem)) or 0
    if head in ("reg", "reg.exe"):
        return _reg_query(rest, oem)
    if head in ("powershell", "powershell.exe"):
        return _powershell(words)
    return _fail(f"'{words[0]}' is not recognized as an internal or external command.", 9009)


class EchoMachine:
    """Machine whose commands are the small set above; enough to test the transport.

    `oem_codepage` is the machine's OEM code page (its system locale's: cp437 for en-US, cp866
    for a Russian server, cp852 for Central European, cp932 for Japanese)."""

    def __init__(self, oem_codepage: str = "cp437") -> None:
        self.oem_codepage = oem_codepage

    def start(self, command: str, arguments: list[str], user: str) -> ThreadProcess:
        return ThreadProcess(program(command, arguments, self.oem_codepage), name=f"sim:{command}")

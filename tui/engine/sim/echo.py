"""A tiny Machine for exercising the WinRS plumbing: a few cmd-like commands and the bootstrap.

Commands (the command and its arguments are joined and split on spaces, as cmd would see them):
  echo TEXT | cmd /c echo TEXT        prints TEXT
  cmd /c exit N                       exits with N
  lines N SECONDS                     prints "line i" N times, SECONDS apart
  big N                               prints N bytes of 'x' (and a newline)
  stderr TEXT                         prints TEXT on stderr, exits with 1
  more                                echoes stdin back once it is closed
  sleep SECONDS                       prints nothing for SECONDS, then exits 0
  native TEXT                         prints TEXT in the OEM code page (437), as native tools
                                      such as sc.exe or netsh do whatever the shell's code page
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


def program(command: str, arguments: list[str]) -> ProcessFn:
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
        return lambda stdin, out: out.stdout((text + "\r\n").encode("cp437")) or 0
    if head in ("powershell", "powershell.exe"):
        return _powershell(words)
    return _fail(f"'{words[0]}' is not recognized as an internal or external command.", 9009)


class EchoMachine:
    """Machine whose commands are the small set above; enough to test the transport."""

    def start(self, command: str, arguments: list[str], user: str) -> ThreadProcess:
        return ThreadProcess(program(command, arguments), name=f"sim:{command}")

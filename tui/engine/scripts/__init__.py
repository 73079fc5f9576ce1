"""The PowerShell scripts mimsetup runs on the target, and how they are sent.

Every script is a `.ps1` file beside this module whose first line is
`# mimsetup-script: <name>`. It is never put on a command line: the command line carries only the
fixed bootstrap (`bootstrap.ps1`, base64 UTF-16LE as `-EncodedCommand` wants it), and stdin carries
one JSON document `{"script": <text>, "params": {...}}`. The simulated target reads the same
header to know which script it is asked to run.
"""

from __future__ import annotations

import base64
import json
import re
from functools import cache
from importlib import resources

HEADER = re.compile(r"^# mimsetup-script: ([a-z0-9-]+)\s*$", re.MULTILINE)
# A line `# mimsetup-include: <name>` is replaced by that script's text (without its header line):
# how preflight.ps1 and checklist.ps1 share outcomes.ps1 in every copy that leaves mimsetup.
INCLUDE = re.compile(r"^# mimsetup-include: ([a-z0-9-]+)[ \t]*$", re.MULTILINE)

POWERSHELL = "powershell.exe"
POWERSHELL_ARGS = ("-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass")


@cache
def text(name: str) -> str:
    """The text of `<name>.ps1`, shipped as package data, with its includes expanded."""
    raw = resources.files(__package__).joinpath(f"{name}.ps1").read_text(encoding="utf-8")
    return INCLUDE.sub(lambda m: _body(m.group(1)), raw)


def _body(name: str) -> str:
    """An included script: its text without the header line (one script, one header)."""
    return text(name).split("\n", 1)[1].rstrip("\n")


def names() -> list[str]:
    return sorted(
        p.name[:-4] for p in resources.files(__package__).iterdir() if p.name.endswith(".ps1")
    )


def script_name(script_text: str) -> str | None:
    """The name a script declares in its header line, or None."""
    m = HEADER.search(script_text[:400])
    return m.group(1) if m else None


def encode_command(script_text: str) -> str:
    """What `powershell -EncodedCommand` takes: base64 of the UTF-16LE text."""
    return base64.b64encode(script_text.encode("utf-16-le")).decode("ascii")


def decode_command(encoded: str) -> str:
    return base64.b64decode(encoded).decode("utf-16-le")


def bootstrap_args() -> list[str]:
    """The arguments after `powershell.exe` that start the bootstrap."""
    return [*POWERSHELL_ARGS, "-EncodedCommand", encode_command(text("bootstrap"))]


def stdin_payload(name: str, params: dict) -> bytes:
    """The stdin document for script `name`; ASCII-only JSON so no code page can mangle it."""
    doc = {"script": text(name), "params": params}
    return (json.dumps(doc, ensure_ascii=True) + "\n").encode("ascii")


def parse_stdin_payload(data: bytes) -> tuple[str | None, str, dict]:
    """(script name, script text, params) from a stdin document; the simulated target's side."""
    doc = json.loads(data.decode("utf-8-sig"))
    script = doc.get("script", "")
    return script_name(script), script, doc.get("params") or {}

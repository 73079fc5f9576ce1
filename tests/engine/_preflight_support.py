"""Shared by the pre-flight and machine tests: the example answers and a direct run of a script
on a WindowsMachine (no WinRM in between)."""

from __future__ import annotations

import json
import time
from functools import cache
from pathlib import Path

from tui.engine import scripts
from tui.engine.sim.machine import WindowsMachine
from tui.model.answers import AnswerFile
from tui.model.tomlio import read_file

ROOT = Path(__file__).resolve().parents[2]
CONTOSO = ROOT / "answers" / "contoso.toml"
ADMIN = "CONTOSO\\Administrator"

# What each scenario must make fail (nothing else may fail).
EXPECTED_FAILURES: dict[str, set[str]] = {
    "healthy": set(),
    "no-sharepoint": {"sharepoint"},
    "sql-unreachable": {"sql-reachable"},
    "install-running": {"install-running"},
    "pending-reboot": {"pending-reboot"},
    "mim-installed": {"mim-installed", "sql-database", "service-ports", "sharepoint-farm"},
    "wrong-msi": {"msi-product"},
    # The install scenarios: the machine is healthy; only msiexec's outcome differs.
    "reboot-required": set(),
    "install-fails": set(),
}


@cache
def _contoso_text() -> str:
    return CONTOSO.read_text(encoding="utf-8")


def contoso() -> AnswerFile:
    loaded = read_file(CONTOSO)
    assert loaded.answers is not None, [p.format() for p in loaded.problems]
    return loaded.answers


def run_direct(
    machine: WindowsMachine, name: str, params: dict, user: str = ADMIN
) -> tuple[str, str, int]:
    """Start the bootstrap on the machine as the transport would, feed stdin, collect output."""
    proc = machine.start(scripts.POWERSHELL, scripts.bootstrap_args(), user)
    proc.write_stdin(scripts.stdin_payload(name, params), True)
    out, err = b"", b""
    limit = time.monotonic() + 10
    while time.monotonic() < limit:
        o, e, code = proc.read(0.5)
        out, err = out + o, err + e
        if code is not None:
            return out.decode(), err.decode(), code
    raise AssertionError("the simulated script did not finish")


def run_command(machine: WindowsMachine, command: str, args: list[str] | None = None,
                user: str = ADMIN) -> tuple[str, str, int]:
    proc = machine.start(command, args or [], user)
    proc.write_stdin(b"", True)
    out, err = b"", b""
    while True:
        o, e, code = proc.read(2)
        out, err = out + o, err + e
        if code is not None:
            return out.decode(), err.decode(), code


def checks_of(stdout: str) -> dict[str, dict]:
    doc = json.loads(stdout)
    return {c["id"]: c for c in doc["checks"]}

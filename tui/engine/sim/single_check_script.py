"""One pre-flight row run inline (a script headed `# mimsetup-check: ID`), as the pre-flight
emulation computes it: registered like any script, so that the machine needs no import of it."""

from __future__ import annotations

import json

from tui.engine.sim.machine import SINGLE_CHECK, ScriptRun, script
from tui.engine.sim.preflight_script import run_checks


@script(SINGLE_CHECK)
def single_check(run: ScriptRun) -> int:
    """`run.name` is the row's id."""
    found = [c for c in run_checks(run.state, run.params, run.user) if c["id"] == run.name]
    if not found:
        run.out.stderr(f"no check named {run.name}\r\n")
        return 1
    run.out.stdout(json.dumps(found[0]) + "\r\n")
    return 0

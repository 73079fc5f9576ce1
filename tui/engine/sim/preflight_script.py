"""The simulated target's emulation of `scripts/preflight.ps1`.

It reads the very `$Params` the real script receives (keys accessed with [] so a renamed parameter
fails loudly here too), looks at the MachineState instead of Windows, and reports what the script
reports: each check's id, the catalog's reason and the values, in the script's order, as one JSON
line on stdout. It words nothing (mimsetup words every outcome from outcomes.json); where Windows
behaves in a documented way a naive script would miss (no-profile logons, the double hop, client
aliases), `winbehaviour` plays it.
"""

from __future__ import annotations

import json

from tui.engine.sim import (
    preflight_accounts,
    preflight_computer,
    preflight_sharepoint,
    preflight_sql,
)
from tui.engine.sim.machine import ScriptRun, script
from tui.engine.sim.preflight_checks import Checks
from tui.engine.sim.state import MachineState, normalise_url

__all__ = ["normalise_url", "run_checks"]


def run_checks(state: MachineState, params: dict, user: str) -> list[dict]:
    """The checks preflight.ps1 would report on this machine, for these params, as `user`."""
    c = Checks()
    preflight_computer.computer(c, state, params, user)
    preflight_computer.package(c, state, params)
    preflight_sql.sql(c, state, params, user)
    preflight_accounts.accounts(c, state, params)
    preflight_sharepoint.sharepoint(c, state, params, user)
    preflight_sharepoint.iis(c, state, params)
    return c.items


@script("preflight")
def preflight(run: ScriptRun) -> int:
    checks = run_checks(run.state, run.params, run.user)
    doc = {"schema": 2, "computer": run.state.computer_name, "checks": checks}
    run.out.stdout(json.dumps(doc, separators=(",", ":")) + "\r\n")
    return 0


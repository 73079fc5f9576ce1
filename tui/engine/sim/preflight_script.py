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
from tui.engine.sim import winbehaviour as win
from tui.engine.sim.machine import ScriptRun, script
from tui.engine.sim.preflight_checks import Checks
from tui.engine.sim.state import MachineState, normalise_url

__all__ = ["normalise_url", "run_checks"]


def run_checks(state: MachineState, params: dict, user: str) -> list[dict]:
    """The checks preflight.ps1 would report on this machine, for these params, as `user`."""
    c = Checks()
    preflight_computer.computer(c, state, params, user)
    password_logon = _probe_logon(c, state, params, user)
    preflight_computer.package(c, state, params)
    preflight_sql.sql(c, state, params, user, password_logon=password_logon)
    preflight_accounts.accounts(c, state, params, password_logon=password_logon)
    preflight_sharepoint.sharepoint(c, state, params, user, password_logon=password_logon)
    preflight_sharepoint.iis(c, state, params)
    return c.items


def _probe_logon(c: Checks, state: MachineState, params: dict, user: str) -> bool:
    """Whether the checks of other computers run in a logon with the install account's password
    (the script's Start-Probes: a scheduled task with stored credentials)."""
    run_as, password = params.get("run_as_user"), params.get("run_as_password")
    if not run_as or not password:
        c.add("probe-logon", "this-logon", user=run_as or user)
        return False
    why = win.registration_error(state)
    code = win.task_start_result(state, run_as)
    if not why and code is not None:
        # Registered (a success code), but never started: the script waits and sees it end.
        why = f"the task ended (0x{code:08X}) without a result"
    if why:
        c.add("probe-logon", "task-failed", user=run_as, why=why)
        return False
    c.add("probe-logon", "task", user=run_as)
    return True


@script("preflight")
def preflight(run: ScriptRun) -> int:
    checks = run_checks(run.state, run.params, run.user)
    doc = {"schema": 2, "computer": run.state.computer_name, "checks": checks}
    run.out.stdout(json.dumps(doc, separators=(",", ":")) + "\r\n")
    return 0


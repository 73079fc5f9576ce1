"""The emulated pre-flight's SharePoint, IIS and password portal checks."""

from __future__ import annotations

import re

from tui.engine.sim import winbehaviour as win
from tui.engine.sim.preflight_checks import Checks
from tui.engine.sim.state import MachineState

SP_KEY = "HKLM:\\SOFTWARE\\Microsoft\\Shared Tools\\Web Server Extensions\\{}"
SP_IDS = ("sharepoint", "sharepoint-admin-service", "sharepoint-timer-service",
          "sharepoint-site", "sharepoint-farm")
FARM_BUILD = "16.0.10337.12109"
# What Get-SPFarm says to a logon that cannot reach the configuration database.
NO_FARM = ("Cannot access the local farm. Verify that the local farm is properly configured, "
           "currently available, and that you have the appropriate permissions to access the "
           "database before trying again.")
# The WebException of a request nobody answers.
NO_CONNECT = "Unable to connect to the remote server"
# The MIM Portal's solution packs are named fim*.wsp, microsoftilm*.wsp and *identitymanagement*
# (microsoftilmportalcommondlls.wsp); a farm's other solutions (FilmLibrary.wsp) are not MIM's.
MIM_SOLUTION = re.compile(r"(fim|microsoftilm|(microsoft)?identitymanagement)[a-z0-9]*\.wsp",
                          re.IGNORECASE)


def farm_reader(state: MachineState, user: str) -> bool:
    """Whether `user` may read the farm: Get-SPFarm needs access to the configuration database
    (farm administrators and accounts given shell access), not farm administration."""
    u = user.lower()
    return u in state.sharepoint_farm_admins or u in state.sharepoint_shell_users


def mim_solutions(state: MachineState) -> list[str]:
    return [s for s in state.sharepoint_solutions if MIM_SOLUTION.fullmatch(s)]


def sharepoint(c: Checks, state: MachineState, params: dict, user: str, *,
               password_logon: bool) -> None:
    if not params["components"]["portal"]:
        c.skip_all(SP_IDS, "portal-not-selected")
        return
    version = None
    for v in ("16.0", "15.0"):
        if state.reg_key(SP_KEY.format(v) + "\\WSS") is not None:
            version = state.reg_get(SP_KEY.format(v), "Version") or v
            break
    if version is None:
        c.add("sharepoint", "missing")
        c.skip_all(SP_IDS[1:], "no-sharepoint")
        return
    c.add("sharepoint", "installed", version=version)
    for cid, name in (("sharepoint-admin-service", "SPAdminV4"),
                      ("sharepoint-timer-service", "SPTimerV4")):
        svc = state.service(name)
        status = svc.status if svc else ""
        if status == "Running":
            c.add(cid, "running")
        else:
            c.add(cid, "not-running", state=status)
    url = params["portal"]["sharepoint_url"]
    code = win.http_status(state, url)
    v = {"url": url, "code": code, "why": "" if code is not None else NO_CONNECT}
    if code is None:
        c.add("sharepoint-site", "no-answer", **v)
    elif code == 404:
        c.add("sharepoint-site", "no-site", **v)
    elif code >= 500:
        c.add("sharepoint-site", "server-error", **v)
    else:
        c.add("sharepoint-site", "answers", **v)
    # The farm is read from its configuration database, on the SQL Server: the double hop again.
    config_sql = [i.host for i in state.sql.values()]
    reaches = all(win.sql_logon_user(state, h, user, password_logon=password_logon) == user
                  for h in config_sql)
    if not farm_reader(state, user) or not reaches:
        c.add("sharepoint-farm", "unreadable", why=NO_FARM)
        return
    existing = mim_solutions(state)
    if user.lower() not in state.sharepoint_farm_admins:
        c.add("sharepoint-farm", "not-farm-admin", user=user)
    elif existing:
        c.add("sharepoint-farm", "solution-exists", solutions=", ".join(existing))
    else:
        c.add("sharepoint-farm", "ok", build=FARM_BUILD)


def iis(c: Checks, state: MachineState, params: dict) -> None:
    comps = params["components"]
    if not (comps["registration_portal"] or comps["reset_portal"]):
        c.skip_all(("iis", "sspr-ports"), "no-sspr")
        return
    w3 = state.service("W3SVC")
    if w3 and w3.status == "Running":
        c.add("iis", "running")
    elif w3 is None:
        c.add("iis", "not-installed")
    else:
        c.add("iis", "stopped", state=w3.status)
    used = [f"{p['port']} for the {p['title']} (in use by {state.listening[p['port']]})"
            for p in params["sspr"] if p["port"] in state.listening]
    free = [f"{p['port']} ({p['title']})" for p in params["sspr"]
            if p["port"] not in state.listening]
    if used:
        c.add("sspr-ports", "in-use", used=", ".join(used))
    else:
        c.add("sspr-ports", "free", free=", ".join(free))

"""The simulated target's `checklist`: checklist.ps1's items, checked against the machine's state
with the same params, and the same fixes (intranet zone entry, MPR, starting FIMService). It
reports (id, kind, reason, values, fixed) as the script does, and words nothing."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from tui.engine.sim import winbehaviour as win
from tui.engine.sim.install_script import FIREWALL_KEY, MPR_KEY
from tui.engine.sim.machine import ScriptRun, script
from tui.engine.sim.preflight_sharepoint import NO_FARM, farm_reader, mim_solutions
from tui.engine.sim.state import MachineState

ZONE_MAP = "Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\ZoneMap"
# Group Policy's Internet settings (inetres.admx), under HKLM or the user's hive.
ZONE_POLICY = "Software\\Policies\\Microsoft\\Windows\\CurrentVersion\\Internet Settings"
ZONE_POLICY_HKLM = "HKLM:\\" + ZONE_POLICY
# Internet Explorer Enhanced Security Configuration: administrators' and users' settings.
ESC = "HKLM:\\SOFTWARE\\Microsoft\\Active Setup\\Installed Components\\"
ESC_ADMINS = ESC + "{A509B1A7-37EF-4b3f-8CFC-4F3A74704073}"
ESC_USERS = ESC + "{A509B1A8-37EF-4b3f-8CFC-4F3A74704073}"
NO_CONNECT = "Unable to connect to the remote server"
UNAUTHORIZED = "The request failed with HTTP status 401: Unauthorized."


def _item(item: dict, kind: str, reason: str, fixed: bool = False, **values: object) -> dict:
    return {"id": item["id"], "kind": kind, "reason": reason, "values": values, "fixed": fixed}


def _zone_policy(state: MachineState, item: dict, user: str) -> dict | None:
    """What Group Policy says of the site's zone, or None when no policy governs the zones.

    inetres.admx: the Site to Zone Assignment List (ZoneMapKey under HKLM's or the user's
    Policies; a value per site, the zone as data), "use only machine settings"
    (Security_HKLM_only) and "do not allow users to add/delete sites" (Security_zones_map_edit)
    outrank the user's own ZoneMap."""
    site = item["host"] if item["host"] == item["domain"] else f"{item['host']}.{item['domain']}"
    wanted = {n.lower() for n in (site, f"{item['scheme']}://{site}", f"*.{item['domain']}",
                                  f"{item['scheme']}://*.{item['domain']}")}
    roots = [ZONE_POLICY_HKLM]
    if user.lower() in state.loaded_hives:
        roots.append(f"HKEY_USERS\\{win.user_sid(state, user)}\\{ZONE_POLICY}")
    governed = False
    for root in roots:
        if 1 in (state.reg_get(root, "Security_HKLM_only"),
                 state.reg_get(root, "Security_zones_map_edit")):
            governed = True
        entries = state.reg_key(root + "\\ZoneMapKey")
        if entries is None:
            continue
        governed = True
        for name, zone in entries.items():
            if name.lower() in wanted:
                return {"host": site, "key": root.replace("HKLM:", "HKEY_LOCAL_MACHINE") +
                        "\\ZoneMapKey", "entry": name, "zone": str(zone)}
    return {"host": site, "key": "", "entry": "", "zone": ""} if governed else None


def _zone(state: MachineState, item: dict, fix: bool, user: str) -> dict:
    """The install account's Local intranet zone: what Group Policy says when it governs zones
    (never "fixed": Internet Explorer would ignore the user's map), else the account's own hive,
    or unknown when that hive is not loaded (the WinRM shell has no profile: what it calls HKCU
    is HKEY_USERS\\.DEFAULT)."""
    policy = _zone_policy(state, item, user)
    if policy is not None:
        reason = ("policy-in-zone" if policy["zone"] == "1" else
                  "policy-other-zone" if policy["entry"] else "policy-not-listed")
        return _item(item, "intranet-zone", reason, **policy)
    u = user.lower()
    if u not in state.loaded_hives:
        return _item(item, "intranet-zone", "no-profile", host=item["host"], user=user,
                     computer=state.computer_name)
    esc = ESC_ADMINS if u in state.administrators else ESC_USERS
    folder = "EscDomains" if state.reg_get(esc, "IsInstalled") == 1 else "Domains"
    key = (f"HKEY_USERS\\{win.user_sid(state, user)}\\{ZONE_MAP}\\{folder}\\{item['domain']}"
           f"\\{item['host']}")
    if fix:
        state.reg_set(key, item["scheme"], 1)
    ok = state.reg_get(key, item["scheme"]) == 1
    return _item(item, "intranet-zone", "in-zone" if ok else "not-in-zone", fix,
                 host=item["host"], key=key, scheme=item["scheme"])


def _portal_denied(state: MachineState, item: dict, user: str) -> dict:
    """A 401 shows the site answers, not that the portal is there: that is read from the farm,
    whose configuration database is on the SQL Server, out of reach of the WinRM logon (the double
    hop) when that is another computer."""
    reaches = all(win.sql_logon_user(state, i.host, user, password_logon=False) == user
                  for i in state.sql.values())
    if not (farm_reader(state, user) and reaches):
        return _item(item, "portal", "denied-unseen", url=item["url"], why=NO_FARM)
    deployed = mim_solutions(state)
    if deployed:
        return _item(item, "portal", "denied-deployed", url=item["url"],
                     solutions=", ".join(deployed))
    return _item(item, "portal", "denied-not-deployed", url=item["url"])


def check_item(state: MachineState, item: dict, fix: bool, user: str) -> dict:
    kind = item.get("kind")
    if kind in ("portal", "sspr"):
        code = win.http_status(state, item["url"])
        extra = {"title": item["title"]} if kind == "sspr" else {}
        if code is not None and code < 400:
            return _item(item, kind, "answers", code=code, url=item["url"], **extra)
        if code == 401 and kind == "portal":
            return _portal_denied(state, item, user)
        if code == 401:
            return _item(item, kind, "denied", url=item["url"], **extra)
        why = NO_CONNECT if code is None else f"The remote server returned an error: ({code})."
        return _item(item, kind, "no-answer", url=item["url"], why=why, **extra)
    if kind == "intranet-zone":
        return _zone(state, item, fix, user)
    if kind == "mpr-own-attributes":
        host = urlsplit(item["uri"]).hostname or ""
        if not state.is_this_computer(host):
            # Another computer (the double hop) or another name of this one (loopback check).
            return _item(item, kind, "no-service", mpr=item["mpr"], host=host, why=UNAUTHORIZED)
        disabled = state.reg_get(MPR_KEY, item["mpr"])
        if disabled is None:
            return _item(item, kind, "not-found", mpr=item["mpr"])
        if fix and disabled:
            state.reg_set(MPR_KEY, item["mpr"], False)
            disabled = False
        return _item(item, kind, "disabled" if disabled else "enabled", fix, mpr=item["mpr"])
    if kind == "firewall":
        # The rules in force: the local ones only when Group Policy merges them.
        rules = (state.reg_key(FIREWALL_KEY) or {}) if win.local_firewall_rules_apply(state) else {}
        listening = sorted(p for p in (5725, 5726) if p in state.listening)
        return _item(item, kind, "rules" if len(rules) == 2 else "missing",
                     rules=", ".join(rules), listening=", ".join(map(str, listening)))
    if kind == "domain-network":
        profiles = "; ".join(f"{n}: {c}" for n, c in state.network_profiles)
        ok = any(c == "DomainAuthenticated" for _, c in state.network_profiles)
        return _item(item, kind, "domain" if ok else "not-domain", profiles=profiles)
    if kind == "fimservice":
        svc = state.service("FIMService")
        if svc is None:
            return _item(item, kind, "not-installed")
        fixed = False
        if fix and svc.status != "Running":
            svc.status, fixed = "Running", True
        return _item(item, kind, "running" if svc.status == "Running" else "stopped", fixed,
                     state=svc.status)
    return _item(item, str(kind), "unknown-kind")


@script("checklist")
def checklist(run: ScriptRun) -> int:
    fixes = set(run.params.get("fix") or ())
    items = [check_item(run.state, i, i["id"] in fixes, run.user)
             for i in run.params.get("items") or ()]
    run.out.stdout(json.dumps({"items": items}) + "\r\n")
    return 0

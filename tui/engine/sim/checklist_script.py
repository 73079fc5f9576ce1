"""The simulated target's `checklist`: checklist.ps1's items, checked against the machine's state
with the same params, and the same fixes (intranet zone entry, MPR, starting FIMService)."""

from __future__ import annotations

import json

from tui.engine.sim.install_script import FIREWALL_KEY, MPR_KEY
from tui.engine.sim.machine import ScriptRun, script
from tui.engine.sim.state import MachineState

ZONE_MAP = "Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\ZoneMap\\Domains"


def _item(item: dict, status: str, message: str, evidence: str = "", remedy: str = "",
          fixed: bool = False) -> dict:
    return {"id": item["id"], "status": status, "message": message, "evidence": evidence,
            "remedy": remedy, "fixed": fixed}


def _url(state: MachineState, url: str) -> tuple[bool, str]:
    code = state.sites.get(url.rstrip("/").lower()) or state.sites.get(url.lower())
    if code:
        return True, f"HTTP {code} from {url}"
    return False, f"{url}: Unable to connect to the remote server"


def check_item(state: MachineState, item: dict, fix: bool, user: str) -> dict:
    kind = item.get("kind")
    if kind == "portal":
        ok, ev = _url(state, item["url"])
        return (_item(item, "pass", "The MIM Portal answers.", ev) if ok else
                _item(item, "fail", "The MIM Portal does not answer.", ev,
                      "Check the SharePoint site and the MIM Portal solution."))
    if kind == "intranet-zone":
        # HKCU is the install account's own hive: keep one per user.
        shown = f"{ZONE_MAP}\\{item['domain']}\\{item['host']}"
        key = f"HKU:\\{user.lower()}\\{shown}"
        if fix:
            state.reg_set(key, item["scheme"], 1)
        ok = state.reg_get(key, item["scheme"]) == 1
        ev = f"HKCU:\\{shown} {item['scheme']}={'1' if ok else '(none)'}"
        return (_item(item, "pass", f"{item['host']} is in the Local intranet zone.", ev, "", fix)
                if ok else _item(item, "fail", f"{item['host']} is not in the Local intranet zone.",
                                 ev, "Fix adds the zone entry for the install account.", fix))
    if kind == "mpr-own-attributes":
        disabled = state.reg_get(MPR_KEY, item["mpr"])
        if disabled is None:
            return _item(item, "unknown", "The management policy rule was not found.", item["mpr"],
                         "Check the MIM Service is running.")
        if fix and disabled:
            state.reg_set(MPR_KEY, item["mpr"], False)
            disabled = False
        return (_item(item, "fail", "The rule is disabled.", f"{item['mpr']}: Disabled=True",
                      "Fix enables it.", fix) if disabled else
                _item(item, "pass", "The rule is enabled.", f"{item['mpr']}: Disabled=False", "",
                      fix))
    if kind == "firewall":
        rules = state.reg_key(FIREWALL_KEY) or {}
        listening = sorted(p for p in (5725, 5726) if p in state.listening)
        ev = f"rules: {', '.join(rules)}; listening: {', '.join(map(str, listening))}"
        return (_item(item, "pass", "Both inbound rules exist and are enabled.", ev)
                if len(rules) == 2 else
                _item(item, "fail", "An inbound rule for 5725/5726 is missing or disabled.", ev,
                      "Rerun the install with portal.open_firewall = true, or add the rules."))
    if kind == "domain-network":
        ev = "; ".join(f"{n}: {c}" for n, c in state.network_profiles)
        ok = any(c == "DomainAuthenticated" for _, c in state.network_profiles)
        return (_item(item, "pass", "The active network is a Domain network.", ev) if ok else
                _item(item, "fail", "No active network is a Domain network.", ev,
                      "Check the domain controller is reachable."))
    if kind == "fimservice":
        svc = state.service("FIMService")
        if svc is None:
            return _item(item, "fail", "The MIM Service is not installed.", "no service FIMService",
                         "Run the install.")
        fixed = False
        if fix and svc.status != "Running":
            svc.status, fixed = "Running", True
        ev = f"FIMService: {svc.status}"
        return (_item(item, "pass", "The MIM Service is running.", ev, "", fixed)
                if svc.status == "Running" else
                _item(item, "fail", "The MIM Service is not running.", ev, "Fix starts it.", fixed))
    if kind == "sspr":
        ok, ev = _url(state, item["url"])
        return (_item(item, "pass", f"{item['title']} answers.", ev) if ok else
                _item(item, "fail", f"{item['title']} does not answer.", ev,
                      "Check the IIS site and its application pool account."))
    return _item(item, "unknown", "This mimsetup does not know how to check it.")


@script("checklist")
def checklist(run: ScriptRun) -> int:
    fixes = set(run.params.get("fix") or ())
    items = [check_item(run.state, i, i["id"] in fixes, run.user)
             for i in run.params.get("items") or ()]
    run.out.stdout(json.dumps({"items": items}) + "\r\n")
    return 0

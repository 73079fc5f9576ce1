"""The walkthrough's post-install checklist (reference section 6): which items apply to an
answer file, how the target checks them (checklist.ps1, one command) and which can be fixed
remotely."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from tui.engine import outcomes
from tui.engine.errors import EngineError
from tui.model.answers import AnswerFile
from tui.model.components import component_title
from tui.model.ports import SERVICE_PORT, SERVICE_PORTS

MPR_OWN_ATTRIBUTES = "User management: Users can read attributes of their own"
STATUSES = ("pass", "fail", "unknown")  # what the script may report; "manual" is ours


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    status: str  # pass | fail | unknown | manual
    message: str = ""
    evidence: str = ""
    remedy: str = ""
    fixable: bool = False
    fixed: bool = False

    def to_json(self) -> dict:
        return self.__dict__.copy()


# id -> (title, what Fix does on the target: "" when it cannot be fixed remotely); the order is
# the walkthrough's. checklist.ps1 carries out the fixes; the wizard asks with these words.
ITEMS: dict[str, tuple[str, str]] = {
    "portal": ("MIM Portal answers at /identitymanagement", ""),
    "intranet-zone": ("Portal site in the Local intranet zone",
                      "adds the portal's site to the Local intranet zone of the install account "
                      "(a ZoneMap entry in the registry, as Internet Options would)."),
    "mpr-own-attributes": (f"MPR \"{MPR_OWN_ATTRIBUTES}\" enabled",
                           "enables the management policy rule in the MIM Service, as the "
                           "portal's Management Policy Rules page would."),
    "firewall": (f"Inbound firewall rules for TCP {' and '.join(map(str, SERVICE_PORTS))}", ""),
    "domain-network": ("The network is a Domain network", ""),
    "fimservice": ("FIMService running", "starts the FIMService service."),
    "sspr-registration": (f"{component_title('registration_portal')} answers", ""),
    "sspr-reset": (f"{component_title('reset_portal')} answers", ""),
    "addins": ("Optional: MIM add-ins and extensions installed", ""),
}
MANUAL = {"addins"}


def fixable_items() -> list[str]:
    """The ids of the items mimsetup can fix on the target, in the walkthrough's order."""
    return [i for i, (_, fix) in ITEMS.items() if fix]


def what_fix_does(item_id: str) -> str:
    """What Fix does for the item, as the end of a sentence ("starts the FIMService service.")."""
    return ITEMS.get(item_id, ("", ""))[1] or "fixes it on the target."


def _portal_host(a: AnswerFile) -> tuple[str, str, str]:
    parts = urlsplit(a.portal.sharepoint_url or "")
    host = parts.hostname or ""
    return host, ".".join(host.split(".")[1:]) or host, parts.scheme or "http"


def script_items(a: AnswerFile) -> list[dict]:
    """The items the target checks for this answer file, with what each needs to know."""
    items: list[dict] = []
    c = a.components
    if c.portal and a.portal and a.portal.sharepoint_url:
        host, domain, scheme = _portal_host(a)
        url = a.portal.sharepoint_url.rstrip("/") + "/identitymanagement"
        items.append({"id": "portal", "kind": "portal", "url": url})
        items.append({"id": "intranet-zone", "kind": "intranet-zone", "host": host.split(".")[0]
                      if domain != host else host, "domain": domain, "scheme": scheme})
    if c.service:
        service = (a.portal.service_address if a.portal and a.portal.service_address
                   else "localhost")
        items.append({"id": "mpr-own-attributes", "kind": "mpr-own-attributes",
                      "mpr": MPR_OWN_ATTRIBUTES,
                      "uri": f"http://{service}:{SERVICE_PORT}/resourcemanagementservice"})
        items.append({"id": "firewall", "kind": "firewall"})
    items.append({"id": "domain-network", "kind": "domain-network"})
    if c.service:
        items.append({"id": "fimservice", "kind": "fimservice"})
    for name, item_id in (("registration_portal", "sspr-registration"),
                          ("reset_portal", "sspr-reset")):
        section = getattr(a, name)
        if getattr(c, name) and section is not None:
            items.append({"id": item_id, "kind": "sspr", "title": component_title(name),
                          "url": f"http://{section.host_name}:{section.port}/"})
    return items


def checklist_params(a: AnswerFile, fix: tuple[str, ...] = ()) -> dict:
    items = script_items(a)
    known = {i["id"] for i in items}
    return {"items": items, "fix": [f for f in fix if f in known and ITEMS[f][1]]}


def parse(stdout: str, a: AnswerFile) -> list[Item]:
    refused = outcomes.refusal(stdout)
    if refused is not None:
        raise EngineError(refused.message, refused.remedy)
    try:
        data = json.loads(stdout.strip().splitlines()[-1])
        raw = data["items"]
        raw = raw if isinstance(raw, list) else [raw]
    except (ValueError, KeyError, IndexError, TypeError):
        raise EngineError(
            "The checklist script's answer could not be read.",
            "Run `mimsetup check` again; if it persists, check the items by hand.",
        ) from None
    out = []
    for r in raw:
        if not isinstance(r, dict):
            continue
        if "reason" in r:
            r = {**r, **_worded(r)}
        title, fix = ITEMS.get(r.get("id", ""), (r.get("id", "?"), ""))
        fixable = bool(fix)
        out.append(Item(r.get("id", "?"), title, r.get("status", "unknown"), r.get("message", ""),
                        r.get("evidence", "") or "", r.get("remedy", "") or "",
                        fixable and r.get("status") != "pass", bool(r.get("fixed"))))
    out += [Item(m, ITEMS[m][0], "manual", "Tick it when done.") for m in MANUAL]
    return out


def _worded(r: dict) -> dict:
    """An item the script reported as (kind, reason, values), worded from the catalog; an
    outcome the catalog lacks is unknown, never a pass."""
    kind, reason = str(r.get("kind") or r.get("id") or "?"), str(r.get("reason"))
    values = r.get("values") if isinstance(r.get("values"), dict) else {}
    w = outcomes.word("checklist", kind, reason, values)
    if w is None or w.status not in STATUSES:
        return {"status": "unknown", "message": f"The checklist reported {reason!r} for {kind}, "
                "which this mimsetup cannot word.", "evidence": "", "remedy": "Check it by hand."}
    return {"status": w.status, "message": w.message, "evidence": w.evidence,
            "remedy": w.remedy}


def run_checklist(shell, a: AnswerFile, fix: tuple[str, ...] = ()) -> list[Item]:
    # Without fixes the checklist only reads: a run whose output was lost is run again.
    result = shell.run_script("checklist", checklist_params(a, fix),
                              if_lost="report" if fix else "rerun")
    return parse(result.stdout, a)

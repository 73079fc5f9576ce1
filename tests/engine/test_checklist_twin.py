"""The simulated checklist plays Windows as documented (windows-behaviour.md): the zones of the
install account's own hive under EscDomains when ESC is on for administrators, 401 from a local
alias, a MIM Service that refuses the WinRM logon. Reasons and statuses only, never wording."""

from __future__ import annotations

from tests.support.answers import contoso
from tests.support.sim import ADMIN
from tui.engine import outcomes
from tui.engine.checklist import checklist_params
from tui.engine.sim import winbehaviour as win
from tui.engine.sim.checklist_script import ESC_ADMINS, ESC_USERS, ZONE_POLICY_HKLM, check_item
from tui.engine.sim.install_script import FIREWALL_KEY
from tui.engine.sim.machine import WindowsMachine


def _items(machine, answers, fix=()):
    params = checklist_params(answers, fix)
    found = {}
    for item in params["items"]:
        r = check_item(machine.state, item, item["id"] in params["fix"], ADMIN)
        worded = outcomes.word("checklist", r["kind"], r["reason"], r["values"], strict=True)
        found[r["id"]] = {**r, "status": worded.status}
    return found


def test_esc_for_administrators_puts_the_zone_under_esc_domains():
    a = contoso()
    with WindowsMachine("healthy", answers=a) as m:
        m.state.reg_set(ESC_ADMINS, "IsInstalled", 1)
        m.state.reg_set(ESC_USERS, "IsInstalled", 0)  # the users' key says nothing for admins
        zone = _items(m, a, ("intranet-zone",))["intranet-zone"]
        assert (zone["status"], zone["fixed"]) == ("pass", True)
        assert "\\ZoneMap\\EscDomains\\" in zone["values"]["key"]
        assert zone["values"]["key"].startswith("HKEY_USERS\\S-1-5-21-")
        m.state.reg_set(ESC_ADMINS, "IsInstalled", 0)
        zone = _items(m, a)["intranet-zone"]
        assert zone["status"] == "fail" and "\\ZoneMap\\Domains\\" in zone["values"]["key"]


def test_without_the_install_accounts_hive_nothing_is_written():
    a = contoso()
    with WindowsMachine("healthy", answers=a) as m:
        m.state.loaded_hives.clear()
        before = {k: dict(v) for k, v in m.state.registry.items()}
        zone = _items(m, a, ("intranet-zone",))["intranet-zone"]
        assert (zone["status"], zone["reason"], zone["fixed"]) == ("unknown", "no-profile", False)
        assert m.state.registry == before


def test_a_portal_reached_by_an_alias_of_this_computer_answers_401_and_is_not_claimed():
    # A 401 shows the site answers; that the portal is deployed is read from the farm, out of
    # reach of the WinRM logon when its configuration database is on another computer.
    a = contoso()
    a.portal.sharepoint_url = "http://mim.contoso.local"
    with WindowsMachine("healthy", answers=a) as m:
        m.state.dns["mim.contoso.local"] = "10.0.0.10"  # this computer, by another name
        m.state.sites["http://mim.contoso.local/identitymanagement"] = 200
        portal = _items(m, a)["portal"]
        assert (portal["status"], portal["reason"]) == ("unknown", "denied-unseen")
        m.state.winrm_delegates = True  # the farm can be read: nothing of MIM's deployed yet
        portal = _items(m, a)["portal"]
        assert (portal["status"], portal["reason"]) == ("fail", "denied-not-deployed")
        m.state.sharepoint_solutions += ["FilmLibrary.wsp", "microsoftilmportalcommondlls.wsp"]
        portal = _items(m, a)["portal"]
        assert (portal["status"], portal["reason"]) == ("pass", "denied-deployed")
        assert portal["values"]["solutions"] == "microsoftilmportalcommondlls.wsp"
        m.state.loopback_check_disabled = True
        assert _items(m, a)["portal"]["reason"] == "answers"


def test_a_401_from_a_password_portal_is_a_warning():
    a = contoso()
    a.registration_portal.host_name = "pwdreg.contoso.local"
    with WindowsMachine("healthy", answers=a) as m:
        m.state.dns["pwdreg.contoso.local"] = "10.0.0.10"
        m.state.sites[f"http://pwdreg.contoso.local:{a.registration_portal.port}/"] = 200
        found = [i for i in _items(m, a).values() if i["kind"] == "sspr"
                 and i["values"]["url"].startswith("http://pwdreg.")]
        assert [(i["status"], i["reason"]) for i in found] == [("warn", "denied")]


def test_a_mim_service_elsewhere_is_unknown_not_failed():
    a = contoso()
    a.portal.service_address = "corpmim"
    with WindowsMachine("healthy", answers=a) as m:
        mpr = _items(m, a, ("mpr-own-attributes",))["mpr-own-attributes"]
    assert (mpr["status"], mpr["reason"], mpr["fixed"]) == ("unknown", "no-service", False)


def test_local_firewall_rules_that_group_policy_does_not_merge_are_missing():
    a = contoso()
    with WindowsMachine("healthy", answers=a) as m:
        m.state.reg_set(FIREWALL_KEY, "Forefront Identity Manager Service (STS)", 5726)
        m.state.reg_set(FIREWALL_KEY, "Forefront Identity Manager Service (Webservice)", 5725)
        m.state.network_profiles = [("contoso.local", "DomainAuthenticated")]
        assert _items(m, a)["firewall"]["status"] == "pass"
        m.state.reg_set(win.FIREWALL_POLICY + "DomainProfile", "AllowLocalPolicyMerge", 0)
        firewall = _items(m, a)["firewall"]
        assert (firewall["status"], firewall["reason"]) == ("fail", "missing")


def test_group_policy_zones_outrank_the_users_map_and_are_never_fixed():
    a = contoso()
    with WindowsMachine("healthy", answers=a) as m:
        m.state.loaded_hives.clear()  # the policy is read even without the user's hive
        m.state.reg_set(ZONE_POLICY_HKLM + "\\ZoneMapKey", "http://corpidm.contoso.local", 1)
        zone = _items(m, a, ("intranet-zone",))["intranet-zone"]
        assert (zone["status"], zone["reason"], zone["fixed"]) == ("pass", "policy-in-zone", False)
    with WindowsMachine("healthy", answers=a) as m:
        m.state.reg_set(ZONE_POLICY_HKLM + "\\ZoneMapKey", "*.contoso.local", 2)
        before = {k: dict(v) for k, v in m.state.registry.items()}
        zone = _items(m, a, ("intranet-zone",))["intranet-zone"]
        assert (zone["status"], zone["reason"], zone["fixed"]) == (
            "fail", "policy-other-zone", False)
        assert m.state.registry == before  # the user's map is not written under a policy
    with WindowsMachine("healthy", answers=a) as m:
        m.state.reg_set(ZONE_POLICY_HKLM, "Security_zones_map_edit", 1)
        before = {k: dict(v) for k, v in m.state.registry.items()}
        zone = _items(m, a, ("intranet-zone",))["intranet-zone"]
        assert (zone["status"], zone["reason"], zone["fixed"]) == (
            "unknown", "policy-not-listed", False)
        assert m.state.registry == before

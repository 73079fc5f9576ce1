"""Situations of the simulated target that, together, produce every outcome of the catalog.

Each is (answers change, state change, user): the named scenarios, plus one fact changed at a
time. `preflight_pairs()` and `checklist_pairs()` run the simulated scripts in all of them and
collect the (id, reason) pairs they report, worded strictly (a placeholder without a value fails).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from tests.support.answers import contoso
from tests.support.sim import ADMIN, with_password
from tui.engine import outcomes
from tui.engine.checklist import MPR_OWN_ATTRIBUTES, checklist_params
from tui.engine.preflight import preflight_params
from tui.engine.sim import packages, scenarios
from tui.engine.sim.checklist_script import ZONE_POLICY_HKLM, check_item
from tui.engine.sim.install_script import FIREWALL_KEY, MPR_KEY
from tui.engine.sim.machine import WindowsMachine
from tui.engine.sim.preflight_script import run_checks
from tui.engine.sim.state import MachineState
from tui.model.answers import AnswerFile

Change = Callable[[MachineState], None]
AChange = Callable[[AnswerFile], None]
HELPDESK = "CONTOSO\\helpdesk"
NDP4 = "HKLM:\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full"
NDP35 = "HKLM:\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v3.5"


def _none(_: object) -> None:
    pass


def _set(obj_of: Callable, **values: object) -> Callable:
    def change(x):
        for k, v in values.items():
            setattr(obj_of(x), k, v)
    return change


def _sql(s: MachineState):
    return s.find_sql("corpsql")


def _svc(name: str, status: str | None) -> Change:
    def change(s):
        if status is None:
            s.remove_service(name)
        elif s.service(name) is None:
            s.add_service(name, name, status)
        else:
            s.service(name).status = status
    return change


def _msi(**props: str) -> Change:
    def change(s):
        a = contoso()
        s.put_msi(a.install.msi_path, {**scenarios.MIM_MSI, **props})
    return change


def _components(**on: bool) -> AChange:
    return _set(lambda a: a.components, **on)


def _sql_server(server: str) -> AChange:
    return _set(lambda a: a.database, server=server)


def _gmsa(a: AnswerFile) -> None:
    a.service_account.managed = True
    a.service_account.name = "MIMService$"


def _no_firewall(a: AnswerFile) -> None:
    for section in (a.portal, a.registration_portal, a.reset_portal):
        section.open_firewall = False


PREFLIGHT: list[tuple[str, AChange, Change, str]] = [
    *((name, _none, _none, ADMIN) for name in scenarios.names()),
    ("helpdesk", _none, _none, HELPDESK),
    ("client os", _none, _set(lambda s: s, product_type=1), ADMIN),
    ("old os", _none, _set(lambda s: s, os_build=7601), ADMIN),
    ("newer os", _none, _set(lambda s: s, os_build=26100), ADMIN),
    ("workgroup", _none, _set(lambda s: s, domain=""), ADMIN),
    ("public network", _none, _set(lambda s: s, network_profiles=[("x", "Public")]), ADMIN),
    ("no msi", _none, lambda s: s.path(contoso().install.msi_path).unlink(), ADMIN),
    ("corrupt msi", _none,
     lambda s: s.path(contoso().install.msi_path).write_bytes(b"\xd0\xcf"), ADMIN),
    ("other release", _none, _msi(ProductCode="{00000000-0000-0000-0000-000000000001}"), ADMIN),
    ("not mim", _none, _msi(ProductCode="{00000000-0000-0000-0000-000000000002}",
                            ProductName="Contoso Tools"), ADMIN),
    # the package's release and what it requires (releases.json)
    ("unknown release", _none, _msi(ProductVersion="5.0.1.0"), ADMIN),
    ("gMSA on SP1", _set(lambda a: a.service_account, managed=True, name="MIMService$"),
     _msi(ProductVersion="4.4.1459.0"), ADMIN),
    ("Exchange Online on RTM", _set(lambda a: a.mail, exchange_online=True),
     _msi(ProductVersion="4.3.2266.0"), ADMIN),
    ("SP3 on Windows Server 2016", _none,
     lambda s: (_msi(**packages.SP3)(s), setattr(s, "os_build", 14393)), ADMIN),
    ("SP3 on SharePoint Subscription Edition", _none,
     lambda s: (_msi(**packages.SP3)(s), s.reg_set(scenarios.SP, "Version", "16.0.14326.20450")),
     ADMIN),
    ("SP3 without SharePoint", _none,
     lambda s: (scenarios.scenario_named("no-sharepoint").apply(s), _msi(**packages.SP3)(s)),
     ADMIN),
    ("SP3 over an old SP2", _none, lambda s: (_msi(**packages.SP3)(s), s.add_product(
        "{11111111-2222-3333-4444-555555555555}", packages.NAME, "4.6.607.0", "",
        packages.UPGRADE_CODE)), ADMIN),
    ("SP3 over SP2's last rollup", _none,
     lambda s: (_msi(**packages.SP3)(s), scenarios.scenario_named("sp2-installed").apply(s)),
     ADMIN),
    ("idle msiexec", _none, lambda s: s.processes.append(
        scenarios.SimProcessInfo(77, "msiexec.exe", "msiexec.exe /i x.msi")), ADMIN),
    ("renames only", _none, lambda s: s.reg_set(
        "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Session Manager",
        "PendingFileRenameOperations", ["x"]), ADMIN),
    ("full disk", _none, _set(lambda s: s, free_mb={"C": 500}), ADMIN),
    ("tight disk", _none, _set(lambda s: s, free_mb={"C": 2000}), ADMIN),
    ("leftover FIMService", _none, _svc("FIMService", "Stopped"), ADMIN),
    ("no .NET", _none, lambda s: (s.reg_set(NDP4, "Release", 0), s.reg_set(NDP35, "Install", 0)),
     ADMIN),
    ("SQL not in DNS", _none, lambda s: s.dns.pop("corpsql"), ADMIN),
    ("named instance", _sql_server("corpsql\\MIM"), _none, ADMIN),
    ("named instance, no browser", _sql_server("corpsql\\MIM"),
     _set(_sql, browser=False), ADMIN),
    ("no password", _none, _none, ADMIN),
    ("gMSA", _gmsa, _none, ADMIN),
    ("gMSA not for this server", _gmsa,
     lambda s: s.find_account("contoso\\MIMService$").gmsa_readers.clear(), ADMIN),
    ("no password, gMSA", _gmsa, _none, ADMIN),
    ("batch logon denied", _none, lambda s: s.user_rights["SeDenyBatchLogonRight"].add(
        "builtin\\administrators"), ADMIN),
    ("batch logon not granted", _none, lambda s: s.user_rights["SeBatchLogonRight"].clear(),
     ADMIN),
    ("no stored credentials", _none, lambda s: s.reg_set(
        "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Lsa", "DisableDomainCreds", 1), ADMIN),
    ("login refused", _none, _set(_sql, refused={ADMIN.lower()}), ADMIN),
    ("not sysadmin", _none, lambda s: _sql(s).sysadmins.clear(), ADMIN),
    ("SQL 2005", _none, _set(_sql, version="9.0.5000.0"), ADMIN),
    ("SQL 2014", _none, _set(_sql, version="12.0.6024.0"), ADMIN),
    ("SQL without agent and full-text", _none, _set(_sql, agent_running=False, fulltext=False),
     ADMIN),
    ("reuse a missing database", _set(lambda a: a.database, existing=True),
     lambda s: _sql(s).databases.discard("FIMService"), ADMIN),
    ("reuse the database", _set(lambda a: a.database, existing=True), _none, ADMIN),
    ("no mail server", _set(lambda a: a.mail, server="localhost", use_ssl=False,
                            is_exchange=False, poll_exchange=False), _none, ADMIN),
    ("accounts missing", _none, lambda s: s.accounts.clear(), ADMIN),
    ("accounts disabled", _none, lambda s: [setattr(x, "enabled", False)
                                            for x in s.accounts.values()], ADMIN),
    ("mail server elsewhere", _set(lambda a: a.mail, server="corpmail.contoso.local"), _none,
     ADMIN),
    ("mail server elsewhere, not in DNS", _set(lambda a: a.mail, server="corpmail.contoso.local"),
     lambda s: s.dns.pop("corpmail.contoso.local"), ADMIN),
    ("nothing answers on the web", _none, lambda s: s.sites.clear(), ADMIN),
    ("password portal port in use", _none, lambda s: s.listening.update({8080: "w3wp"}), ADMIN),
    ("same accounts", _set(lambda a: a.synchronization, ma_account="CONTOSO\\MIMService"),
     _none, ADMIN),
    ("sync stopped", _none, _svc("FIMSynchronizationService", "Stopped"), ADMIN),
    ("sync missing", _none, _svc("FIMSynchronizationService", None), ADMIN),
    ("sync elsewhere", _set(lambda a: a.synchronization, server="corpsync"), _none, ADMIN),
    ("sync elsewhere, not in DNS", _set(lambda a: a.synchronization, server="corpsync"),
     lambda s: s.dns.pop("corpsync"), ADMIN),
    ("firewall stopped", _none, _svc("MpsSvc", "Stopped"), ADMIN),
    ("firewall stopped, not needed", _no_firewall, _svc("MpsSvc", "Stopped"), ADMIN),
    ("SharePoint services stopped", _none, lambda s: (_svc("SPAdminV4", "Stopped")(s),
                                                      _svc("SPTimerV4", "Stopped")(s)), ADMIN),
    ("no site collection", _none, lambda s: s.sites.update(
        {"http://corpidm.contoso.local": 404}), ADMIN),
    ("site broken", _none, lambda s: s.sites.update({"http://corpidm.contoso.local": 500}),
     ADMIN),
    ("farm shell access only", _none, lambda s: (
        s.sharepoint_farm_admins.clear(), s.sharepoint_shell_users.add(ADMIN.lower())), ADMIN),
    ("IIS stopped", _none, _svc("W3SVC", "Stopped"), ADMIN),
    ("no IIS", _none, _svc("W3SVC", None), ADMIN),
    ("service only", _components(portal=False, registration_portal=False, reset_portal=False),
     _none, ADMIN),
    ("portal only", _components(service=False, registration_portal=False, reset_portal=False),
     _none, ADMIN),
    ("password portals only", _components(service=False, portal=False), _none, ADMIN),
]


@cache
def preflight_pairs() -> frozenset[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for name, a_change, s_change, user in PREFLIGHT:
        a = contoso()
        a_change(a)
        scenario = name if name in scenarios.names() else "healthy"
        with WindowsMachine(scenario, answers=a) as m:
            s_change(m.state)
            params = preflight_params(a)
            if not name.startswith("no password"):
                params = with_password(params, user)
            for c in run_checks(m.state, params, user):
                assert outcomes.word("preflight", c["id"], c["reason"], c["values"],
                                     strict=True), (name, c)
                found.add((c["id"], c["reason"]))
    return frozenset(found)


def _installed(s: MachineState, a: AnswerFile) -> None:
    scenarios.mark_mim_installed(s)
    s.reg_set(FIREWALL_KEY, "Forefront Identity Manager Service (STS)", 5726)
    s.reg_set(FIREWALL_KEY, "Forefront Identity Manager Service (Webservice)", 5725)
    s.reg_set(MPR_KEY, MPR_OWN_ATTRIBUTES, True)
    s.sites[a.portal.sharepoint_url.rstrip("/").lower() + "/identitymanagement"] = 200
    for sec in (a.registration_portal, a.reset_portal):
        s.sites[f"http://{sec.host_name.lower()}:{sec.port}/"] = 200


def _aliases(a: AnswerFile) -> None:
    """The portals by names that are DNS aliases of this computer, not its own names."""
    a.portal.sharepoint_url = "http://mim.contoso.local"
    a.registration_portal.host_name = "pwdreg.contoso.local"
    a.reset_portal.host_name = "pwdreset.contoso.local"


def _alias_dns(s: MachineState) -> None:
    for name in ("mim.contoso.local", "pwdreg.contoso.local", "pwdreset.contoso.local"):
        s.dns[name] = "10.0.0.10"  # this computer's address


CHECKLIST: list[tuple[str, AChange, Change, tuple[str, ...]]] = [
    ("installed", _none, _none, ()),
    ("installed, fixed", _none, _none, ("intranet-zone", "mpr-own-attributes", "fimservice")),
    ("nothing answers", _none, lambda s: s.sites.clear(), ()),
    ("no rules, no domain network, stopped service", _none, lambda s: (
        s.reg_delete(FIREWALL_KEY), s.network_profiles.clear(), _svc("FIMService", "Stopped")(s)),
     ()),
    ("no MIM Service", _none, lambda s: (_svc("FIMService", None)(s), s.reg_delete(MPR_KEY)),
     ()),
    ("nobody logged on", _none, lambda s: s.loaded_hives.clear(), ("intranet-zone",)),
    ("MIM Service elsewhere", _set(lambda a: a.portal, service_address="corpmim"), _none, ()),
    ("portals by alias", _aliases, _alias_dns, ()),
    ("zones by policy", _none, lambda s: s.reg_set(
        ZONE_POLICY_HKLM + "\\ZoneMapKey", "corpidm.contoso.local", 1), ("intranet-zone",)),
    ("zones by policy, trusted sites", _none, lambda s: s.reg_set(
        ZONE_POLICY_HKLM + "\\ZoneMapKey", "corpidm.contoso.local", 2), ("intranet-zone",)),
    ("zones by policy, not listed", _none, lambda s: s.reg_set(
        ZONE_POLICY_HKLM, "Security_HKLM_only", 1), ("intranet-zone",)),
    ("portals by alias, farm readable", _aliases,
     lambda s: (_alias_dns(s), setattr(s, "winrm_delegates", True)), ()),
    ("portals by alias, portal not deployed", _aliases, lambda s: (
        _alias_dns(s), setattr(s, "winrm_delegates", True), s.sharepoint_solutions.clear()), ()),
]


@cache
def checklist_pairs() -> frozenset[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for name, a_change, change, fix in CHECKLIST:
        a = contoso()
        a_change(a)
        with WindowsMachine("healthy", answers=a) as m:
            _installed(m.state, a)
            change(m.state)
            params = checklist_params(a, fix)
            items = [*params["items"], {"id": "later", "kind": "later-kind"}]
            for item in items:
                r = check_item(m.state, item, item["id"] in params["fix"], ADMIN)
                key = r["kind"]
                assert outcomes.word("checklist", key, r["reason"], r["values"], strict=True) \
                    or r["reason"] == "unknown-kind", (name, r)
                found.add((key if r["reason"] != "unknown-kind" else "*", r["reason"]))
    return frozenset(found)

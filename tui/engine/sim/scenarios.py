"""The named scenarios of the simulated Windows server, all in one place.

Each starts from `healthy`: CORPIDM, a Windows Server 2019 member of contoso.local, with
everything MIM 2016 Service and Portal needs as the seed walkthrough sets it up (SQL Server on
corpsql, SharePoint with the site collection, IIS, .NET, the accounts, the Synchronization Service
on this computer, the MSI unpacked under C:\\Install). Then the scenario breaks one thing.
Given an answer file, the healthy machine follows it instead (its MSI path, SQL Server, accounts,
URLs, host names), so any valid answer file passes against `healthy`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tui.engine.sim import hardened, packages
from tui.engine.sim import winbehaviour as win
from tui.engine.sim.state import MachineState, SimProcessInfo, SqlInstance, normalise_url
from tui.engine.sim.verbose import REFERENCE_HIDDEN

DEFAULT_MSI = "C:\\Install\\Service and Portal\\Service and Portal.msi"
DEFAULT_ADMIN = "CONTOSO\\Administrator"
MIM_VERSION = "4.6.607.0"  # MIM 2016 SP2 with a hotfix
MIM_MSI = {
    "ProductName": packages.NAME,
    "ProductCode": packages.SP1_PRODUCT_CODE,
    "UpgradeCode": packages.UPGRADE_CODE,
    "ProductVersion": MIM_VERSION,
    "Manufacturer": "Microsoft Corporation",
    "MsiHiddenProperties": REFERENCE_HIDDEN,
}
SYNC_MSI = {
    "ProductName": "Microsoft Identity Manager Synchronization Service",
    "ProductCode": "{5A7CB0A3-7AA2-4F40-8899-02B83694085F}",
    "UpgradeCode": "{C2B6E4B2-0D3B-4C2C-9A43-3F2C6E1B7A10}",  # stand-in
    "ProductVersion": MIM_VERSION,
    "Manufacturer": "Microsoft Corporation",
}
# What the installed FIMService listens on (its web service and its Security Token Service), as
# MIM documents its ports; the simulation's own, so a wrong port in the client's model shows up.
FIM_SERVICE_PORTS = (5725, 5726)
SP = "HKLM:\\SOFTWARE\\Microsoft\\Shared Tools\\Web Server Extensions\\16.0"


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    apply: Callable[[MachineState], None]


def _healthy(state: MachineState) -> None:
    pass


def _no_sharepoint(state: MachineState) -> None:
    state.reg_delete(SP)
    state.reg_delete(SP + "\\WSS")
    for name in ("SPAdminV4", "SPTimerV4", "SPSearchHostController", "OSearch16"):
        state.remove_service(name)
    state.sites.clear()
    state.sharepoint_farm_admins.clear()


def _sql_unreachable(state: MachineState) -> None:
    for inst in state.sql.values():
        inst.reachable = False


def _sql_login_refused(state: MachineState) -> None:
    """SQL Server answers but refuses the install account's logon ("Login failed")."""
    for inst in state.sql.values():
        inst.refused.add(DEFAULT_ADMIN.lower())


def _install_running(state: MachineState) -> None:
    state.msi_mutex_held = True
    state.processes.append(
        SimProcessInfo(
            4242,
            "msiexec.exe",
            '"C:\\Windows\\System32\\msiexec.exe" /i '
            '"C:\\Install\\SQLServer2016-KB4052908-x64.msi" /qn',
        )
    )


def _pending_reboot(state: MachineState) -> None:
    state.reg_set(
        "HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based "
        "Servicing\\RebootPending"
    )
    state.reg_set(
        "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Session Manager",
        "PendingFileRenameOperations",
        ["\\??\\C:\\Windows\\Temp\\x.dll", ""],
    )


def mark_mim_installed(state: MachineState, database: str | None = None,
                       package: dict | None = None) -> None:
    """What a finished install leaves behind: the product, its services, ports and database.
    The install emulation calls this too, so the pre-flight afterwards says "already installed"."""
    table = package or MIM_MSI  # the package installed, of whichever release
    state.add_product(
        table["ProductCode"],
        table["ProductName"],
        table["ProductVersion"],
        "C:\\Program Files\\Microsoft Forefront Identity Manager\\2010\\",
        table.get("UpgradeCode", ""),
    )
    state.add_service("FIMService", "Forefront Identity Manager Service")
    for port in FIM_SERVICE_PORTS:
        state.listening[port] = "Microsoft.ResourceManagement.Service"
    state.reg_set(
        "HKLM:\\SYSTEM\\CurrentControlSet\\Services\\FIMService",
        "DatabaseName",
        database or "FIMService",
    )
    for inst in state.sql.values():
        inst.databases.add(database or "FIMService")
    state.sharepoint_solutions += ["fimportal.wsp", "fimcommon.wsp"]


def _wrong_msi(state: MachineState) -> None:
    """Every MIM package on the machine becomes the Synchronization Service package."""
    for file in state.root.rglob("*.msi"):
        if packages.SP1_PRODUCT_CODE in file.read_text(encoding="utf-8", errors="replace"):
            file.write_text(json.dumps({"msi-property-table": SYNC_MSI}), encoding="utf-8")


def _mim_packages(state: MachineState):
    for file in state.root.rglob("*.msi"):
        doc = json.loads(file.read_text(encoding="utf-8", errors="replace") or "{}")
        table = doc.get("msi-property-table") or {}
        if table.get("ProductCode") == packages.SP1_PRODUCT_CODE:
            yield file, doc, table


def _hides_nothing(state: MachineState) -> None:
    """A package whose MsiHiddenProperties is empty: /l*v writes every value in clear."""
    for file, doc, table in _mim_packages(state):
        table["MsiHiddenProperties"] = ""
        file.write_text(json.dumps(doc), encoding="utf-8")


def _media(table: dict[str, str]) -> Callable[[MachineState], None]:
    """Every MIM package on the machine becomes this release's."""
    def change(state: MachineState) -> None:
        for file, doc, _ in _mim_packages(state):
            doc["msi-property-table"] = dict(table)
            file.write_text(json.dumps(doc), encoding="utf-8")
    return change


def _sp2_installed(state: MachineState) -> None:
    """SP2's last rollup installed, under its own ProductCode (not the SP1-era one)."""
    sp2 = packages.SP2
    state.add_product(sp2["ProductCode"], sp2["ProductName"], sp2["ProductVersion"],
                      "C:\\Program Files\\Microsoft Forefront Identity Manager\\2010\\",
                      sp2["UpgradeCode"])
    state.add_service("FIMService", "Forefront Identity Manager Service")


def _allsigned(state: MachineState) -> None:
    state.execution_policy_gpo = "AllSigned"  # MachinePolicy, set by Group Policy


def _stale_log(state: MachineState) -> None:
    """A failed earlier attempt's log (another day, another domain) where this one will write."""
    from datetime import datetime

    from tui.engine.sim.logreplay import build_script

    old = [line.text for line in build_script(1603, rebase=datetime(2026, 1, 5, 7, 1, 2))]
    text = "\r\n".join(old) + "\r\n"
    state.write_file(state.install_log_path, b"\xff\xfe" + text.encode("utf-16-le"))


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("healthy", "Everything MIM needs is in place", _healthy),
        Scenario("no-sharepoint", "SharePoint is not installed", _no_sharepoint),
        Scenario("sql-unreachable", "SQL Server does not answer from the target", _sql_unreachable),
        Scenario("install-running", "Another installation is in progress", _install_running),
        Scenario("pending-reboot", "A restart is pending", _pending_reboot),
        Scenario(
            "mim-installed",
            "MIM Service and Portal is already installed",
            lambda s: mark_mim_installed(s),
        ),
        Scenario("wrong-msi", "The MSI path holds the Synchronization Service package", _wrong_msi),
        Scenario("sp2-media", "The package is MIM 2016 SP2 (4.6.673.0), with its own ProductCode",
                 _media(packages.SP2)),
        Scenario("sp3-media", "The package is MIM 2016 SP3: Windows Server 2019 passes, "
                 "SharePoint 2019 does not for its portal", _media(packages.SP3)),
        Scenario("sp2-installed", "MIM 2016 SP2 is installed under another ProductCode",
                 _sp2_installed),
        # The install's outcome: the machine is healthy, msiexec ends as named
        # (install_script.SCENARIO_OUTCOMES).
        Scenario("reboot-required", "The install succeeds and asks for a restart (3010)",
                 _healthy),
        Scenario("install-fails", "The install fails deploying the portal's SharePoint "
                 "solution: a deployment job started after the pre-flight (1603)", _healthy),
        Scenario("sql-login-refused", "SQL Server refuses the install account's logon: the "
                 "pre-flight says so, an install anyway fails creating the database (1603)",
                 _sql_login_refused),
        # The runner and its log (install_script.installer_of reads the names).
        Scenario("runner-dies", "The install's scheduled task is stopped mid-install", _healthy),
        Scenario("execution-policy-allsigned",
                 "Group Policy sets the execution policy to AllSigned", _allsigned),
        Scenario("stale-log", "A failed earlier attempt's log is where the install logs",
                 _stale_log),
        Scenario("verbose-log", "The package hides no property: /l*v logs passwords in clear",
                 _hides_nothing),
        Scenario("localized-log", "German Windows: the log's engine lines are in German",
                 _healthy),
        Scenario("ansi-log", "A German log in the ANSI code page (1252), without a BOM",
                 _healthy),
        # Windows as hardened or as remote as it gets (hardened.py)
        Scenario("batch-logon-denied", "The install account is denied 'Log on as a batch job'",
                 hardened.batch_logon_denied),
        Scenario("no-profile", "Nobody is logged on: the install account's hive is not loaded",
                 hardened.no_profile),
        Scenario("remote-sql-ntlm", "SQL Server on another computer, WinRM logon over NTLM",
                 hardened.remote_sql_ntlm),
        Scenario("constrained-language", "PowerShell runs in Constrained Language Mode",
                 hardened.constrained_language),
        Scenario("sql-alias", "The SQL Server name is a client alias, not in DNS",
                 hardened.sql_alias),
    )
}


def names() -> list[str]:
    return list(SCENARIOS)


def scenario_named(name: str) -> Scenario:
    key = name.strip().lower().replace("_", "-")
    if key not in SCENARIOS:
        raise ValueError(f"unknown scenario '{name}'; the scenarios are: {', '.join(SCENARIOS)}")
    return SCENARIOS[key]


def build_state(name: str, root: Path, answers: object | None = None) -> MachineState:
    state = healthy_state(root, answers)
    scenario_named(name).apply(state)
    return state


def healthy_state(root: Path, answers: object | None = None) -> MachineState:
    s = MachineState(root=root)
    s.administrators.add(DEFAULT_ADMIN.lower())
    s.loaded_hives.add(DEFAULT_ADMIN.lower())  # logged on at the console
    for component in ("{A509B1A7-37EF-4b3f-8CFC-4F3A74704073}",  # IE ESC, administrators
                      "{A509B1A8-37EF-4b3f-8CFC-4F3A74704073}"):  # and users: on, as installed
        s.reg_set(f"HKLM:\\SOFTWARE\\Microsoft\\Active Setup\\Installed Components\\{component}",
                  "IsInstalled", 1)
    # Windows itself
    for name, display in (
        ("MpsSvc", "Windows Defender Firewall"),
        ("WinRM", "Windows Remote Management (WS-Management)"),
        ("msiserver", "Windows Installer"),
        ("W3SVC", "World Wide Web Publishing Service"),
        ("WAS", "Windows Process Activation Service"),
        ("SPAdminV4", "SharePoint Administration"),
        ("SPTimerV4", "SharePoint Timer Service"),
        ("FIMSynchronizationService", "Forefront Identity Manager Synchronization Service"),
    ):
        s.add_service(name, display)
    s.processes.append(SimProcessInfo(812, "msiexec.exe", "C:\\Windows\\system32\\msiexec.exe /V"))
    s.reg_set("HKLM:\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full", "Release", 528049)
    s.reg_set(
        "HKLM:\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full", "Version", "4.8.03761"
    )
    s.reg_set("HKLM:\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v3.5", "Install", 1)
    s.reg_set(
        "HKLM:\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v3.5", "Version", "3.5.30729.4926"
    )
    s.reg_set(SP, "Version", "16.0.10337.12109")
    s.reg_set(SP + "\\WSS", "SetupType", "CLEAN_INSTALL")
    s.listening.update(
        {80: "System", 135: "svchost", 445: "System", 5985: "System", 5986: "System"}
    )
    s.add_product(
        "{5A7CB0A3-7AA2-4F40-8899-02B83694085F}",
        "Microsoft Identity Manager Synchronization Service",
        MIM_VERSION,
    )

    # What the answers name (the seed walkthrough's values by default)
    msi_path = DEFAULT_MSI
    sql_server, db_existing, db_name = "corpsql", False, "FIMService"
    accounts = [
        "CONTOSO\\MIMService",
        "CONTOSO\\MIMMA",
        "CONTOSO\\MIMSSPR",
        "CONTOSO\\MIMSSPRService",
        "CONTOSO\\MIMSync",
        "CONTOSO\\SharePoint",
    ]
    hosts = ["corpdc.contoso.local", "corpsql", "corpsql.contoso.local"]
    sites = ["http://CorpIDM.contoso.local"]
    a = answers
    if a is not None:
        if getattr(a, "install", None):
            msi_path = a.install.msi_path
            s.install_log_path = a.install.log_path or s.install_log_path
        if getattr(a, "database", None):
            sql_server, db_existing, db_name = (
                a.database.server,
                a.database.existing,
                a.database.name,
            )
        if getattr(a, "service_account", None):
            accounts.append(f"{a.service_account.domain}\\{a.service_account.name}")
        if getattr(a, "synchronization", None):
            accounts.append(a.synchronization.ma_account)
            hosts.append(a.synchronization.server or "localhost")
        if getattr(a, "mail", None):
            hosts.append(a.mail.server)
        if getattr(a, "portal", None):
            hosts += [x for x in (a.portal.service_address,) if x]
            if a.portal.sharepoint_url:
                sites.append(a.portal.sharepoint_url)
        for key in ("registration_portal", "reset_portal"):
            sec = getattr(a, key, None)
            if sec is not None:
                accounts.append(sec.account)
                hosts += [sec.service_address, sec.host_name]
    s.put_msi(msi_path, MIM_MSI)
    for acc in accounts:
        if s.find_account(acc) is None:
            domain, _, name = (
                acc.partition("\\")
                if "\\" in acc
                else (acc.partition("@")[2].split(".")[0], "", acc.partition("@")[0])
            )
            s.add_account(domain, name)
    sa = getattr(a, "service_account", None) if a is not None else None
    if sa is not None and sa.managed:  # a gMSA this server may use, as the walkthrough sets it up
        gmsa = s.find_account(f"{sa.domain}\\{sa.name}")
        if gmsa is not None:
            gmsa.gmsa_readers.add(f"{s.netbios_domain}\\{s.computer_name}$".lower())
    for h in hosts:
        if h and not s.is_this_computer(h):
            s.dns[h.lower()] = f"10.0.0.{20 + len(s.dns)}"
    host, instance, port = win.split_server(win.strip_protocol(sql_server))
    if not s.is_this_computer(host):
        s.dns.setdefault(host.lower(), f"10.0.0.{20 + len(s.dns)}")
    inst = SqlInstance(host=host, instance=instance, port=port or (1435 if instance else 1433))
    inst.sysadmins.add(DEFAULT_ADMIN.lower())
    if db_existing:
        inst.databases.add(db_name)
    s.sql[(s.computer_name if s.is_this_computer(host) else host).lower()] = inst
    for url in sites:
        s.sites[normalise_url(url)] = 200
    s.sharepoint_farm_admins.add(DEFAULT_ADMIN.lower())
    return s

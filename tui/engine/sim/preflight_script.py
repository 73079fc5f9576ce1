"""The simulated target's emulation of `scripts/preflight.ps1`.

It reads the very `$Params` the real script receives (keys accessed with [] so a renamed parameter
fails loudly here too), looks at the MachineState instead of Windows, and answers with the same
check ids, statuses and kinds of message, in the same order, as one JSON line on stdout.
"""

from __future__ import annotations

import json
import re

from tui.engine.sim.machine import ScriptRun, script
from tui.engine.sim.state import MachineState, normalise_url
from tui.model.rules import split_account

SP_KEY = "HKLM:\\SOFTWARE\\Microsoft\\Shared Tools\\Web Server Extensions\\{}"
REBOOT_CBS = (
    "HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending"
)
REBOOT_WU = (
    "HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate"
    "\\Auto Update\\RebootRequired"
)
SESSION_MANAGER = "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Session Manager"
NDP4 = "HKLM:\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full"
NDP35 = "HKLM:\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v3.5"
SQL_IDS = (
    "sql-reachable",
    "sql-version",
    "sql-sysadmin",
    "sql-agent",
    "sql-fulltext",
    "sql-database",
)
SP_IDS = (
    "sharepoint",
    "sharepoint-admin-service",
    "sharepoint-timer-service",
    "sharepoint-site",
    "sharepoint-farm",
)


class Checks:
    def __init__(self) -> None:
        self.items: list[dict] = []

    def add(self, id: str, status: str, message: str, remedy: str = "") -> None:  # noqa: A002
        self.items.append({"id": id, "status": status, "message": message, "remedy": remedy})


def run_checks(state: MachineState, params: dict, user: str) -> list[dict]:
    """The checks preflight.ps1 would report on this machine, for these params, as `user`."""
    c = Checks()
    comps = params["components"]
    any_sspr = bool(comps["registration_portal"] or comps["reset_portal"])
    who = user

    # --- the computer ---
    if user.lower() in state.administrators:
        c.add(
            "elevated",
            "pass",
            f"{who} is an administrator of this computer, with an elevated token.",
        )
    else:
        c.add(
            "elevated",
            "fail",
            f"{who} is not an administrator of this computer (or its token is "
            "not elevated); the installer's DoCheckElevatedPrivileges would stop.",
            "Log on with an account in the local Administrators group.",
        )
    names = {
        14393: "Windows Server 2016",
        17763: "Windows Server 2019",
        20348: "Windows Server 2022",
    }
    b = state.os_build
    if state.product_type == 1:
        c.add(
            "os-version",
            "fail",
            f"{state.os_caption} is a client edition; MIM Service and Portal needs Windows Server.",
            "Install on Windows Server 2016, 2019 or 2022.",
        )
    elif b in names:
        c.add("os-version", "pass", f"{state.os_caption} (build {b}) is supported.")
    elif b < 9600:
        c.add(
            "os-version",
            "fail",
            f"{state.os_caption} (build {b}) is too old for MIM 2016.",
            "Install on Windows Server 2016, 2019 or 2022.",
        )
    else:
        c.add(
            "os-version",
            "warn",
            f"{state.os_caption} (build {b}) is not one of Windows Server 2016, 2019 or 2022.",
            "Check the MIM 2016 platform support list for this version.",
        )
    if state.joined:
        c.add(
            "domain-member",
            "pass",
            f"{state.computer_name} is a member of the domain {state.domain}.",
        )
    else:
        c.add(
            "domain-member",
            "fail",
            f"{state.computer_name} is not joined to a domain (workgroup "
            f"{state.workgroup}); MIM Service and Portal needs domain accounts.",
            "Join the server to the domain, restart it, and run the pre-flight again.",
        )
    domain_nets = [n for n, cat in state.network_profiles if cat == "DomainAuthenticated"]
    if domain_nets:
        c.add("network-profile", "pass", f"The network {domain_nets[0]} is a domain network.")
    else:
        seen = "; ".join(f"{n}: {cat}" for n, cat in state.network_profiles)
        c.add(
            "network-profile",
            "warn",
            f"No active network is a domain network ({seen}); the "
            "firewall rules the installer adds may not apply.",
            "Check the domain controller is reachable, then restart the Network Location "
            "Awareness service (NlaSvc).",
        )

    # --- the package ---
    path = params["msi_path"]
    table = None
    if not state.file_exists(path):
        c.add(
            "msi-file",
            "fail",
            f"The installer package {path} does not exist on the target.",
            "Copy the unpacked Service and Portal folder to the target, or correct "
            "install.msi_path.",
        )
    else:
        table = state.read_msi(path)
        if table is None:
            c.add(
                "msi-file",
                "fail",
                f"The file {path} cannot be opened as an installer package "
                "(OpenDatabase,DatabasePath,OpenMode: the system cannot open the device or file "
                "specified).",
                "Copy the package again from the MIM media; the file may be incomplete or blocked.",
            )
        else:
            c.add("msi-file", "pass", f"The installer package {path} opens.")
    if table is None:
        c.add("msi-product", "skip", "The package could not be read; see msi-file.")
    else:
        code, name = table.get("ProductCode", ""), table.get("ProductName", "")
        what = (
            f"{name} {table.get('ProductVersion', '')} (ProductCode {code}, UpgradeCode "
            f"{table.get('UpgradeCode', '')})"
        )
        other = {k["code"]: k["name"] for k in params["known_products"]}
        fix = (
            'Point install.msi_path at "Service and Portal.msi" from the Service and Portal '
            "folder of the MIM 2016 media."
        )
        if code == params["product_code"]:
            c.add("msi-product", "pass", f"The package is {what}.")
        elif code in other:
            c.add(
                "msi-product",
                "fail",
                f"The package is {other[code]}, not MIM 2016 Service and Portal: {what}.",
                fix,
            )
        elif re.search(r"Identity Manager.*Service and Portal", name):
            c.add(
                "msi-product",
                "warn",
                f"The package is {what}; its ProductCode is not the one of "
                "MIM 2016 Service and Portal.",
                "Check this is the release you mean to install.",
            )
        else:
            c.add(
                "msi-product",
                "fail",
                f"The package is {what}, not MIM 2016 Service and Portal.",
                fix,
            )

    procs = [
        p
        for p in state.processes
        if p.name.lower() == "msiexec.exe" and not re.search(r"/V\s*$", p.command_line)
    ]
    if state.msi_mutex_held:
        # Process IDs only: another install's command line may hold its passwords.
        detail = f"(msiexec PID {', '.join(str(p.pid) for p in procs)})" if procs else ""
        c.add(
            "install-running",
            "fail",
            "Another installation is in progress on the target (the "
            f"_MSIExecute mutex is held) {detail}; msiexec would stop with 1618.",
            "Wait for it to finish (or restart the server if it hangs), then run the pre-flight "
            "again.",
        )
    elif procs:
        c.add(
            "install-running",
            "warn",
            f"msiexec is running ({len(procs)} process(es)) although no "
            "installation holds the _MSIExecute mutex.",
            "Check nothing is being installed before starting.",
        )
    else:
        c.add("install-running", "pass", "No other installation is running.")

    reasons = []
    if state.reg_key(REBOOT_CBS) is not None:
        reasons.append("Component Based Servicing")
    if state.reg_key(REBOOT_WU) is not None:
        reasons.append("Windows Update")
    renames = state.reg_get(SESSION_MANAGER, "PendingFileRenameOperations") is not None
    if reasons:
        c.add(
            "pending-reboot",
            "fail",
            "The target is waiting for a restart ("
            f"{', '.join(reasons + (['pending file renames'] if renames else []))}).",
            "Restart the server, then run the pre-flight again.",
        )
    elif renames:
        c.add(
            "pending-reboot",
            "warn",
            "Files are waiting to be replaced at the next restart (PendingFileRenameOperations).",
            "Restart the server before installing if you can.",
        )
    else:
        c.add("pending-reboot", "pass", "No restart is pending.")

    drive = (params["install_dir"] or "C:")[:1].upper()
    free = state.free_mb.get(drive, 0)
    need, want = params["min_free_mb"], params["recommended_free_mb"]
    if free < need:
        c.add(
            "disk-space",
            "fail",
            f"Drive {drive}:\\ has {free} MB free; the install needs at least {need} MB.",
            f"Free space on {drive}:\\ or install elsewhere (install.install_dir).",
        )
    elif free < want:
        c.add(
            "disk-space",
            "warn",
            f"Drive {drive}:\\ has {free} MB free; {want} MB leaves room for logs and updates.",
            f"Free space on {drive}:\\.",
        )
    else:
        c.add("disk-space", "pass", f"Drive {drive}:\\ has {free} MB free.")

    codes = {params["product_code"], *params["legacy_product_codes"]}
    entry = next(
        (
            p
            for p in state.products.values()
            if p.code in codes or re.search(r"Identity Manager.*Service and Portal", p.name)
        ),
        None,
    )
    fim = state.service("FIMService")
    if entry:
        c.add(
            "mim-installed",
            "fail",
            f"{entry.name} {entry.version} is already installed on the target.",
            "To check the existing install, run the post-install checklist; to "
            "install again, uninstall it first (Programs and Features, or msiexec /x with its "
            "product code).",
        )
    elif fim:
        c.add(
            "mim-installed",
            "fail",
            f"The FIMService service exists ({fim.status}) although no MIM "
            "Service and Portal is registered as installed: a previous install was not removed "
            "cleanly.",
            "Remove the leftover service (sc.exe delete FIMService) after checking "
            "what it belongs to.",
        )
    else:
        c.add("mim-installed", "pass", "MIM Service and Portal is not installed yet.")

    release = int(state.reg_get(NDP4, "Release") or 0)
    if release >= params["min_dotnet_release"]:
        c.add(
            "dotnet",
            "pass",
            f".NET Framework {state.reg_get(NDP4, 'Version')} (release {release}) is installed.",
        )
    else:
        c.add(
            "dotnet",
            "fail",
            f".NET Framework 4.6 or later is not installed (release {release}); "
            "the installer's CheckDotNetVersion would stop.",
            "Install .NET Framework 4.6 or later (4.8 recommended).",
        )
    if state.reg_get(NDP35, "Install") == 1:
        c.add(
            "dotnet35",
            "pass",
            f".NET Framework 3.5 ({state.reg_get(NDP35, 'Version')}) is installed.",
        )
    else:
        c.add(
            "dotnet35",
            "fail",
            ".NET Framework 3.5 is not installed.",
            "Install-WindowsFeature NET-Framework-Core (give -Source with the sources\\sxs "
            "folder of the Windows media).",
        )

    # --- SQL Server ---
    _sql(c, state, params, user)

    # --- accounts and servers ---
    mail = params["mail"]
    if not comps["service"] or mail is None:
        c.add("mail-server", "skip", "The MIM Service is not selected.")
    elif state.is_this_computer(mail["server"]):
        c.add(
            "mail-server",
            "pass",
            f"The mail server is {mail['server']} (none: mail stays on this computer).",
        )
    elif state.resolve(mail["server"]):
        c.add(
            "mail-server",
            "pass",
            f"The mail server {mail['server']} resolves ({state.resolve(mail['server'])}).",
        )
    else:
        c.add(
            "mail-server",
            "warn",
            f"The mail server {mail['server']} does not resolve from the "
            "target; the MIM Service will not be able to send mail.",
            "Correct mail.server, or use localhost when there is no mail server.",
        )

    sa, syn = params["service_account"], params["synchronization"]
    svc_account = f"{sa['domain']}\\{sa['name']}" if comps["service"] and sa else None
    ma_account = syn["ma_account"] if comps["service"] and syn else None
    for cid, acc, what in (
        ("service-account", svc_account, "MIM Service account"),
        ("ma-account", ma_account, "MIM Management Agent account"),
    ):
        if not acc:
            c.add(cid, "skip", "The MIM Service is not selected.")
            continue
        found = state.find_account(acc)
        if found is None:
            c.add(
                cid,
                "fail",
                f"The {what} {acc} was not found in the domain.",
                "Create the account in Active Directory (or correct the name in the answer "
                "file); the installer's own check would stop the install.",
            )
        elif not found.enabled:
            c.add(
                cid,
                "fail",
                f"The {what} {acc} exists but is disabled.",
                "Enable the account in Active Directory.",
            )
        else:
            c.add(cid, "pass", f"The {what} {acc} exists in the domain ({found.sid}).")
    if not svc_account or not ma_account:
        c.add("accounts-differ", "skip", "The MIM Service is not selected.")
    else:
        a, b = state.find_account(svc_account), state.find_account(ma_account)
        same = [x.lower() for x in split_account(svc_account)] == [
            x.lower() for x in split_account(ma_account)
        ]
        same = same or (a is not None and b is not None and a.sid == b.sid)
        if same:
            c.add(
                "accounts-differ",
                "fail",
                "The MIM Service account and the Management Agent "
                f"account are the same ({svc_account}); the installer's ValidateSyncAccount would "
                "stop.",
                "Use a separate account for synchronization.ma_account.",
            )
        else:
            c.add(
                "accounts-differ",
                "pass",
                f"The MIM Service account ({svc_account}) and the "
                f"Management Agent account ({ma_account}) differ.",
            )
    if not any_sspr:
        c.add("sspr-accounts", "skip", "No password portal is selected.")
    else:
        missing = [
            f"{p['account']} ({p['title']})"
            for p in params["sspr"]
            if state.find_account(p["account"]) is None
        ]
        found_ = [
            f"{p['account']} ({p['title']})"
            for p in params["sspr"]
            if state.find_account(p["account"]) is not None
        ]
        if missing:
            c.add(
                "sspr-accounts",
                "fail",
                f"Application pool account(s) not found in the domain: {', '.join(missing)}.",
                "Create the accounts in Active Directory, or correct the answer file.",
            )
        else:
            c.add(
                "sspr-accounts", "pass", f"Application pool account(s) exist: {', '.join(found_)}."
            )

    if not comps["service"] or syn is None:
        c.add("sync-service", "skip", "The MIM Service is not selected.")
    elif state.is_this_computer(syn["server"]):
        sync = state.service("FIMSynchronizationService")
        if sync is None:
            c.add(
                "sync-service",
                "fail",
                "The MIM Synchronization Service is not installed on this "
                "computer, named as the synchronization server; the installer's "
                "CheckSynchronizationServiceExists would stop.",
                "Install the Synchronization Service first (the step before this one), or "
                "correct synchronization.server.",
            )
        elif sync.status != "Running":
            c.add(
                "sync-service",
                "warn",
                f"The MIM Synchronization Service is installed but {sync.status}.",
                "Start FIMSynchronizationService.",
            )
        else:
            c.add(
                "sync-service",
                "pass",
                "The MIM Synchronization Service is installed and running on this computer.",
            )
    elif state.resolve(syn["server"]):
        c.add(
            "sync-service",
            "pass",
            f"The synchronization server {syn['server']} resolves "
            f"({state.resolve(syn['server'])}); its service is checked there.",
        )
    else:
        c.add(
            "sync-service",
            "fail",
            f"The synchronization server {syn['server']} does not resolve from the target.",
            "Correct synchronization.server (the computer running the MIM "
            "Synchronization Service).",
        )

    addresses: list[str] = []
    portal = params["portal"]
    if comps["portal"] and portal and portal["service_address"]:
        addresses.append(portal["service_address"])
    addresses += [p["service_address"] for p in params["sspr"]]
    addresses = list(dict.fromkeys(addresses))
    if not addresses:
        c.add("service-address", "skip", "No portal is selected.")
    else:
        bad = [n for n in addresses if not state.resolve(n)]
        if bad:
            c.add(
                "service-address",
                "fail",
                f"The MIM Service address(es) {', '.join(bad)} do not "
                "resolve from the target; the installer's UIValidateFimServiceServerAddress "
                "would stop.",
                "Give the host name of the MIM Service server (this computer on a single server).",
            )
        else:
            c.add(
                "service-address",
                "pass",
                f"The MIM Service address(es) resolve: {', '.join(addresses)}.",
            )

    fw = state.service("MpsSvc")
    fw_state = fw.status if fw else ""
    if fw_state == "Running":
        c.add("firewall-service", "pass", "The Windows Firewall service is running.")
    elif params["firewall"]:
        c.add(
            "firewall-service",
            "fail",
            f"The Windows Firewall service is not running ({fw_state}) "
            "and the answer file asks to open ports; the installer's CheckFirewallServiceRunning "
            "would stop.",
            "Start the Windows Defender Firewall service (MpsSvc), or set the "
            "open_firewall options to false.",
        )
    else:
        c.add(
            "firewall-service",
            "warn",
            f"The Windows Firewall service is not running ({fw_state}).",
            "Start the Windows Defender Firewall service (MpsSvc).",
        )

    if not comps["service"]:
        c.add("service-ports", "skip", "The MIM Service is not selected.")
    else:
        used = [
            f"{p} (by {state.listening[p]})"
            for p in params["service_ports"]
            if p in state.listening
        ]
        if used:
            c.add(
                "service-ports",
                "fail",
                f"The MIM Service ports are in use: {', '.join(used)}.",
                "Stop what listens there; if it is an earlier MIM Service, see mim-installed.",
            )
        else:
            c.add(
                "service-ports",
                "pass",
                "The MIM Service ports "
                f"{' and '.join(str(p) for p in params['service_ports'])} are free.",
            )

    # --- SharePoint ---
    _sharepoint(c, state, params, user)

    # --- IIS and the password portals ---
    if not any_sspr:
        c.add("iis", "skip", "No password portal is selected.")
        c.add("sspr-ports", "skip", "No password portal is selected.")
    else:
        w3 = state.service("W3SVC")
        if w3 and w3.status == "Running":
            c.add("iis", "pass", "IIS (W3SVC) is running.")
        elif w3 is None:
            c.add(
                "iis",
                "fail",
                "IIS is not installed; the password portals are IIS sites.",
                "Install-WindowsFeature Web-Server -IncludeManagementTools",
            )
        else:
            c.add(
                "iis",
                "fail",
                f"IIS is installed but the World Wide Web Publishing Service is {w3.status}.",
                "Start-Service W3SVC and set it to start automatically.",
            )
        used = [
            f"{p['port']} for the {p['title']} (in use by {state.listening[p['port']]})"
            for p in params["sspr"]
            if p["port"] in state.listening
        ]
        free_ = [
            f"{p['port']} ({p['title']})"
            for p in params["sspr"]
            if p["port"] not in state.listening
        ]
        if used:
            c.add(
                "sspr-ports",
                "fail",
                f"Port(s) already in use: {', '.join(used)}.",
                "Choose another port in the answer file, or stop the site that uses it.",
            )
        else:
            c.add("sspr-ports", "pass", f"Port(s) free: {', '.join(free_)}.")
    return c.items


def _sql(c: Checks, state: MachineState, params: dict, user: str) -> None:
    db = params["database"]
    if not params["components"]["service"] or db is None:
        for cid in SQL_IDS:
            c.add(cid, "skip", "The MIM Service is not selected.")
        return
    server, name = db["server"], db["name"]
    rest, _, port_text = server.partition(",")
    host, _, instance = rest.partition("\\")
    if host in (".", "(local)"):
        host = "localhost"
    inst = state.find_sql(host)
    reachable = False
    addresses = state.resolve(host)
    if not addresses:
        c.add(
            "sql-reachable",
            "fail",
            f"The SQL Server host name {host} does not resolve from the target.",
            "Check database.server and the DNS settings of the target.",
        )
    else:
        port: int | None = int(port_text) if port_text.isdigit() else None
        how = ""
        ok = True
        if port is None and instance:
            if (
                inst is None
                or not inst.browser
                or not inst.reachable
                or ((inst.instance or "").lower() != instance.lower())
            ):
                c.add(
                    "sql-reachable",
                    "fail",
                    f"The SQL Server Browser on {host} did not answer "
                    f"for the instance {instance} (UDP 1434).",
                    f"Start the SQL Server Browser "
                    f"service on {host} and allow UDP 1434 through its firewall, or give the "
                    f"port: {host},PORT.",
                )
                ok = False
            else:
                port = inst.port
                how = f" (instance {instance}, from the SQL Server Browser)"
        if ok:
            port = port or 1433
            if inst is not None and inst.reachable and inst.port == port:
                reachable = True
                c.add(
                    "sql-reachable", "pass", f"SQL Server {server} answers on {host}:{port}{how}."
                )
            else:
                c.add(
                    "sql-reachable",
                    "fail",
                    f"SQL Server {server} does not answer on "
                    f"{host}:{port}{how} ({addresses}) from the target.",
                    "Check SQL Server is running and accepts TCP/IP connections, and that the "
                    f"firewall on {host} allows TCP {port} from the target.",
                )
    why = ""
    logged_on = False
    if not reachable:
        c.add("sql-version", "skip", "SQL Server is not reachable; see sql-reachable.")
    else:
        assert inst is not None
        local = state.is_this_computer(host)
        if not inst.logon_from_winrm and not local:
            why = "the WinRM logon cannot pass its credentials on to SQL Server (the double hop)"
            c.add(
                "sql-version",
                "warn",
                f"SQL Server {server} answers, but the pre-flight could not log on to it: {why}.",
                "Run the pre-flight with CredSSP (or Kerberos "
                "delegation) to let it check SQL Server, or check by hand that the install "
                "account is sysadmin there.",
            )
        else:
            logged_on = True
            version = tuple(int(x) for x in inst.version.split("."))
            vmin = tuple(int(x) for x in params["min_sql_version"].split("."))
            want = tuple(int(x) for x in params["recommended_sql_version"].split("."))
            if version < vmin:
                c.add(
                    "sql-version",
                    "fail",
                    f"SQL Server {server} is version {inst.version}; the "
                    f"installer needs {params['min_sql_version']} or later.",
                    "Upgrade SQL Server (2016 or later is supported by MIM 2016 SP2).",
                )
            elif version < want:
                c.add(
                    "sql-version",
                    "warn",
                    f"SQL Server {server} is version {inst.version}; MIM "
                    f"2016 SP2 supports {params['recommended_sql_version']} (SQL Server 2016) or "
                    "later.",
                    "Plan an upgrade of SQL Server.",
                )
            else:
                c.add("sql-version", "pass", f"SQL Server {server} is version {inst.version}.")
    skip_why = (
        f"Not checked: {why}; see sql-version."
        if why
        else "SQL Server could not be logged on to; see sql-version."
    )
    if not logged_on:
        for cid in SQL_IDS[2:]:
            c.add(cid, "skip", skip_why)
        return
    assert inst is not None
    if user.lower() in inst.sysadmins:
        c.add("sql-sysadmin", "pass", f"{user} is sysadmin on {server}.")
    else:
        c.add(
            "sql-sysadmin",
            "fail",
            f"{user} is not sysadmin on {server}; the installer's "
            "CheckIfRunningUserSysadmin would stop.",
            f"Add {user} to the sysadmin role on {server} for the install.",
        )
    if inst.agent_running:
        c.add("sql-agent", "pass", f"SQL Server Agent is running on {server}.")
    else:
        c.add(
            "sql-agent",
            "fail",
            f"SQL Server Agent is not running on {server} (state: Stopped); "
            "the MIM Service needs its jobs.",
            f"Start the SQL Server Agent service on {host} and set it to start automatically.",
        )
    if inst.fulltext:
        c.add("sql-fulltext", "pass", f"Full-Text Search is installed on {server}.")
    else:
        c.add(
            "sql-fulltext",
            "fail",
            f"Full-Text Search is not installed on {server}; the "
            "installer's CheckFullTextSearchInstalled would stop.",
            "Add the Full-Text and Semantic Extractions for Search feature with SQL Server setup.",
        )
    exists = name.lower() in {d.lower() for d in inst.databases}
    reuse = bool(db["existing"])
    if exists and not reuse:
        c.add(
            "sql-database",
            "fail",
            f"The database {name} already exists on {server}, and the "
            "answer file asks for a new one.",
            "Set database.existing = true to reuse it (a "
            "second MIM Service server), or remove the old database first.",
        )
    elif not exists and reuse:
        c.add(
            "sql-database",
            "fail",
            f"The database {name} does not exist on {server}, and the "
            "answer file asks to reuse it.",
            "Set database.existing = false to create it, or correct database.name.",
        )
    elif exists:
        c.add("sql-database", "pass", f"The database {name} exists on {server} and will be reused.")
    else:
        c.add(
            "sql-database",
            "pass",
            f"The database {name} does not exist yet on {server}; the installer will create it.",
        )


def _sharepoint(c: Checks, state: MachineState, params: dict, user: str) -> None:
    if not params["components"]["portal"]:
        for cid in SP_IDS:
            c.add(cid, "skip", "The MIM Portal is not selected.")
        return
    version = None
    for v in ("16.0", "15.0"):
        if state.reg_key(SP_KEY.format(v) + "\\WSS") is not None:
            version = state.reg_get(SP_KEY.format(v), "Version") or v
            break
    if version is None:
        c.add(
            "sharepoint",
            "fail",
            "SharePoint is not installed on the target; the MIM Portal is "
            "installed into a SharePoint site collection.",
            "Install SharePoint (2016 SP1 or "
            "later, or 2019), create the web application and the site collection, then run the "
            "pre-flight again.",
        )
        for cid in SP_IDS[1:]:
            c.add(cid, "skip", "SharePoint is not installed; see sharepoint.")
        return
    c.add("sharepoint", "pass", f"SharePoint {version} is installed.")
    for cid, name, title, action in (
        (
            "sharepoint-admin-service",
            "SPAdminV4",
            "SharePoint Administration",
            "CheckSharepointAdminServiceRunning",
        ),
        (
            "sharepoint-timer-service",
            "SPTimerV4",
            "SharePoint Timer",
            "CheckSharepointTimerServiceRunning",
        ),
    ):
        svc = state.service(name)
        status = svc.status if svc else ""
        if status == "Running":
            c.add(cid, "pass", f"The {title} service ({name}) is running.")
        else:
            c.add(
                cid,
                "fail",
                f"The {title} service ({name}) is not running ({status}); the "
                f"installer's {action} would stop.",
                f"Start-Service {name} and set it to start automatically.",
            )
    url = params["portal"]["sharepoint_url"]
    code = state.sites.get(normalise_url(url))
    if code is None:
        c.add(
            "sharepoint-site",
            "fail",
            f"The SharePoint site collection {url} does not answer from "
            "the target (Unable to connect to the remote server).",
            "Create the web application "
            "and the site collection (the walkthrough uses New-SPWebApplication and New-SPSite), "
            "and check the host name resolves.",
        )
    elif code == 404:
        c.add(
            "sharepoint-site",
            "fail",
            f"SharePoint answers at {url}, but there is no site "
            "collection there (HTTP 404); the installer's CheckSharepointWebApporSiteExisting "
            "would stop.",
            "Create the site collection at that URL with New-SPSite, or correct "
            "portal.sharepoint_url.",
        )
    elif code >= 500:
        c.add(
            "sharepoint-site",
            "fail",
            f"The SharePoint site collection {url} answers with HTTP {code}.",
            "Open the site on the target and fix SharePoint first.",
        )
    else:
        c.add(
            "sharepoint-site",
            "pass",
            f"The SharePoint site collection {url} answers (HTTP {code}).",
        )
    if user.lower() not in state.sharepoint_farm_admins:
        c.add(
            "sharepoint-farm",
            "warn",
            "The SharePoint farm could not be read from this logon "
            "(Cannot access the local farm. Verify that the local farm is properly configured, "
            "currently available, and that you have the appropriate permissions to access the "
            "database before trying again.); the installer checks that the install account is "
            "a farm administrator (CheckSharepointFarmAdministratorWithOpenPermission).",
            "Make the install account a SharePoint farm administrator with access to the "
            "configuration database; over WinRM, use CredSSP when SQL Server is on another "
            "computer.",
        )
        return
    existing = [
        s
        for s in state.sharepoint_solutions
        if re.search("fim|identitymanagement", s, re.IGNORECASE)
    ]
    if existing:
        c.add(
            "sharepoint-farm",
            "fail",
            f"A MIM portal solution is already in the farm: "
            f"{', '.join(existing)}; the installer's CheckFIMWebSiteorSolutionPackExisting would "
            "stop.",
            "Retract and remove the old solution packs (Uninstall-SPSolution, "
            "Remove-SPSolution) first.",
        )
    else:
        c.add(
            "sharepoint-farm",
            "pass",
            "The install account can administer the SharePoint farm "
            "(build 16.0.10337.12109) and no MIM portal solution is deployed yet.",
        )


@script("preflight")
def preflight(run: ScriptRun) -> int:
    checks = run_checks(run.state, run.params, run.user)
    doc = {"schema": 1, "computer": run.state.computer_name, "checks": checks}
    run.out.stdout(json.dumps(doc, separators=(",", ":")) + "\r\n")
    return 0

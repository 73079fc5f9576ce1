"""The emulated pre-flight's checks of the computer and the package (preflight.ps1's first part)."""

from __future__ import annotations

import re

from tui.engine.sim import winbehaviour as win
from tui.engine.sim.preflight_checks import Checks
from tui.engine.sim.state import MachineState

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
SERVER_BUILDS = (14393, 17763, 20348)  # Windows Server 2016, 2019, 2022
# What OpenDatabase says about a file that is not a package (COM's message).
NOT_A_PACKAGE = (
    "OpenDatabase,DatabasePath,OpenMode: the system cannot open the device or file specified"
)


def computer(c: Checks, state: MachineState, params: dict, user: str) -> None:
    c.add("elevated", "admin" if user.lower() in state.administrators else "not-admin", user=user)
    os_ = {"caption": state.os_caption, "build": state.os_build}
    if state.product_type == 1:
        c.add("os-version", "client", **os_)
    elif state.os_build in SERVER_BUILDS:
        c.add("os-version", "supported", **os_)
    elif state.os_build < 9600:
        c.add("os-version", "too-old", **os_)
    else:
        c.add("os-version", "other", **os_)
    if state.joined:
        c.add("domain-member", "member", computer=state.computer_name, domain=state.domain)
    else:
        c.add("domain-member", "workgroup", computer=state.computer_name,
              workgroup=state.workgroup)
    domain_nets = [n for n, cat in state.network_profiles if cat == "DomainAuthenticated"]
    if domain_nets:
        c.add("network-profile", "domain", network=domain_nets[0])
    else:
        seen = "; ".join(f"{n}: {cat}" for n, cat in state.network_profiles)
        c.add("network-profile", "not-domain", seen=seen)
    reason, by = win.batch_logon(state, user)
    if reason == "not-granted":
        c.add("batch-logon", reason, user=user, holders=by)
    else:
        c.add("batch-logon", reason, user=user, by=by)
    c.add("stored-credentials", "allowed" if win.stores_credentials(state) else "disabled")


def package(c: Checks, state: MachineState, params: dict) -> None:
    path = params["msi_path"]
    table = None
    if not state.file_exists(path):
        c.add("msi-file", "missing", path=path)
    else:
        table = state.read_msi(path)
        if table is None:
            c.add("msi-file", "unreadable", path=path, why=NOT_A_PACKAGE)
        else:
            c.add("msi-file", "opens", path=path)
    release = None
    if table is None:
        c.add("msi-product", "unread")
    else:
        release = _product(c, table, params)
    _install_running(c, state)
    _pending_reboot(c, state)
    _disk_space(c, state, params)
    installed = _installed(c, state, params, table or {})
    release_checks(c, state, params, release, installed)
    release = int(state.reg_get(NDP4, "Release") or 0)
    if release >= params["min_dotnet_release"]:
        c.add("dotnet", "ok", version=state.reg_get(NDP4, "Version"), release=release)
    else:
        c.add("dotnet", "missing", release=release)
    if state.reg_get(NDP35, "Install") == 1:
        c.add("dotnet35", "ok", version=state.reg_get(NDP35, "Version"))
    else:
        c.add("dotnet35", "missing")


def _product(c: Checks, table: dict[str, str], params: dict) -> dict | None:
    """As preflight.ps1: the product by its name or UpgradeCode, its release by the major.minor
    of its ProductVersion in the table the caller passed. Returns the release."""
    code, name = table.get("ProductCode", ""), table.get("ProductName", "")
    version = table.get("ProductVersion", "")
    v = {"name": name, "version": version, "code": code,
         "upgrade_code": table.get("UpgradeCode", "")}
    other = {k["code"]: k["name"] for k in params["known_products"]}
    if code in other:
        c.add("msi-product", "known-other", other=other[code], **v)
        return None
    if not (re.search(r"Identity Manager.*Service and Portal", name, re.IGNORECASE)
            or v["upgrade_code"] in params.get("upgrade_codes", [])):
        c.add("msi-product", "not-mim", **v)
        return None
    key = ".".join(version.split(".")[:2])
    found = [r for r in params["releases"] if key in r["versions"]]
    if not found:
        c.add("msi-product", "unknown-release", **v)
        return None
    c.add("msi-product", "mim", release=found[-1]["title"], **v)
    return found[-1]


def _install_running(c: Checks, state: MachineState) -> None:
    # The Windows Installer service itself is `msiexec /V`; any other msiexec is an install.
    procs = [p for p in state.processes
             if p.name.lower() == "msiexec.exe" and not re.search(r"/V\s*$", p.command_line)]
    if state.msi_mutex_held:
        c.add("install-running", "busy", pids=", ".join(str(p.pid) for p in procs))
    elif procs:
        c.add("install-running", "msiexec-idle", count=len(procs))
    else:
        c.add("install-running", "none")


def _pending_reboot(c: Checks, state: MachineState) -> None:
    reasons = []
    if state.reg_key(REBOOT_CBS) is not None:
        reasons.append("Component Based Servicing")
    if state.reg_key(REBOOT_WU) is not None:
        reasons.append("Windows Update")
    renames = state.reg_get(SESSION_MANAGER, "PendingFileRenameOperations") is not None
    if reasons:
        c.add("pending-reboot", "pending",
              reasons=", ".join(reasons + (["pending file renames"] if renames else [])))
    elif renames:
        c.add("pending-reboot", "renames")
    else:
        c.add("pending-reboot", "none")


def _disk_space(c: Checks, state: MachineState, params: dict) -> None:
    letter = (params["install_dir"] or "C:")[:1].upper()
    free = state.free_mb.get(letter, 0)
    v = {"drive": f"{letter}:\\", "free": free, "need": params["min_free_mb"],
         "want": params["recommended_free_mb"]}
    if free < v["need"]:
        c.add("disk-space", "low", **v)
    elif free < v["want"]:
        c.add("disk-space", "tight", **v)
    else:
        c.add("disk-space", "enough", **v)


def _installed(c: Checks, state: MachineState, params: dict, table: dict) -> str | None:
    """By the Uninstall entry's name, or as a product related by the package's UpgradeCode
    (Installer.RelatedProducts). Returns the installed version."""
    codes = set(params["legacy_product_codes"])
    upgrade = table.get("UpgradeCode", "").upper()
    if upgrade:
        codes |= {p.code for p in state.products.values() if p.upgrade_code == upgrade}
    entry = next((p for p in state.products.values() if p.code in codes
                  or re.search(r"Identity Manager.*Service and Portal", p.name)), None)
    fim = state.service("FIMService")
    if entry:
        c.add("mim-installed", "installed", name=entry.name, version=entry.version)
        return entry.version
    if fim:
        c.add("mim-installed", "leftover-service", state=fim.status)
    else:
        c.add("mim-installed", "none")
    return None


def _version(text: str) -> tuple[int, ...]:
    """[version] in PowerShell: two to four numbers."""
    return tuple(int(p) for p in text.split("."))


def release_checks(c: Checks, state: MachineState, params: dict, release: dict | None,
                   installed: str | None) -> None:
    """What the package's release requires, from the table in the parameters."""
    if release is None:
        c.add("release-features", "unread")
        c.add("release-windows", "unread")
        c.add("release-sharepoint",
              "portal-not-selected" if not params["components"]["portal"] else "unread")
        c.add("release-upgrade", "unread")
        return
    title = release["title"]
    wants = params["wants"]
    if wants["gmsa"] and not release.get("gmsa"):
        c.add("release-features", "gmsa", release=title, since=params["since"]["gmsa"])
    elif wants["exchange_online"] and not release.get("exchange_online"):
        c.add("release-features", "exchange-online", release=title,
              since=params["since"]["exchange_online"])
    else:
        c.add("release-features", "ok", release=title)
    servers = release.get("windows_server")
    if not servers:
        c.add("release-windows", "any", release=title)
    else:
        v = {"release": title, "caption": state.os_caption, "build": state.os_build,
             "supported": " or ".join(f"Windows Server {n}" for n in servers)}
        c.add("release-windows", "ok" if state.os_build in servers.values() else "unsupported",
              **v)
    _release_sharepoint(c, state, params, release)
    needs = release.get("upgrade_from")
    if not needs:
        c.add("release-upgrade", "any", release=title)
    elif installed is None:
        c.add("release-upgrade", "fresh", release=title)
    elif _version(installed) >= _version(needs):
        c.add("release-upgrade", "ok", release=title, installed=installed)
    else:
        c.add("release-upgrade", "too-old", release=title, installed=installed, needs=needs)


def _release_sharepoint(c: Checks, state: MachineState, params: dict, release: dict) -> None:
    sharepoint = release.get("portal_sharepoint")
    if not params["components"]["portal"]:
        c.add("release-sharepoint", "portal-not-selected")
        return
    if not sharepoint:
        c.add("release-sharepoint", "any", release=release["title"])
        return
    version = None
    for v in ("16.0", "15.0"):  # where SharePoint's setup registers itself
        key = f"HKLM:\\SOFTWARE\\Microsoft\\Shared Tools\\Web Server Extensions\\{v}"
        if state.reg_key(key + "\\WSS") is not None:
            version = str(state.reg_get(key, "Version") or v)
            break
    if version is None:
        c.add("release-sharepoint", "no-sharepoint")
        return
    ok = _version(version) >= _version(sharepoint["first_build"])
    c.add("release-sharepoint", "ok" if ok else "unsupported", release=release["title"],
          needs=sharepoint["title"], version=version)

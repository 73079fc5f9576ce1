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
    if table is None:
        c.add("msi-product", "unread")
    else:
        _product(c, table, params)
    _install_running(c, state)
    _pending_reboot(c, state)
    _disk_space(c, state, params)
    _installed(c, state, params)
    release = int(state.reg_get(NDP4, "Release") or 0)
    if release >= params["min_dotnet_release"]:
        c.add("dotnet", "ok", version=state.reg_get(NDP4, "Version"), release=release)
    else:
        c.add("dotnet", "missing", release=release)
    if state.reg_get(NDP35, "Install") == 1:
        c.add("dotnet35", "ok", version=state.reg_get(NDP35, "Version"))
    else:
        c.add("dotnet35", "missing")


def _product(c: Checks, table: dict[str, str], params: dict) -> None:
    code, name = table.get("ProductCode", ""), table.get("ProductName", "")
    v = {"name": name, "version": table.get("ProductVersion", ""), "code": code,
         "upgrade_code": table.get("UpgradeCode", "")}
    other = {k["code"]: k["name"] for k in params["known_products"]}
    if code == params["product_code"]:
        c.add("msi-product", "mim", **v)
    elif code in other:
        c.add("msi-product", "known-other", other=other[code], **v)
    elif re.search(r"Identity Manager.*Service and Portal", name, re.IGNORECASE):
        c.add("msi-product", "other-release", **v)
    else:
        c.add("msi-product", "not-mim", **v)


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


def _installed(c: Checks, state: MachineState, params: dict) -> None:
    codes = {params["product_code"], *params["legacy_product_codes"]}
    entry = next((p for p in state.products.values() if p.code in codes
                  or re.search(r"Identity Manager.*Service and Portal", p.name)), None)
    fim = state.service("FIMService")
    if entry:
        c.add("mim-installed", "installed", name=entry.name, version=entry.version)
    elif fim:
        c.add("mim-installed", "leftover-service", state=fim.status)
    else:
        c.add("mim-installed", "none")

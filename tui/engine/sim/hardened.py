"""Scenarios of a server as hardened or as remote as Windows lets it be, where a naive script
sees nothing or the wrong thing (windows-behaviour.md). scenarios.py lists them."""

from __future__ import annotations

from tui.engine.sim import winbehaviour as win
from tui.engine.sim.state import MachineState

DOMAIN_ADMINS = "contoso\\domain admins"


def batch_logon_denied(state: MachineState) -> None:
    """A tiered-admin policy: Domain Admins (the install account's group) are denied "Log on as
    a batch job" on member servers, so no task can run with their stored password."""
    for admin in state.administrators:
        state.groups.setdefault(DOMAIN_ADMINS, set()).add(admin)
    state.user_rights.setdefault("SeDenyBatchLogonRight", set()).add(DOMAIN_ADMINS)


def remote_sql_ntlm(state: MachineState) -> None:
    """SQL Server on another computer, reached from an NTLM WinRM logon without delegation: the
    WinRM logon shows up there as ANONYMOUS LOGON. (The healthy machine is already like this;
    the scenario says so by name and makes sure of it.)"""
    state.winrm_delegates = False
    for inst in state.sql.values():
        if state.is_this_computer(inst.host):
            inst.host = "corpsql"
            state.dns.setdefault("corpsql", "10.0.0.21")
    state.sql = {inst.host.lower(): inst for inst in state.sql.values()}


def no_profile(state: MachineState) -> None:
    """Nobody is logged on: the install account's hive is not loaded anywhere, and the WinRM
    shell (no profile) sees HKEY_USERS\\.DEFAULT as HKCU."""
    state.loaded_hives.clear()


def constrained_language(state: MachineState) -> None:
    """WDAC or AppLocker puts PowerShell in Constrained Language Mode."""
    state.language_mode = "ConstrainedLanguage"


def sql_alias(state: MachineState) -> None:
    """The answer file's SQL Server name is a client alias (cliconfg), not a DNS name: the alias
    (64-bit key) points at the real host and port."""
    for inst in list(state.sql.values()):
        if state.is_this_computer(inst.host):
            continue
        alias, real = inst.host, f"{inst.host}-node1.{state.domain}"
        address = state.dns.pop(alias.lower(), "10.0.0.41")
        state.dns[real.lower()] = address
        state.reg_set(win.CONNECT_TO[0], alias, f"DBMSSOCN,{real},{inst.port}")
        inst.host = real
        inst.instance = None
        state.sql.pop(alias.lower(), None)
        state.sql[real.lower()] = inst

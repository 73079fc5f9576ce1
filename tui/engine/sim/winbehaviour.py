"""How Windows behaves where a naive script goes wrong, played on the simulated machine's state.

Each function follows ../shared/reference/windows-behaviour.md (its section is named) and is
written here, from the documentation, not borrowed from mimsetup's client code: the simulated
target must be able to disagree with the client.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from tui.engine.sim.state import MachineState, SqlInstance, normalise_url

# "SQL Server client": aliases live in the client's ConnectTo keys, 64-bit and 32-bit.
CONNECT_TO = (
    "HKLM:\\SOFTWARE\\Microsoft\\MSSQLServer\\Client\\ConnectTo",
    "HKLM:\\SOFTWARE\\WOW6432Node\\Microsoft\\MSSQLServer\\Client\\ConnectTo",
)
LOCAL_ADDRESS = "10.0.0.10"  # what this computer's own names resolve to (MachineState.resolve)


def strip_protocol(server: str) -> str:
    """A data source may carry a protocol prefix, `tcp:` or `np:`; the name follows it."""
    head, sep, rest = server.partition(":")
    if sep and head.strip().lower() in ("tcp", "np", "lpc", "admin"):
        return rest.strip()
    return server.strip()


def split_server(server: str) -> tuple[str, str | None, int | None]:
    """host, instance, port of `host[\\instance][,port]`; `.` and `(local)` are this computer."""
    rest, _, port_text = server.partition(",")
    host, _, instance = rest.partition("\\")
    host = host.strip()
    if host in (".", "(local)"):
        host = "localhost"
    port = int(port_text) if port_text.strip().isdigit() else None
    return host, instance or None, port


def sql_alias(state: MachineState, server: str) -> str | None:
    """The alias's target for a client alias `server` (64-bit key first), as the data source it
    stands for: `DBMSSOCN,host,port` (TCP) gives `host,port`; `DBNMPNTW,\\\\host\\pipe\\...`
    gives `host`."""
    name = strip_protocol(server)
    for key in CONNECT_TO:
        for alias, value in (state.reg_key(key) or {}).items():
            if alias.lower() != name.lower():
                continue
            library, _, target = str(value).partition(",")
            if library.upper() == "DBNMPNTW":
                return target.lstrip("\\").split("\\")[0]
            return target
    return None


def sql_logon_user(state: MachineState, host: str, user: str, *, password_logon: bool) -> str:
    """Who SQL Server on `host` sees when `user` connects with Integrated Security.

    "NTLM logons (and Kerberos without delegation) cannot pass credentials to a second machine":
    from the WinRM network logon, a SQL Server on another computer sees ANONYMOUS LOGON. A logon
    that has the password (a scheduled task with stored credentials, CredSSP) can.
    """
    if state.is_this_computer(host) or password_logon or state.winrm_delegates:
        return user
    return "NT AUTHORITY\\ANONYMOUS LOGON"


def sql_instance(state: MachineState, host: str) -> SqlInstance | None:
    return state.find_sql(host)


def http_status(state: MachineState, url: str) -> int | None:
    """The status a request with default credentials gets, or None when nothing answers.

    "Requests to the local machine by a host name other than its own get 401 (loopback check)".
    """
    code = state.sites.get(normalise_url(url))
    if code is None:
        code = state.sites.get(url.strip().lower())  # kept as written, trailing slash and all
    if code is None:
        return None
    host = (urlsplit(url).hostname or "").lower()
    local_alias = state.resolve(host) == LOCAL_ADDRESS and not state.is_this_computer(host)
    if local_alias and code < 400 and not state.loopback_check_disabled:
        return 401
    return code


# --- Task Scheduler ("Task Scheduler and process auditing") -------------------------------------

LSA = "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Lsa"
# Without "Log on as a batch job" RegisterTaskDefinition SUCCEEDS with SCHED_S_BATCH_LOGON_PROBLEM
# (0x0004131C, "the task is registered, but may fail to start; batch logon privilege needs to be
# enabled for the task principal"): a success code, which a COM caller through IDispatch (as
# PowerShell is) never sees. The task then fails to start: its last result is
# ERROR_LOGON_TYPE_NOT_GRANTED as an HRESULT.
LOGON_TYPE_NOT_GRANTED = 0x80070569
# What RegisterTaskDefinition says (its HRESULT's message) when the password cannot be stored.
NO_STORAGE = ("A specified logon session does not exist. It may already have been terminated. "
              "(Exception from HRESULT: 0x80070520)")


def token_groups(state: MachineState, user: str) -> set[str]:
    """The lower-case names a batch logon of `user` carries: the user, its groups (one level of
    nesting), Administrators for an administrator, and the well-known ones every such logon has."""
    u = user.lower()
    names = {u, "everyone", "nt authority\\authenticated users", "nt authority\\batch"}
    names |= {g for g, members in state.groups.items() if u in members}
    names |= {g for g, members in state.groups.items() if members & names}
    if u in state.administrators:
        names.add("builtin\\administrators")
    return names


def batch_logon(state: MachineState, user: str) -> tuple[str, str]:
    """('denied' | 'granted' | 'not-granted', the holders that decide it): a deny outranks."""
    mine = token_groups(state, user)
    denied = sorted(state.user_rights.get("SeDenyBatchLogonRight", set()) & mine)
    if denied:
        return "denied", ", ".join(denied)
    holders = state.user_rights.get("SeBatchLogonRight", set())
    granted = sorted(holders & mine)
    if granted:
        return "granted", ", ".join(granted)
    return "not-granted", ", ".join(sorted(holders))


def stores_credentials(state: MachineState) -> bool:
    return state.reg_get(LSA, "DisableDomainCreds") != 1


def registration_error(state: MachineState) -> str | None:
    """Why RegisterTaskDefinition with a stored password fails (DisableDomainCreds), or None."""
    return None if stores_credentials(state) else NO_STORAGE


def task_start_result(state: MachineState, user: str) -> int | None:
    """The last result of a registered password task of `user` that cannot start, or None when
    it starts: without the batch logon right the start fails (see LOGON_TYPE_NOT_GRANTED)."""
    return None if batch_logon(state, user)[0] == "granted" else LOGON_TYPE_NOT_GRANTED


NO_DIRECTORY = "the directory did not give its msDS-GroupMSAMembership to this logon"


def directory_answers(state: MachineState, *, password_logon: bool) -> bool:
    """An LDAP search from this logon: the domain controller is another computer, so the WinRM
    logon (no delegation) gets nothing back, a logon with the password does."""
    return password_logon or state.winrm_delegates


def user_sid(state: MachineState, user: str) -> str:
    """The SID of a domain account, as HKEY_USERS names its hive."""
    found = state.find_account(user)
    return found.sid if found else "S-1-5-21-1004336348-1177238915-682003330-500"


def language_refusal(state: MachineState) -> str | None:
    """What bootstrap.ps1 prints before anything else when PowerShell is not in FullLanguage
    mode ("Constrained Language Mode (WDAC/AppLocker): COM objects, most .NET static calls and
    Add-Type fail"); None in FullLanguage."""
    if state.language_mode == "FullLanguage":
        return None
    return json.dumps({"refused": {"id": "language-mode", "reason": "not-full",
                                   "values": {"mode": state.language_mode}}})


# --- Windows Firewall ([MS-GPFAS] 2.2.3.13, [MS-FASP] 3.1.1) -----------------------------------

FIREWALL_POLICY = "HKLM:\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\"
PROFILE_KEYS = {"DomainAuthenticated": "DomainProfile", "Private": "PrivateProfile",
                "Public": "PublicProfile"}


def local_firewall_rules_apply(state: MachineState) -> bool:
    """Whether the local store's rules are in force (in the ActiveStore): Group Policy's
    AllowLocalPolicyMerge = 0 on the profile of an active network keeps them out."""
    for _, category in state.network_profiles:
        key = FIREWALL_POLICY + PROFILE_KEYS.get(category, "PublicProfile")
        if state.reg_get(key, "AllowLocalPolicyMerge") == 0:
            return False
    return True

"""How Windows behaves where a naive script goes wrong, played on the simulated machine's state.

Each function follows ../shared/reference/windows-behaviour.md (its section is named) and is
written here, from the documentation, not borrowed from mimsetup's client code: the simulated
target must be able to disagree with the client.
"""

from __future__ import annotations

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

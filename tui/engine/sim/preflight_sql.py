"""The emulated pre-flight's SQL Server checks (CheckSQLConnectionAndVersion and what follows)."""

from __future__ import annotations

from tui.engine.sim import winbehaviour as win
from tui.engine.sim.preflight_checks import Checks
from tui.engine.sim.state import MachineState, SqlInstance

SQL_IDS = ("sql-reachable", "sql-version", "sql-sysadmin", "sql-agent", "sql-fulltext",
           "sql-database")
ANONYMOUS = "NT AUTHORITY\\ANONYMOUS LOGON"


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split("."))


def sql(c: Checks, state: MachineState, params: dict, user: str, *,
        password_logon: bool) -> None:
    db = params["database"]
    if not params["components"]["service"] or db is None:
        c.skip_all(SQL_IDS, "service-not-selected")
        return
    server = db["server"]
    name = win.strip_protocol(server)
    target = win.sql_alias(state, name)  # a client alias comes before DNS
    host, instance, port = win.split_server(target or name)
    inst = _reachable(c, state, server, host, instance, port, name if target else "")
    if inst is None:
        c.skip_all(SQL_IDS[1:], "sql-unreachable")
        return
    login = win.sql_logon_user(state, host, user, password_logon=password_logon)
    if login == ANONYMOUS:
        c.add("sql-version", "double-hop", server=server)
        c.skip_all(SQL_IDS[2:], "sql-no-logon")
        return
    if login.lower() in inst.refused:
        c.add("sql-version", "logon-failed", server=server, user=user,
              why=f"Login failed for user '{login}'.")
        c.skip_all(SQL_IDS[2:], "sql-no-logon")
        return
    _logged_on(c, inst, server, host, login, db, params)


def _reachable(c: Checks, state: MachineState, server: str, host: str, instance: str | None,
               port: int | None, alias: str) -> SqlInstance | None:
    addresses = state.resolve(host)
    if not addresses:
        c.add("sql-reachable", "no-dns", host=host)
        return None
    inst = win.sql_instance(state, host)
    reason = "answers"
    if port is None and instance:
        if (inst is None or not inst.browser or not inst.reachable
                or (inst.instance or "").lower() != instance.lower()):
            c.add("sql-reachable", "no-browser", host=host, instance=instance)
            return None
        port, reason = inst.port, "answers-browser"
    port = port or 1433
    v = {"server": server, "host": host, "port": port, "instance": instance or "",
         "addresses": addresses, "alias": alias}
    if inst is not None and inst.reachable and inst.port == port:
        c.add("sql-reachable", "answers-alias" if alias else reason, **v)
        return inst
    c.add("sql-reachable", "no-answer", **v)
    return None


def _logged_on(c: Checks, inst: SqlInstance, server: str, host: str, login: str, db: dict,
               params: dict) -> None:
    v = {"server": server, "version": inst.version, "min": params["min_sql_version"],
         "recommended": params["recommended_sql_version"]}
    if _version(inst.version) < _version(params["min_sql_version"]):
        c.add("sql-version", "too-old", **v)
    elif _version(inst.version) < _version(params["recommended_sql_version"]):
        c.add("sql-version", "old", **v)
    else:
        c.add("sql-version", "ok", **v)
    c.add("sql-sysadmin", "sysadmin" if login.lower() in inst.sysadmins else "not-sysadmin",
          login=login, server=server)
    if inst.agent_running:
        c.add("sql-agent", "running", server=server)
    else:
        c.add("sql-agent", "not-running", server=server, host=host, state="Stopped")
    c.add("sql-fulltext", "installed" if inst.fulltext else "missing", server=server)
    exists = db["name"].lower() in {d.lower() for d in inst.databases}
    reuse = bool(db["existing"])
    v = {"name": db["name"], "server": server}
    if exists and not reuse:
        c.add("sql-database", "exists-new", **v)
    elif not exists and reuse:
        c.add("sql-database", "missing-reuse", **v)
    else:
        c.add("sql-database", "reuse" if exists else "create", **v)

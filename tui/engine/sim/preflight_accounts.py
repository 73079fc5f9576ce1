"""The emulated pre-flight's checks of accounts and servers (mail, directory, sync, ports)."""

from __future__ import annotations

from tui.engine.sim import winbehaviour as win
from tui.engine.sim.preflight_checks import Checks
from tui.engine.sim.state import MachineState


def _parts(account: str) -> tuple[str, str]:
    """(domain, name) of DOMAIN\\name or name@dns.domain (the NetBIOS part of the DNS name),
    lower-cased: Windows compares account names without case."""
    if "\\" in account:
        domain, _, name = account.partition("\\")
    else:
        name, _, dns = account.partition("@")
        domain = dns.split(".")[0]
    return domain.strip().lower(), name.strip().lower()


def accounts(c: Checks, state: MachineState, params: dict, *, password_logon: bool) -> None:
    comps = params["components"]
    mail = params["mail"]
    if not comps["service"] or mail is None:
        c.add("mail-server", "service-not-selected")
    elif state.is_this_computer(mail["server"]):
        c.add("mail-server", "local", server=mail["server"])
    elif state.resolve(mail["server"]):
        c.add("mail-server", "resolves", server=mail["server"],
              addresses=state.resolve(mail["server"]))
    else:
        c.add("mail-server", "no-dns", server=mail["server"])

    sa, syn = params["service_account"], params["synchronization"]
    svc = f"{sa['domain']}\\{sa['name']}" if comps["service"] and sa else None
    ma = syn["ma_account"] if comps["service"] and syn else None
    for cid, acc in (("service-account", svc), ("ma-account", ma)):
        if not acc:
            c.add(cid, "service-not-selected")
            continue
        found = state.find_account(acc)
        if found is None:
            c.add(cid, "not-found", account=acc)
        elif not win.directory_answers(state, password_logon=password_logon):
            c.add(cid, "exists-unread", account=acc, sid=found.sid)
        elif not found.enabled:
            c.add(cid, "disabled", account=acc)
        else:
            c.add(cid, "exists", account=acc, sid=found.sid)
    if not svc or not ma:
        c.add("accounts-differ", "service-not-selected")
    else:
        a, b = state.find_account(svc), state.find_account(ma)
        same = _parts(svc) == _parts(ma) or (a is not None and b is not None and a.sid == b.sid)
        if same:
            c.add("accounts-differ", "same", account=svc)
        else:
            c.add("accounts-differ", "differ", service=svc, ma=ma)
    _gmsa(c, state, params, svc, password_logon)
    _sspr_accounts(c, state, params)
    _servers(c, state, params)


# What the directory answers when it keeps a computer's tokenGroups from this logon: nothing.
GROUPS_NOT_GIVEN = "the directory gave no tokenGroups for this computer's account to this logon"


def _gmsa(c: Checks, state: MachineState, params: dict, svc: str | None,
          password_logon: bool) -> None:
    """Whether this computer may retrieve the gMSA's password: it, or a group it is in, among
    the account's PrincipalsAllowedToRetrieveManagedPassword (read from the directory)."""
    if not svc:
        c.add("gmsa-password", "service-not-selected")
        return
    if not params["service_account"]["managed"]:
        c.add("gmsa-password", "not-managed")
        return
    name = params["service_account"]["name"].rstrip("$")
    v = {"account": svc, "name": name, "computer": state.computer_name}
    found = state.find_account(svc)
    if found is None or not win.directory_answers(state, password_logon=password_logon):
        c.add("gmsa-password", "unread", why=win.NO_DIRECTORY, **v)
        return
    if not state.token_groups_readable:
        c.add("gmsa-password", "unread", why=GROUPS_NOT_GIVEN, **v)
        return
    me = f"{state.netbios_domain}\\{state.computer_name}$".lower()
    mine = {me} | {g for g, members in state.groups.items() if me in members}
    if found.gmsa_readers & mine:
        c.add("gmsa-password", "allowed", **v)
    else:
        c.add("gmsa-password", "not-allowed", holders=", ".join(sorted(found.gmsa_readers)), **v)


def _sspr_accounts(c: Checks, state: MachineState, params: dict) -> None:
    comps = params["components"]
    if not (comps["registration_portal"] or comps["reset_portal"]):
        c.add("sspr-accounts", "no-sspr")
        return
    named = [(p, f"{p['account']} ({p['title']})") for p in params["sspr"]]
    missing = [text for p, text in named if state.find_account(p["account"]) is None]
    found = [text for p, text in named if state.find_account(p["account"]) is not None]
    if missing:
        c.add("sspr-accounts", "missing", missing=", ".join(missing))
    else:
        c.add("sspr-accounts", "exist", found=", ".join(found))


def _servers(c: Checks, state: MachineState, params: dict) -> None:
    comps, syn = params["components"], params["synchronization"]
    if not comps["service"] or syn is None:
        c.add("sync-service", "service-not-selected")
    elif state.is_this_computer(syn["server"]):
        sync = state.service("FIMSynchronizationService")
        if sync is None:
            c.add("sync-service", "not-installed")
        elif sync.status != "Running":
            c.add("sync-service", "stopped", state=sync.status)
        else:
            c.add("sync-service", "running")
    elif state.resolve(syn["server"]):
        c.add("sync-service", "remote-resolves", server=syn["server"],
              addresses=state.resolve(syn["server"]))
    else:
        c.add("sync-service", "no-dns", server=syn["server"])

    names: list[str] = []
    portal = params["portal"]
    if comps["portal"] and portal and portal["service_address"]:
        names.append(portal["service_address"])
    names += [p["service_address"] for p in params["sspr"]]
    names = list(dict.fromkeys(names))
    if not names:
        c.add("service-address", "no-portal")
    else:
        bad = [n for n in names if not state.resolve(n)]
        if bad:
            c.add("service-address", "no-dns", names=", ".join(bad))
        else:
            c.add("service-address", "resolves", names=", ".join(names))

    fw = state.service("MpsSvc")
    fw_state = fw.status if fw else ""
    if fw_state == "Running":
        c.add("firewall-service", "running")
    else:
        c.add("firewall-service", "stopped-needed" if params["firewall"] else "stopped",
              state=fw_state)

    if not comps["service"]:
        c.add("service-ports", "service-not-selected")
        return
    used = [f"{p} (by {state.listening[p]})" for p in params["service_ports"]
            if p in state.listening]
    if used:
        c.add("service-ports", "in-use", used=", ".join(used))
    else:
        c.add("service-ports", "free", ports=" and ".join(str(p) for p in params["service_ports"]))

"""Rules across fields. Each problem names the field it belongs to, so a form can show it there.
Errors block an install; warnings are reported and do not.

The rules read the answers through attributes and the class's `section_types()`, so that they
run alike on the pydantic model and on its compiled twin (twin.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tui.flags import INSECURE
from tui.model import rules
from tui.model.ports import SERVICE_PORT, SERVICE_PORTS, STS_PORT
from tui.model.problems import Problem

if TYPE_CHECKING:
    from tui.model.answers import AnswerFile


def cross_field_problems(a: AnswerFile) -> list[Problem]:
    """Every cross-field rule's problems (field rules are the model's own: rules.py)."""
    return list(_required_sections(a)) + [
        p
        for rule in (
            _install,
            _mail,
            _certificate,
            _service_account,
            _ma_account,
            _portal,
            _sspr_ports,
            _sspr_urls,
            _target,
            _extra_properties,
        )
        for p in rule(a)
    ]


def _required_sections(a: AnswerFile) -> Iterator[Problem]:
    for name, model in a.section_types().items():
        if getattr(a, name) is None and a.section_needed(name):
            needs = ", ".join(
                f"components.{c}" for c in model.required_by if getattr(a.components, c, False)
            )
            required = [m for m in model.fields() if m.required]
            fix = (
                f"add a [{name}] table with "
                + ", ".join(f"{m.name} = {_example(m.example)}" for m in required)
                if required
                else f"add a [{name}] table"
            )
            yield Problem(
                (name,),
                f"section [{name}] is required" + (f" because {needs} is on" if needs else ""),
                fix,
            )


def _example(value: object) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value).lower()


def _install(a: AnswerFile) -> Iterator[Problem]:
    if a.install and not a.install.accept_eula:
        yield Problem(
            ("install", "accept_eula"),
            "a silent install needs the license terms accepted",
            "set accept_eula = true if you accept them",
        )


# What the walkthrough (seed, step 7) says with no mail server: localhost, "uncheck the top two
# checkboxes". Polling is greyed out by the installer once the Exchange boxes are unchecked.
_WALKTHROUGH_MAIL = {
    "use_ssl": " (with no mail server the walkthrough unchecks the top two boxes, use_ssl and "
               "is_exchange)",
    "is_exchange": " (with no mail server the walkthrough unchecks the top two boxes, use_ssl "
                   "and is_exchange)",
    "poll_exchange": " (the installer greys it out once is_exchange is unchecked)",
}


def _mail(a: AnswerFile) -> Iterator[Problem]:
    m = a.mail
    if not m:
        return
    # The installer checks the mail server's name only (CheckMailServerAddressFormat): what
    # follows is unwise, not refused, so it is a warning with the reason.
    left = set(a.msi.package_defaults)
    if m.server.lower() in ("localhost", "127.0.0.1"):
        for name in ("use_ssl", "is_exchange", "poll_exchange", "exchange_online"):
            if getattr(m, name):
                how = ("left at the package's default" if _msi_of(m, name) & left
                       else "on")
                yield Problem(
                    ("mail", name),
                    f"with mail server localhost, {name} is {how}: the MIM Service will try "
                    "it against this computer and log a mail error for every notification"
                    + _WALKTHROUGH_MAIL.get(name, ""),
                    f"set {name} = false, or give the Exchange server's name",
                    "warning",
                )
    elif m.poll_exchange and not (m.is_exchange or m.exchange_online):
        yield Problem(
            ("mail", "poll_exchange"),
            "polling needs an Exchange server: the MIM Service will fail to read approval "
            "replies from a mail server that is not Exchange",
            "set is_exchange = true, or poll_exchange = false",
            "warning",
        )
    if m.exchange_online and m.mailbox_password is None:
        yield Problem(
            ("mail", "mailbox_password"),
            "Exchange Online needs the mailbox password",
            "add mailbox_password = { prompt = true }",
        )
    if not m.exchange_online and m.mailbox_password is not None:
        yield Problem(
            ("mail", "mailbox_password"),
            "the mailbox password is used only with Exchange Online and will not be passed",
            "remove it, or set exchange_online = true",
            "warning",
        )


def _msi_of(section: object, name: str) -> set[str]:
    return set(next((m.msi for m in section.fields() if m.name == name), ()))


def _certificate(a: AnswerFile) -> Iterator[Problem]:
    c = a.certificate
    if c and c.mode == "existing" and not c.thumbprint:
        yield Problem(
            ("certificate", "thumbprint"),
            "an existing certificate is chosen by its thumbprint",
            "add thumbprint = \"<40 hex digits>\" (certlm.msc, the certificate's Details tab)",
        )


def _service_account(a: AnswerFile) -> Iterator[Problem]:
    s = a.service_account
    if not s:
        return
    if s.managed:
        if not s.name.endswith("$"):
            yield Problem(
                ("service_account", "name"),
                "a group managed service account's name ends in $",
                f"write name = \"{s.name}$\"",
            )
        if "password" in s.model_fields_set:
            yield Problem(
                ("service_account", "password"),
                "a group managed service account has no password",
                "remove the password line",
            )
    elif s.name.endswith("$"):
        yield Problem(
            ("service_account", "managed"),
            "a name ending in $ is a group managed service account",
            "set managed = true, or remove the $",
        )


def _same_account(a: str, b_domain: str, b_name: str) -> bool:
    domain, name = rules.split_account(a)
    return name.lower() == b_name.lower() and domain.lower() == b_domain.lower()


def _ma_account(a: AnswerFile) -> Iterator[Problem]:
    s, sync = a.service_account, a.synchronization
    if s and sync and _same_account(sync.ma_account, s.domain, s.name):
        yield Problem(
            ("synchronization", "ma_account"),
            "the MIM Management Agent account must differ from the service account",
            f"use the account created for the MA, for example {_example_of(sync, 'ma_account')}",
        )


def _portal(a: AnswerFile) -> Iterator[Problem]:
    p = a.portal
    if not p or not a.components.portal:
        return
    for name in ("service_address", "sharepoint_url"):
        if getattr(p, name) is None:
            yield Problem(
                ("portal", name),
                "the MIM Portal needs it",
                f"add {name} = {_example(_example_of(p, name))}",
            )


def _example_of(section: object, name: str) -> object:
    """The example the field's declaration gives (either model: both describe their fields)."""
    return next((m.example for m in type(section).fields() if m.name == name), None)


def _sspr(a: AnswerFile) -> list[tuple[str, object]]:
    return [
        (n, getattr(a, n))
        for n in ("registration_portal", "reset_portal")
        if getattr(a, n) is not None and getattr(a.components, n)
    ]


def _sspr_ports(a: AnswerFile) -> Iterator[Problem]:
    portals = _sspr(a)
    for name, s in portals:
        if s.port in SERVICE_PORTS:
            yield Problem(
                (name, "port"),
                f"port {s.port} is the MIM Service's own ({SERVICE_PORT} web service, "
                f"{STS_PORT} STS)",
                "use another port, for example 8080 or 8088",
            )
    if len(portals) == 2:
        (_, reg), (name, res) = portals
        if reg.port == res.port and reg.host_name.lower() == res.host_name.lower():
            yield Problem(
                (name, "port"),
                f"both password portals are on {res.host_name}:{res.port}; IIS cannot bind "
                "two sites to the same host name and port",
                "give the Reset portal another port (8088) or another host name",
            )


def _sspr_urls(a: AnswerFile) -> Iterator[Problem]:
    if not a.portal:
        return
    for name, s in _sspr(a):
        field = "registration_url" if name == "registration_portal" else "reset_url"
        value = getattr(a.portal, field)
        if not value or s.port in SERVICE_PORTS:
            continue  # a port the portal cannot have is its own error: never suggested here
        url_host, url_port = rules.url_host_port(value)
        if url_host.split(".")[0].lower() == s.host_name.split(".")[0].lower() and (
            url_port != s.port
        ):
            yield Problem(
                ("portal", field),
                f"{value} is on port {url_port}, but the portal's site listens on {s.port}",
                f"write the URL with :{s.port}, or change {name}.port",
                "warning",
            )


def _target(a: AnswerFile) -> Iterator[Problem]:
    t = a.target
    if t and t.transport == "basic" and not t.https:
        yield Problem(
            ("target", "transport"),
            "Basic authentication over plain HTTP sends the password in clear; mimsetup refuses "
            f"it unless run with {INSECURE}",
            "set https = true, or transport = \"ntlm\"",
            "warning",
        )
    if t and t.ca_bundle and not t.validate_certificate:
        yield Problem(
            ("target", "ca_bundle"),
            "a CA bundle is ignored while validate_certificate is off",
            "set validate_certificate = true",
            "warning",
        )


def _extra_properties(a: AnswerFile) -> Iterator[Problem]:
    from tui.model.msi import owned_properties

    owned = owned_properties(type(a))
    for table in ("extra_properties", "secret_properties"):
        for name in getattr(a.msi, table):
            owner = owned.get(name, "").split(".")[0]
            if owner in a.section_types() and (getattr(a, owner) is None
                                               or not a.planned(owner)):
                continue  # the plan does not set it: passing it through is no conflict
            if name in owned:
                yield Problem(
                    ("msi", table, name),
                    f"{name} is set by {owned[name]}",
                    f"remove it here and set {owned[name]} instead",
                )
    for name in set(a.msi.extra_properties) & set(a.msi.secret_properties):
        yield Problem(
            ("msi", "extra_properties", name),
            f"{name} is also in [msi.secret_properties]",
            "keep it in one of the two tables (a password in secret_properties)",
        )

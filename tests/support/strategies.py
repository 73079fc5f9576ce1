"""Hypothesis strategies that build valid answer files from the field rules: hosts, accounts,
URLs, SQL names, thumbprints, paths, passwords and free text with spaces, quotes and non-ASCII."""

from __future__ import annotations

import functools
import string
from typing import Any

from hypothesis import strategies as st

from tui.model import rules
from tui.model.answers import AnswerFile
from tui.model.msi import FIXED_PROPERTIES, owned_properties

# Free text: letters, marks, digits, punctuation, symbols and space separators of any script,
# so that spaces, double quotes, non-ASCII and no-break spaces all appear. No control
# characters: a command line cannot carry them.
TEXT_ALPHABET = st.characters(
    categories=("L", "M", "N", "P", "S", "Zs"), exclude_characters="\x00"
)
free_text = st.text(TEXT_ALPHABET, min_size=1, max_size=30) | st.sampled_from(
    ['a "quoted" value', "Zürich Ümlaut", 'ends with quote"', '""', "x  y", "\u00a0nbsp",
     "日本語 テキスト", "A & B | C", "x -Wait y"]
)

_LABEL_CHARS = string.ascii_letters + string.digits


_LABEL_END = st.sampled_from(_LABEL_CHARS)


def dns_label(max_size: int = 20):
    """A DNS label of 1 to `max_size` characters: letters and digits, hyphens inside. Built of
    strategies made once (a composite that makes a text strategy per draw costs twice the
    time of the whole test)."""
    middle = st.text(_LABEL_CHARS + "-", max_size=max_size - 2)
    return _LABEL_END | st.builds(lambda a, m, b: a + m + b, _LABEL_END, middle, _LABEL_END)


netbios_name = dns_label(15).filter(lambda s: not s.isdigit())
fqdn = st.lists(dns_label(12), min_size=2, max_size=4).map(".".join)
host = netbios_name | fqdn | st.sampled_from(["localhost", "10.0.0.5", "CORPIDM"])

_SAM_ALPHABET = st.characters(
    categories=("L", "N"), exclude_characters=rules.SAM_BAD
) | st.sampled_from(list("-_. !#$%&'()@^`{}~"))
sam_name = st.text(_SAM_ALPHABET, min_size=1, max_size=20).map(str.strip).filter(
    lambda s: s and not s.endswith("$")
)
netbios_domain = st.text(
    st.sampled_from(string.ascii_letters + string.digits + "-_"), min_size=1, max_size=15
)
account = st.one_of(
    st.builds(lambda d, n: f"{d}\\{n}", netbios_domain, sam_name),
    st.builds(lambda n, d: f"{n}@{d}", sam_name.filter(lambda s: "@" not in s), fqdn),
)
email = st.builds(
    lambda local, d: f"{local}@{d}",
    st.text(st.sampled_from(string.ascii_letters + string.digits + "._+-"), min_size=1,
            max_size=12),
    fqdn,
)
port = st.integers(1, 65535).filter(lambda p: p not in (5725, 5726))
url = st.builds(
    lambda scheme, h, p, path: f"{scheme}://{h}{'' if p is None else f':{p}'}{path}",
    st.sampled_from(["http", "https"]),
    host,
    st.none() | port,
    st.sampled_from(["", "/", "/sites/mim"]),
)
sql_instance = st.builds(
    lambda a, b: a + b,
    st.sampled_from(string.ascii_letters + "_"),
    st.text(st.sampled_from(string.ascii_letters + string.digits + "_$#"), max_size=15),
)
sql_server = st.one_of(
    host,
    st.builds(lambda h, i: f"{h}\\{i}", host, sql_instance),
    st.builds(lambda h, p: f"{h},{p}", host, st.integers(1, 65535)),
)
sql_database = st.builds(
    lambda a, b: a + b,
    st.sampled_from(string.ascii_letters + "_"),
    st.text(st.sampled_from(string.ascii_letters + string.digits + "_"), max_size=30),
)
thumbprint = st.text(st.sampled_from("0123456789abcdefABCDEF"), min_size=40, max_size=40) | \
    st.just("1234567890" * 4)
_PATH_PART = st.text(
    st.characters(categories=("L", "N", "Zs"), exclude_characters='<>"|?*\\/:')
    | st.sampled_from(list("-_.()&' ")),
    min_size=1,
    max_size=16,
).filter(lambda s: s.strip() == s and s not in (".", ".."))
windows_dir = st.builds(
    lambda drive, parts: f"{drive}:\\" + "\\".join(parts),
    st.sampled_from("CDE"),
    st.lists(_PATH_PART, min_size=1, max_size=3),
)
msi_path = st.builds(lambda d, n: f"{d}\\{n}.msi", windows_dir, _PATH_PART)
log_path = st.builds(lambda d, n: f"{d}\\{n}.log", windows_dir, _PATH_PART)

password_literal = st.text(TEXT_ALPHABET, min_size=0, max_size=24) | st.sampled_from(
    ["Pass@word1", 'pa"ss word', "pässwörd €", "", '"', "S3ntinel-Pw!"]
)
secret_ref = st.one_of(
    st.just({"prompt": True}),
    st.builds(lambda n: {"env": n}, st.from_regex(r"[A-Z_][A-Z0-9_]{0,10}", fullmatch=True)),
    st.builds(lambda f: {"file": f}, st.sampled_from(["pw.txt", "secrets/mim.txt"])),
    st.builds(lambda f, k: {"file": f, "key": k}, st.just("mim.secrets.toml"),
              st.sampled_from(["SVC", "RESET", "MAILBOX"])),
    password_literal,
)

_RESERVED = set(owned_properties(AnswerFile)) | {k for k, _ in FIXED_PROPERTIES} | {"REMOVE"}
msi_property = st.from_regex(r"[A-Z_][A-Z0-9_]{0,20}", fullmatch=True).filter(
    lambda n: n not in _RESERVED
)


@functools.cache
def _opt(strategy) -> Any:
    return st.none() | strategy


_SERVICE_NAME = sam_name.filter(lambda s: len(s) < 20)  # room for a gMSA's "$"


@st.composite
def answer_data(draw, secrets=secret_ref) -> dict[str, Any]:
    """Raw TOML data of a valid (field-rule) answer file; every optional section may be absent
    and every optional field may be left at its default."""
    d: dict[str, Any] = {"schema_version": 1}
    d["components"] = {
        name: draw(st.booleans())
        for name in ("service", "portal", "registration_portal", "reset_portal", "reporting",
                     "pam")
    }

    def maybe(section: str, build) -> None:
        if draw(st.booleans()) or draw(st.booleans()):
            d[section] = build()

    def put(table: dict, key: str, strategy) -> None:
        value = draw(_opt(strategy))
        if value is not None:
            table[key] = value

    def database():
        t = {"server": draw(sql_server)}
        put(t, "name", sql_database)
        put(t, "existing", st.booleans())
        return t

    def mail():
        t = {"server": draw(host)}
        for k in ("use_ssl", "is_exchange", "poll_exchange", "exchange_online"):
            put(t, k, st.booleans())
        put(t, "mailbox_password", secrets)
        return t

    def certificate():
        t: dict[str, Any] = {}
        put(t, "mode", st.sampled_from(["self-signed", "existing"]))
        put(t, "name", free_text)
        put(t, "thumbprint", thumbprint)
        return t

    def service_account():
        managed = draw(st.booleans())
        name = draw(_SERVICE_NAME)
        t = {"name": name + "$" if managed else name, "domain": draw(netbios_domain),
             "email": draw(email)}
        if managed:
            t["managed"] = True
        else:
            put(t, "password", secrets)
        return t

    def synchronization():
        return {"server": draw(host), "ma_account": draw(account)}

    def portal():
        t: dict[str, Any] = {}
        put(t, "service_address", host)
        for k in ("sharepoint_url", "registration_url", "reset_url"):
            put(t, k, url)
        put(t, "open_firewall", st.booleans())
        put(t, "grant_authenticated_users", st.booleans())
        put(t, "sharepoint_timeout", st.integers(30, 3600))
        return t

    def sspr():
        t = {"account": draw(account), "host_name": draw(host), "port": draw(port),
             "service_address": draw(host)}
        put(t, "password", secrets)
        put(t, "open_firewall", st.booleans())
        put(t, "extranet", st.booleans())
        return t

    def install():
        t = {"msi_path": draw(msi_path)}
        put(t, "log_path", log_path)
        put(t, "install_dir", windows_dir)
        put(t, "accept_eula", st.booleans())
        put(t, "ceip", st.booleans())
        return t

    def target():
        t = {"host": draw(host), "user": draw(account)}
        put(t, "https", st.booleans())
        put(t, "port", st.integers(1, 65535))
        put(t, "validate_certificate", st.booleans())
        put(t, "ca_bundle", st.sampled_from(["./ca.pem", "C:\\certs\\ca bündle.pem"]))
        put(t, "transport", st.sampled_from(["ntlm", "kerberos", "credssp", "basic"]))
        put(t, "password", secrets)
        return t

    maybe("database", database)
    maybe("mail", mail)
    maybe("certificate", certificate)
    maybe("service_account", service_account)
    maybe("synchronization", synchronization)
    maybe("portal", portal)
    maybe("registration_portal", sspr)
    maybe("reset_portal", sspr)
    d["install"] = install()
    maybe("target", target)
    extra = draw(st.dictionaries(msi_property, free_text | st.just(""), max_size=3))
    if extra:
        d["msi"] = {"extra_properties": extra}
    return d


answer_files = answer_data().map(AnswerFile.model_validate)

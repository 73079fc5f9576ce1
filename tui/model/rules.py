"""Rules for single values. Each returns the value (normalised) or raises ValueError whose text
is shown to the admin as it is: it says what is wrong and how to write it instead."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from tui.model import printable

# Patterns are used with fullmatch: `$` also matches before a final line feed.
_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
_NETBIOS_BAD = set('\\/:*?"<>| ')
SAM_BAD = set('"/\\[]:;|=,+*?<>')
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_SQL_INSTANCE = re.compile(r"[A-Za-z_][A-Za-z0-9_$#]{0,15}")
_SQL_DBNAME = re.compile(r"[A-Za-z_@#][A-Za-z0-9_@#$]{0,122}")
_HEX40 = re.compile(r"[0-9A-Fa-f]{40}")
_MSI_PROPERTY = re.compile(r"[A-Z_][A-Z0-9_.]*")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def text(value: str) -> str:
    """Any text value: printable characters only (no line break, escape, NUL, bidi override).
    The field types apply it before their own rule; see printable.py for why."""
    return printable.check(value)


def env_name(value: str) -> str:
    """An environment variable's name: letters, digits and _, not starting with a digit (the
    name is written into the exports' scripts and Vault example)."""
    if not _ENV_NAME.fullmatch(value):
        raise ValueError(
            f"env needs the name of an environment variable, letters, digits and _ (not "
            f"'{printable.visible(value)}'): {{ env = \"MIM_SERVICE_PASSWORD\" }}"
        )
    return value


def local_path(value: str) -> str:
    """A path on this machine (a CA bundle, a secrets file): not empty."""
    if not value.strip():
        raise ValueError("a path is needed, for example ./contoso-ca.pem")
    return value


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def host(value: str) -> str:
    """A NetBIOS computer name (<= 15 characters), an RFC 1123 FQDN, or an IP address."""
    value = value.strip()
    if not value:
        raise ValueError("a host name is required, for example CORPIDM or corpidm.contoso.local")
    if "://" in value or "/" in value:
        raise ValueError(
            f"'{value}' is not a host name but a URL or path; write only the name, for example "
            f"{(suggest_host(value) if '://' in value else None) or 'corpidm.contoso.local'}"
        )
    if any(c.isspace() for c in value):
        raise ValueError(f"'{value}' is not a host name: a host name has no spaces")
    if _is_ip(value):
        return value
    if "." not in value:
        if len(value) > 15:
            raise ValueError(
                f"'{value}' has {len(value)} characters; a NetBIOS name has at most 15: "
                "use the full DNS name (FQDN) instead"
            )
        if not _LABEL.fullmatch(value):
            raise ValueError(
                f"'{value}' is not a valid computer name: use letters, digits and hyphens, "
                "not starting or ending with a hyphen"
            )
        return value
    if len(value.rstrip(".")) > 253:
        raise ValueError("a DNS name has at most 253 characters")
    for label in value.rstrip(".").split("."):
        if not _LABEL.fullmatch(label):
            raise ValueError(
                f"'{value}' is not a valid DNS name: each dot-separated part has 1-63 letters, "
                "digits or hyphens, not starting or ending with a hyphen"
            )
    return value


def suggest_host(value: str) -> str | None:
    """The host in a URL-ish value (`CorpIDname  http://corpidname.domain.local` gives
    `corpidname.domain.local`), or None."""
    for token in reversed(value.split()):
        parts = urlsplit(token if "://" in token else f"//{token}")
        if parts.hostname:
            return parts.hostname
    return None


def netbios_domain(value: str) -> str:
    """A NetBIOS domain name such as CONTOSO (not contoso.local)."""
    value = value.strip()
    if not value:
        raise ValueError("a domain is required, for example contoso")
    if "." in value:
        raise ValueError(
            f"'{value}' looks like a DNS domain; the installer wants the NetBIOS domain name, "
            f"for example {value.split('.')[0]}"
        )
    if len(value) > 15 or set(value) & _NETBIOS_BAD:
        raise ValueError(
            f"'{value}' is not a NetBIOS domain name: at most 15 characters, "
            "no spaces or \\/:*?\"<>| characters"
        )
    return value


def sam_account_name(value: str) -> str:
    """A sAMAccountName: at most 20 characters, none of "/\\[]:;|=,+*?<>."""
    value = value.strip()
    if not value:
        raise ValueError("an account name is required, for example MIMService")
    bad = sorted(set(value) & SAM_BAD)
    if bad:
        hint = (
            "; write the domain in its own field and only the name here, for example MIMService"
            if "\\" in bad
            else ""
        )
        raise ValueError(f"an account name cannot contain {' '.join(bad)}{hint}")
    if len(value) > 20:
        raise ValueError(
            f"'{value}' has {len(value)} characters; a sAMAccountName has at most 20"
        )
    return value


def account(value: str) -> str:
    """A domain account as DOMAIN\\user or user@domain."""
    value = value.strip()
    if "\\" in value:
        domain, _, name = value.partition("\\")
        netbios_domain(domain)
        sam_account_name(name)
        return value
    if "@" in value:
        name, _, domain = value.partition("@")
        if not name or not domain or "." not in domain:
            raise ValueError(f"'{value}' is not a valid user@domain.local account")
        sam_account_name(name)
        host(domain)
        return value
    raise ValueError(
        f"'{value}' has no domain: write it as CONTOSO\\{value or 'user'} "
        f"or {value or 'user'}@contoso.local"
    )


def split_account(value: str) -> tuple[str, str]:
    """(domain, name) of an account written DOMAIN\\name or name@dns.domain."""
    if "\\" in value:
        domain, _, name = value.partition("\\")
        return domain, name
    name, _, domain = value.partition("@")
    return domain.split(".")[0], name


def email(value: str) -> str:
    value = value.strip()
    if not _EMAIL.fullmatch(value):
        raise ValueError(_email_problem(value))
    return value


def _email_problem(value: str) -> str:
    """Why `value` is not an e-mail address, and the address it was probably meant to be."""
    need = "an e-mail address like MIMService@contoso.local is needed"
    name, at, domain = value.partition("@")
    if not value:
        return need
    if any(c.isspace() for c in value):
        return f"{need}; an address has no spaces"
    if not at:
        labels = value.split(".")
        if len(labels) >= 3 and all(labels):  # MIMService.contoso.local: a dot for the @
            return (f"{need}; '{value}' has no @: write it like "
                    f"{labels[0]}@{'.'.join(labels[1:])}")
        # contoso or contoso.local: a domain (the walkthrough's 'contoso' is one)
        full = value if "." in value else f"{value}.local"
        return (f"{need}; '{value}' has no @ and looks like a domain, not an address (the "
                f"walkthrough's example 'contoso' is one): write it like MIMService@{full}")
    if "@" in domain:
        return f"{need}; '{value}' has more than one @"
    if not name:
        return f"{need}; the part before the @ (the mailbox's name) is missing"
    if not domain:
        return f"{need}; the domain after the @ is missing: write it like {name}@contoso.local"
    if "." not in domain:
        return (f"{need}; the domain '{domain}' has no dot: write the mail domain in full, "
                f"like {name}@{domain}.local")
    return f"{need}; '{domain}' is not a domain name"


def url(value: str) -> str:
    """An http or https URL with a host."""
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https"):
        raise ValueError(
            f"'{value}' must start with http:// or https://, for example "
            "http://corpidm.contoso.local"
        )
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"'{value}' has an invalid port; ports are 1-65535") from None
    if not parts.hostname:
        raise ValueError(f"'{value}' has no host name")
    host(parts.hostname)
    if port is not None and not 1 <= port <= 65535:
        raise ValueError(f"'{value}' has an invalid port; ports are 1-65535")
    return value


def url_host_port(value: str) -> tuple[str, int]:
    parts = urlsplit(value)
    return (parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))


def sql_server(value: str) -> str:
    """`host`, `host\\instance` or `host,port` (an alias or AG listener is a host)."""
    value = value.strip()
    if not value:
        raise ValueError("a SQL Server is required, for example corpsql or corpsql\\MIM")
    rest, comma, port = value.partition(",")
    server, backslash, instance = rest.partition("\\")
    try:
        host(server) if server not in (".", "(local)") else None
    except ValueError as exc:
        reason = str(exc).split(": ", 1)[-1]
        raise ValueError(
            f"'{value}' is not a SQL Server name ({reason}); write host, host\\instance or "
            "host,port"
        ) from None
    if backslash and not _SQL_INSTANCE.fullmatch(instance):
        raise ValueError(
            f"'{instance}' is not a valid SQL Server instance name: up to 16 letters, digits or _"
        )
    if comma and not (port.isdigit() and 1 <= int(port) <= 65535):
        raise ValueError(f"'{port}' is not a port: write host,1433")
    return value


def sql_database(value: str) -> str:
    value = value.strip()
    if not _SQL_DBNAME.fullmatch(value):
        raise ValueError(
            f"'{value}' is not a valid database name: start with a letter or _, then letters, "
            "digits or _ (at most 123 characters), for example FIMService"
        )
    return value


def thumbprint(value: str) -> str:
    """40 hex digits; spaces, colons and the invisible mark certmgr copies are dropped."""
    cleaned = re.sub(r"[\s:\u200e\u200f]", "", value)
    if not _HEX40.fullmatch(cleaned):
        raise ValueError(
            f"a certificate thumbprint is 40 hex digits (0-9, A-F); this one has {len(cleaned)} "
            "characters after removing spaces"
        )
    return cleaned.upper()


def windows_path(value: str) -> str:
    """An absolute path on the Windows target: C:\\... or \\\\server\\share\\..."""
    value = value.strip()
    if not (re.match(r"^[A-Za-z]:\\", value) or value.startswith("\\\\")):
        raise ValueError(
            f"'{value}' is not an absolute Windows path: write it like C:\\Install\\file.msi "
            "or \\\\server\\share\\file.msi"
        )
    if any(c in value[2:] for c in '<>"|?*'):
        raise ValueError(f"'{value}' contains a character Windows paths cannot hold (<>\"|?*)")
    return value


def on_target_disk(value: str) -> str:
    """A path the install's own logon can reach: on the target's disk, not a share. The install
    runs from a WinRM logon, which cannot pass its credentials on to a file server (the double
    hop), and so does msiexec's log."""
    value = windows_path(value)
    if value.startswith("\\\\"):
        file = value.rstrip("\\").rsplit("\\", 1)[-1] or "file"
        raise ValueError(
            f"'{value}' is a network share, which the install cannot reach from its WinRM logon "
            f"(the double hop): copy it to the target first and give that path, like "
            f"C:\\Install\\{file}"
        )
    return value


def msi_file(value: str) -> str:
    value = on_target_disk(value)
    if not value.lower().endswith(".msi"):
        raise ValueError(f"'{value}' does not end in .msi: give the path of the installer package")
    return value


def msi_properties(value: dict[str, str]) -> dict[str, str]:
    """Extra MSI properties: public property names, printable values."""
    for name, item in value.items():
        msi_property_name(name)
        try:
            text(item)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
    return value


def msi_property_names(value: dict) -> dict:
    """Names of MSI properties (the secret ones: their values are references)."""
    for name in value:
        msi_property_name(name)
    return value


def msi_property_name(value: str) -> str:
    text(value)
    if not _MSI_PROPERTY.fullmatch(value):
        raise ValueError(
            f"'{value}' is not a public MSI property name: upper case letters, digits and _"
        )
    return value

"""The simulated Windows Installer's log for one install: the reference log made to agree with
what was installed, with the lines a real `/l*v` log has and the reference (written without `v`)
lacks, in the machine's language and encoding.

- Names, accounts and versions are the install's own: the reference's FIM 2010 R2 values
  (DEVELOP, DC01, R2-FIMSERVICE, 4.1.2273.0, administrator) become the package's product name,
  code and version, the properties passed and the account the install runs as.
- Verbose lines, as Windows Installer writes them ("Windows Installer logging"): the
  `Command Line:` of the properties passed, a `PROPERTY CHANGE: Adding X property. Its value is
  'v'.` for each, and the deferred custom actions' `CustomActionData`. Only the properties and
  custom actions named in the package's `MsiHiddenProperties` are written as `**********`: any
  other value, a password included, is in clear.
- German Windows writes the engine's words in German; a log converted by another tool may be
  ANSI without a BOM (`encoding`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

HIDDEN = "**********"
# What the package hides (the reference log's own MsiHiddenProperties).
REFERENCE_HIDDEN = ("ConfigureIIsExec;CreateUser;REGISTRATION_ACCOUNT_PASSWORD;"
                    "RESET_ACCOUNT_PASSWORD;SERVICE_ACCOUNT_PASSWORD;SetPolicyforServiceAccount")
_ENGINE_C = "MSI (c) (A4:B8)"
_ENGINE_S = "MSI (s) (5C:E0)"


@dataclass
class LogFacts:
    """What the simulated install really was."""

    properties: dict[str, str] = field(repr=False)
    package: dict[str, str]
    user: str  # DOMAIN\name the install runs as
    computer: str
    dns_domain: str
    language: str = "en"  # "en" or "de"

    @property
    def hidden(self) -> set[str]:
        names = self.package.get("MsiHiddenProperties", REFERENCE_HIDDEN)
        return {n for n in names.split(";") if n}

    def shown(self, name: str, value: str) -> str:
        return HIDDEN if name in self.hidden else value


def _reference_map(ref: Sequence[str], facts: LogFacts) -> list[tuple[str, str]]:
    """(reference text, this install's text) pairs, longest first."""
    def prop(name: str) -> str | None:
        head = f"Property(S): {name} = "
        return next((t[len(head):] for t in ref if t.startswith(head)), None)

    p, pkg = facts.properties, facts.package
    domain, _, user = facts.user.rpartition("\\")
    netbios = p.get("SERVICE_ACCOUNT_DOMAIN") or domain or "CONTOSO"
    pairs: list[tuple[str | None, str | None]] = [
        (prop("ProductName"), pkg.get("ProductName")),
        (prop("ProductVersion"), pkg.get("ProductVersion")),
        (prop("ProductCode"), pkg.get("ProductCode")),
        (prop("UpgradeCode"), pkg.get("UpgradeCode")),
        (prop("SERVICE_ACCOUNT_EMAIL"), p.get("SERVICE_ACCOUNT_EMAIL")),
        (prop("SHAREPOINT_URL"), (p.get("SHAREPOINT_URL") or "").rstrip("/") or None),
        (prop("REGISTRATION_PORTAL_URL"), p.get("REGISTRATION_PORTAL_URL") or ""),
        (prop("SERVICEADDRESS"), p.get("SERVICEADDRESS")),
        (prop("MAIL_SERVER"), p.get("MAIL_SERVER")),
        (prop("SYNCHRONIZATION_SERVER_ACCOUNT"), p.get("SYNCHRONIZATION_SERVER_ACCOUNT")),
        (prop("SYNCHRONIZATION_SERVER_ACCOUNT_NAME"),
         (p.get("SYNCHRONIZATION_SERVER_ACCOUNT") or "").rpartition("\\")[2] or None),
        (prop("REGISTRATION_ACCOUNT_NAME"), p.get("REGISTRATION_ACCOUNT_NAME") or ""),
        (prop("RESET_ACCOUNT_NAME"), p.get("RESET_ACCOUNT_NAME") or ""),
        (prop("SERVICE_ACCOUNT_NAME"), p.get("SERVICE_ACCOUNT_NAME")),
        (prop("SQLSERVER_SERVER"), p.get("SQLSERVER_SERVER")),
        (prop("ComputerName"), facts.computer),
        ("develop.local", facts.dns_domain),
        ("DEVELOP", netbios.upper()),
        ("administrator", user or "Administrator"),
    ]
    found = [(a, b) for a, b in pairs if a and b is not None and a != b]
    return sorted(found, key=lambda ab: len(ab[0]), reverse=True)


def personalise(ref: Sequence[str], facts: LogFacts) -> list[str]:
    """The reference's lines with this install's names, accounts and versions."""
    pairs = _reference_map(ref, facts)
    pattern = re.compile("|".join(re.escape(a) for a, _ in pairs)) if pairs else None
    table = dict(pairs)
    out = []
    for text in ref:
        m = re.match(r"^(Property\([SC]\): )([^ =]+) = (.*)$", text)
        if m and m[2] in facts.properties:
            out.append(f"{m[1]}{m[2]} = {facts.shown(m[2], facts.properties[m[2]])}")
            continue
        out.append(pattern.sub(lambda x: table[x[0]], text) if pattern else text)
    return out


def _stamp(clock: str, ms: int) -> str:
    h, m, s = clock.split(":")
    return f"{int(h):02d}:{m}:{s}:{ms:03d}"


def _clock_of(text: str) -> str | None:
    m = re.search(r"(\d{1,2}:\d{2}:\d{2}) ?: ", text) or re.search(r"(\d{2}:\d{2}:\d{2})", text)
    return m[1] if m else None


def verbose(lines: list[str], facts: LogFacts) -> list[str]:
    """The lines `/l*v` adds: the command line, a PROPERTY CHANGE per property passed, the
    deferred custom actions' data; and the success result lines the reference lacks."""
    props = facts.properties
    first = _clock_of(lines[1]) or "10:52:01"
    head = [f"{_ENGINE_C} [{_stamp(first, 100)}]: Command Line: " + " ".join(
        f"{k}={_quoted(facts.shown(k, v))}" for k, v in props.items())]
    head += [f"{_ENGINE_C} [{_stamp(first, 101 + i)}]: PROPERTY CHANGE: Adding {k} property. "
             f"Its value is '{facts.shown(k, v)}'." for i, (k, v) in enumerate(props.items())]
    service = f"{props.get('SERVICE_ACCOUNT_DOMAIN', '')}\\{props.get('SERVICE_ACCOUNT_NAME', '')}"
    data = {
        "SetPolicyforServiceAccount": f"Account={service};Password="
                                      f"{props.get('SERVICE_ACCOUNT_PASSWORD', '')}",
        "DeployAndPopulateDatabase": f"SqlServer={props.get('SQLSERVER_SERVER', '')};"
                                     f"Database={props.get('SQLSERVER_DATABASE', '')};"
                                     f"ServiceAccount={service}",
    }
    out = [lines[0], *head]
    in_script = False
    for text in lines[1:]:
        m = re.match(r"^Action (?:start )?(\d{1,2}:\d{2}:\d{2}): (\w+)\.", text)
        if m and m[2] in ("InstallExecute", "InstallExecuteAgain") and "start" in text:
            in_script = True
        if m and m[2] in data and not text.startswith("Action start"):
            value = facts.shown(m[2], data[m[2]])
            if in_script:
                out.append(f"{_ENGINE_S} [{_stamp(m[1], 500)}]: Executing op: CustomActionSchedule("
                           f"Action={m[2]},ActionType=3073,Source=BinaryData,Target={m[2]},"
                           f"CustomActionData={value})")
            else:
                out.append(f"{_ENGINE_S} [{_stamp(m[1], 400)}]: PROPERTY CHANGE: Adding {m[2]} "
                           f"property. Its value is '{value}'.")
        out.append(text)
    last = _clock_of(lines[-1]) or first
    name, version = facts.package.get("ProductName", ""), facts.package.get("ProductVersion", "")
    out += [
        f"{_ENGINE_C} [{_stamp(last, 901)}]: Product: {name} -- Installation completed "
        "successfully.",
        "",
        f"{_ENGINE_C} [{_stamp(last, 902)}]: Windows Installer installed the product. Product "
        f"Name: {name}. Product Version: {version}. Product Language: 1033. Manufacturer: "
        f"{facts.package.get('Manufacturer', '')}. Installation success or error status: 0.",
        "",
        f"{_ENGINE_C} [{_stamp(last, 910)}]: MainEngineThread is returning 0",
        "",
    ]
    return out


def _quoted(value: str) -> str:
    return f'"{value}"' if (" " in value or not value) else value


# German Windows: the engine's words (what Windows Installer itself writes), not the package's.
_GERMAN = (
    (re.compile(r"^Action start (\d{1,2}:\d{2}:\d{2}): "), r"Aktion gestartet um \1: "),
    (re.compile(r"^Action ended (\d{1,2}:\d{2}:\d{2}): (\S+)\. Return value (-?\d+)\."),
     r"Aktion beendet um \1: \2. Rückgabewert \3."),
    (re.compile(r"^Action (\d{1,2}:\d{2}:\d{2}): "), r"Aktion \1: "),
    (re.compile(r"^Property\(([SCN])\): "), r"Eigenschaft(\1): "),
    (re.compile(r"^=== Logging started: "), "=== Protokollierung gestartet: "),
    (re.compile(r"^=== Logging stopped: "), "=== Protokollierung beendet: "),
    (re.compile(r"^=== Verbose logging started: "), "=== Ausführliche Protokollierung gestartet: "),
    (re.compile(r"\]: Command Line: "), "]: Befehlszeile: "),
    (re.compile(r"\]: PROPERTY CHANGE: Adding (\S+) property\. Its value is '(.*)'\.$"),
     r"]: EIGENSCHAFTSÄNDERUNG: Eigenschaft \1 wird hinzugefügt. Ihr Wert ist '\2'."),
    (re.compile(r"\]: Product: (.*) -- Installation completed successfully\.$"),
     r"]: Produkt: \1 -- Die Installation wurde erfolgreich abgeschlossen."),
    (re.compile(r"\]: Product: (.*) -- Installation operation failed\.$"),
     r"]: Produkt: \1 -- Fehler bei der Installation."),
    (re.compile(r"\]: Windows Installer installed the product\. (.*)Installation success or "
                r"error status: (-?\d+)\.$"),
     r"]: Das Produkt wurde durch Windows Installer installiert. \1Erfolg- bzw. Fehlerstatus "
     r"der Installation: \2."),
)


def localise(text: str, language: str) -> str:
    if language != "de":
        return text
    for pattern, replacement in _GERMAN:
        text, n = pattern.subn(replacement, text, count=1)
        if n and pattern.pattern.startswith("^Action"):
            break
    return text

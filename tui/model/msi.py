"""The msiexec command line an answer file stands for: `mimsetup plan`, the install, exports."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from tui.model.behaviour import MASK, SecretRefBehaviour

if TYPE_CHECKING:
    from tui.model.answers import AnswerFile
    from tui.model.secrets import SecretRef

# Passed on every install: reboots are the admin's decision (/norestart alone does not stop a
# custom action from asking for one).
FIXED_PROPERTIES = (("REBOOT", "ReallySuppress"),)


@dataclass(frozen=True)
class MsiProperty:
    name: str
    value: str
    secret: SecretRef | None = None
    source: str = ""

    def shown(self, mask: bool = True) -> str:
        return MASK if (self.secret is not None and mask) else self.value


@dataclass(frozen=True)
class Plan:
    msi_path: str
    log_path: str
    properties: tuple[MsiProperty, ...]

    def options(self) -> list[str]:
        return ["/i", self.msi_path, "/qn", "/norestart", "/l*v!", self.log_path]

    def _arguments(self, mask: bool, with_secrets: bool) -> list[str]:
        opts = self.options()
        parts = [opts[0], quote(opts[1]), *opts[2:5], quote(opts[5])]
        return parts + [
            f"{p.name}={quote(p.shown(mask))}"
            for p in self.properties
            if with_secrets or p.secret is None
        ]

    def command_line(self, mask: bool = True) -> str:
        """The msiexec command line, quoted as msiexec parses it; secrets masked unless asked."""
        return " ".join(["msiexec.exe", *self._arguments(mask, with_secrets=True)])

    def argument_line(self) -> str:
        """The msiexec arguments without the secret properties, which the install adds on the
        target from values that never travel in a script's text."""
        return " ".join(self._arguments(mask=False, with_secrets=False))

    def property_map(self, mask: bool = True) -> dict[str, str]:
        return {p.name: p.shown(mask) for p in self.properties}

    def secret_properties(self) -> dict[str, SecretRef]:
        return {p.name: p.secret for p in self.properties if p.secret is not None}


def quote(value: str) -> str:
    """msiexec quoting: a value with spaces (or empty, or with a quote) is wrapped in double
    quotes and an embedded double quote is written twice. Non-ASCII is kept as it is."""
    if value and not any(c in value for c in ' \t"'):
        return value
    return '"' + value.replace('"', '""') + '"'


# The package's own defaults, where they are known: the value a property has when the command
# line does not set it (the Property table, seen in the reference log's property dump of an
# install that kept them; ../shared/reference/mim-service-portal.md). `mimsetup import` lets a
# plan add a property the original line lacked only when it is one of these, with this value.
PACKAGE_DEFAULTS: dict[str, str] = {
    "SQLSERVER_DATABASE": "FIMService",
    "EXISTINGDATABASE": "0",
    "CERTIFICATE_NAME": "ForefrontIdentityManager",
    "SHAREPOINTTIMEOUT": "180",
    "SQMOPTINSETTING": "0",
}


def _section_properties(name: str, section: object,
                        left: frozenset[str] = frozenset()) -> Iterator[MsiProperty]:
    """The properties of a section; those in `left` are not passed (the package's default)."""
    for meta in section.fields():
        if not meta.msi or getattr(section, "msi_skip", lambda _n: False)(meta.name):
            continue
        value = getattr(section, meta.name)
        if value is None:
            continue
        custom = getattr(section, "msi_value", lambda _n: None)(meta.name)
        if isinstance(value, SecretRefBehaviour):
            values, secret = [""], value
        elif custom is not None:
            values, secret = custom, None
        else:
            text = ("1" if value else "0") if isinstance(value, bool) else str(value)
            values, secret = [text], None
        if len(values) == 1:
            values = values * len(meta.msi)
        for prop, v in zip(meta.msi, values, strict=True):
            if prop not in left:
                yield MsiProperty(prop, v, secret, f"{name}.{meta.name}")
    for prop, v in getattr(section, "fixed_properties", ()):
        if prop not in left:
            yield MsiProperty(prop, v, None, name)


def build_plan(a: AnswerFile) -> Plan:
    """The plan of a valid answer file (sections of unselected components are left out)."""
    props = [MsiProperty("ADDLOCAL", ",".join(a.components.features()), None, "components")]
    left = frozenset(a.msi.package_defaults)
    for name in a.section_types():
        section = getattr(a, name)
        if section is None or name == "components" or not a.planned(name):
            continue
        props.extend(_section_properties(name, section, left))
    props += [MsiProperty(k, v, None, "msi.extra_properties") for k, v in
              a.msi.extra_properties.items()]
    props += [MsiProperty(k, "", ref, "msi.secret_properties") for k, ref in
              a.msi.secret_properties.items()]
    given = {p.name for p in props}
    props += [MsiProperty(k, v, None, "") for k, v in FIXED_PROPERTIES if k not in given]
    install = a.install
    if install is None:
        raise ValueError("the answer file has no [install] section")
    return Plan(install.msi_path, install.log_path, tuple(props))


def owned_properties(answers: type) -> dict[str, str]:
    """MSI property -> the field that sets it, in the answers class `answers`."""
    return dict(_owned_properties(answers))


@cache
def _owned_properties(answers: type) -> tuple[tuple[str, str], ...]:
    out: dict[str, str] = {"ADDLOCAL": "components"}
    for name, model in answers.section_types().items():
        for meta in model.fields():
            for prop in meta.msi:
                out[prop] = f"{name}.{meta.name}"
        for prop, _ in getattr(model, "fixed_properties", ()):
            out[prop] = name
    return tuple(out.items())

"""Which features of the Service and Portal package are installed (ADDLOCAL)."""

from __future__ import annotations

from typing import ClassVar

from tui.model.behaviour import ComponentsBehaviour
from tui.model.declare import Section, field


class Components(ComponentsBehaviour, Section):
    title: ClassVar[str] = "Components"
    required_by: ClassVar[tuple[str, ...]] = ()

    service: bool = field(
        "MIM Service",
        "The MIM Service: the web service, its database and its workflows.",
        feature="CommonServices",
        default=True,
    )
    portal: bool = field(
        "MIM Portal",
        "The MIM Portal, installed into an existing SharePoint site collection.",
        feature="WebPortals",
        default=True,
    )
    registration_portal: bool = field(
        "Password Registration portal",
        "The self-service password registration site, on IIS.",
        feature="RegistrationPortal",
        default=False,
    )
    reset_portal: bool = field(
        "Password Reset portal",
        "The self-service password reset site, on IIS.",
        feature="ResetPortal",
        default=False,
    )
    reporting: bool = field(
        "MIM Reporting",
        "Reporting to System Center Service Manager; outside the walkthrough, which leaves it "
        "out.",
        feature="FIMReporting",
        default=False,
    )
    pam: bool = field(
        "Privileged Access Management",
        "PAM components; outside the walkthrough.",
        feature="PAMServices",
        default=False,
    )


def component_title(name: str) -> str:
    """A component's title, as its field declares it (e.g. "Password Reset portal")."""
    return next(m.title for m in Components.fields() if m.name == name)

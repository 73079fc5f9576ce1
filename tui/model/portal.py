"""The portal page and the two self-service password portals."""

from __future__ import annotations

from typing import ClassVar

from tui.model.behaviour import SsprBehaviour
from tui.model.declare import Section, field
from tui.model.ports import SERVICE_PORT, STS_PORT
from tui.model.secrets import PROMPT, SecretRef
from tui.model.types import Account, Host, Port, Url


class Portal(Section):
    title: ClassVar[str] = "Portal"
    required_by: ClassVar[tuple[str, ...]] = ("service", "portal")

    service_address: Host | None = field(
        "MIM Service server address",
        "Host name of the MIM Service the portal talks to (this computer's name on a single "
        "server).",
        example="CORPIDM",
        msi="SERVICEADDRESS",
        default=None,
    )
    sharepoint_url: Url | None = field(
        "SharePoint site collection URL",
        "Root of the SharePoint site collection; the portal answers at "
        "<url>/identitymanagement.",
        example="http://CorpIDM.contoso.local",
        msi="SHAREPOINT_URL",
        default=None,
    )
    registration_url: Url | None = field(
        "Password Registration URL",
        "Where users register for self-service password reset (the Registration portal's "
        "address).",
        example="http://CorpIDM.contoso.local:8080",
        msi="REGISTRATION_PORTAL_URL",
        default=None,
    )
    reset_url: Url | None = field(
        "Password Reset URL",
        "Where users reset their password (the Reset portal's address).",
        example="http://CorpIDM.contoso.local:8088",
        msi="RESET_PORTAL_URL",
        default=None,
    )
    open_firewall: bool = field(
        f"Open ports {SERVICE_PORT} and {STS_PORT} in the firewall",
        "Adds the inbound rules Forefront Identity Manager Service (Webservice) and (STS).",
        msi="FIREWALL_CONF",
        default=True,
    )
    grant_authenticated_users: bool = field(
        "Grant authenticated users access to the portal",
        "Gives all authenticated users access to the MIM Portal site.",
        msi="SHAREPOINTUSERS_CONF",
        default=True,
    )
    sharepoint_timeout: int = field(
        "SharePoint deployment timeout",
        "Seconds the installer waits for the SharePoint solution packs to deploy.",
        example=180,
        msi="SHAREPOINTTIMEOUT",
        default=180,
        ge=30,
        le=3600,
    )


def _sspr(prefix: str, what: str, feature: str, example_account: str, example_port: int):
    """The Registration and Reset portals ask the same questions under different properties."""

    class Sspr(SsprBehaviour, Section):
        title: ClassVar[str] = f"Password {what} portal"
        required_by: ClassVar[tuple[str, ...]] = (feature,)
        msi_prefix: ClassVar[str] = prefix
        fixed_properties: ClassVar[tuple[tuple[str, str], ...]] = ((f"REQUIRE_{prefix}_INFO", "1"),)

        account: Account = field(
            "Application pool account",
            f"The account the Password {what} portal's IIS application pool runs as, "
            "DOMAIN\\name.",
            example=example_account,
            msi=(f"{prefix}_ACCOUNT", f"{prefix}_ACCOUNT_NAME", f"{prefix}_ACCOUNT_DOMAIN"),
        )
        password: SecretRef = field(
            "Application pool password",
            "Password of the application pool account.",
            msi=f"{prefix}_ACCOUNT_PASSWORD",
            secret=True,
            default=PROMPT,
        )
        host_name: Host = field(
            "Host name",
            "Host name of the IIS site (the binding's host header).",
            example="CORPIDM",
            msi=f"{prefix}_HOSTNAME",
        )
        port: Port = field(
            "Port",
            f"TCP port of the IIS site; not {SERVICE_PORT} or {STS_PORT}, which the MIM Service "
            "uses.",
            example=example_port,
            msi=f"{prefix}_PORT",
        )
        open_firewall: bool = field(
            "Open port in firewall",
            "Adds an inbound firewall rule for the port (both spellings of the property are "
            "passed, as sources disagree).",
            msi=(f"{prefix}_FIREWALL_CONF", f"{prefix}_FIREWALL_CONFIG"),
            default=True,
        )
        service_address: Host = field(
            "MIM Service server address",
            "Host name (not a URL) of the MIM Service this portal talks to.",
            example="CorpIDM.contoso.local",
            msi=f"{prefix}_SERVERNAME",
        )
        extranet: bool = field(
            "Extranet",
            "The portal is reachable from the extranet (IS_..._EXTRANET=Extranet).",
            msi=f"IS_{prefix}_EXTRANET",
            default=False,
        )

    Sspr.__name__ = Sspr.__qualname__ = f"{what}Portal"
    return Sspr


RegistrationPortal = _sspr(
    "REGISTRATION", "Registration", "registration_portal", "contoso\\MIMSSPR", 8080
)
ResetPortal = _sspr("RESET", "Reset", "reset_portal", "Contoso\\MIMSSPRService", 8088)

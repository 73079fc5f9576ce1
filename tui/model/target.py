"""Where and how the package is installed: the MSI on the target, the log, the WinRM target."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator

from tui.model import releases, rules
from tui.model.behaviour import TargetBehaviour
from tui.model.declare import Section, field
from tui.model.secrets import PROMPT, SecretRef
from tui.model.types import (
    Account,
    Host,
    LocalPath,
    MsiFile,
    MsiProperties,
    Port,
    TargetDiskPath,
    WindowsPath,
)

# Passwords for properties that have no field (an unselected portal's, or an unknown property
# whose name says password): references, like every password of the answer file.
MsiSecretProperties = Annotated[dict[str, SecretRef], AfterValidator(rules.msi_property_names)]
MsiPropertyNames = Annotated[list[str], AfterValidator(rules.msi_property_names)]


class Install(Section):
    title: ClassVar[str] = "Install options"
    required_by: ClassVar[tuple[str, ...]] = ("*",)

    msi_path: MsiFile = field(
        "MSI path on the target",
        "Full path of 'Service and Portal.msi' on the target server, from the unpacked "
        f"Service and Portal folder. The pre-flight reads its release: {releases.sp3_note()}.",
        example="C:\\Install\\Service and Portal\\Service and Portal.msi",
    )
    log_path: TargetDiskPath = field(
        "Install log on the target",
        "Verbose MSI log written by msiexec (/l*v!), followed live during the install.",
        example="C:\\Windows\\Temp\\mimsetup-service-portal.log",
        default="C:\\Windows\\Temp\\mimsetup-service-portal.log",
    )
    install_dir: WindowsPath | None = field(
        "Install folder",
        "Where the product is installed; empty for the installer's default "
        "(C:\\Program Files\\Microsoft Forefront Identity Manager\\2010\\).",
        example="C:\\Program Files\\Microsoft Forefront Identity Manager\\2010\\",
        msi="INSTALLDIR",
        default=None,
    )
    accept_eula: bool = field(
        "Accept the license terms",
        "You accept the Microsoft Identity Manager license terms; a silent install needs it.",
        msi="ACCEPT_EULA",
        default=True,
    )
    ceip: bool = field(
        "Customer Experience Improvement Program",
        "Send usage data to Microsoft.",
        msi="SQMOPTINSETTING",
        default=False,
    )


class Msi(Section):
    title: ClassVar[str] = "Other MSI properties"
    required_by: ClassVar[tuple[str, ...]] = ()

    extra_properties: MsiProperties = field(
        "Extra MSI properties",
        "Properties passed to msiexec as they are, for what has no field here (kept by "
        "`mimsetup import`).",
        example={"SQLSERVER_TIMEOUT": "600"},
        default_factory=dict,
    )
    secret_properties: MsiSecretProperties = field(
        "Extra secret MSI properties",
        "Passwords passed to msiexec for properties without a field here (an unselected "
        "portal's, or one whose name says password), each a reference such as "
        "{ file = \"x.secrets.toml\", key = \"NAME\" }; never shown.",
        example={"SQL_PASSWORD": {"prompt": True}},
        secret=True,
        default_factory=dict,
    )
    package_defaults: MsiPropertyNames = field(
        "Left to the package's defaults",
        "Properties the plan does not pass although a field here has a value, so that the "
        "package uses its own default, as the original command line did (`mimsetup import` "
        "lists those the line did not set).",
        example=["MAIL_SERVER_USE_SSL"],
        default_factory=list,
    )


class Target(TargetBehaviour, Section):
    title: ClassVar[str] = "Target"
    required_by: ClassVar[tuple[str, ...]] = ()

    host: Host = field(
        "Target server",
        "The Windows server to install on, reached over WinRM; localhost on the server itself.",
        example="CORPIDM.contoso.local",
    )
    https: bool = field(
        "HTTPS",
        "Use WinRM over HTTPS (port 5986). Over HTTP the messages are encrypted by "
        "NTLM/Kerberos/CredSSP; Basic over HTTP is refused.",
        default=True,
    )
    port: Port | None = field(
        "WinRM port",
        "Empty for the default: 5986 with HTTPS, 5985 without.",
        example=5986,
        default=None,
    )
    validate_certificate: bool = field(
        "Validate the server certificate",
        "Check the target's HTTPS certificate; turn off only for a lab.",
        default=True,
    )
    ca_bundle: LocalPath | None = field(
        "CA bundle",
        "A PEM file (on this machine) with the CA that signed the target's certificate.",
        example="./contoso-ca.pem",
        default=None,
    )
    transport: Literal["ntlm", "kerberos", "credssp", "basic"] = field(
        "Authentication",
        "ntlm, kerberos, credssp or basic (basic only over HTTPS).",
        example="ntlm",
        default="ntlm",
    )
    user: Account = field(
        "Install account",
        "A local administrator of the target, DOMAIN\\name; msiexec runs as this account.",
        example="contoso\\Administrator",
    )
    password: SecretRef = field(
        "Install account password",
        "Password of the install account.",
        secret=True,
        default=PROMPT,
    )

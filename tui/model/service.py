"""The MIM Service pages: database, mail server, certificate, service account, synchronization."""

from __future__ import annotations

from typing import ClassVar, Literal

from tui.model import releases
from tui.model.behaviour import CertificateBehaviour, ServiceAccountBehaviour
from tui.model.declare import Section, field
from tui.model.secrets import PROMPT, SecretRef
from tui.model.types import (
    Account,
    Email,
    Host,
    NetbiosDomain,
    SamAccountName,
    SqlDatabase,
    SqlServer,
    Text,
    Thumbprint,
)


class Database(Section):
    title: ClassVar[str] = "Database"
    required_by: ClassVar[tuple[str, ...]] = ("service",)

    server: SqlServer = field(
        "SQL Server",
        "The SQL Server that holds the MIM Service database: host, host\\instance or host,port "
        "(an alias or availability group listener is a host).",
        example="corpsql",
        msi="SQLSERVER_SERVER",
    )
    name: SqlDatabase = field(
        "Database name",
        "Name of the MIM Service database.",
        example="FIMService",
        msi="SQLSERVER_DATABASE",
        default="FIMService",
    )
    existing: bool = field(
        "Use an existing database",
        "Off: create a new database (the walkthrough's choice). On: reuse an existing one, as "
        "on a second MIM Service server.",
        msi="EXISTINGDATABASE",
        default=False,
    )


class Mail(Section):
    title: ClassVar[str] = "Mail server"
    required_by: ClassVar[tuple[str, ...]] = ("service",)

    server: Host = field(
        "Mail server",
        "The Exchange or SMTP server the MIM Service sends mail through; localhost when there "
        "is none.",
        example="localhost",
        msi="MAIL_SERVER",
    )
    use_ssl: bool = field(
        "Use SSL",
        "Connect to the mail server over SSL. Uncheck it with localhost.",
        msi="MAIL_SERVER_USE_SSL",
        default=True,
    )
    is_exchange: bool = field(
        "Mail server is Exchange",
        "The mail server is an Exchange server. Uncheck it with localhost.",
        msi="MAIL_SERVER_IS_EXCHANGE",
        default=True,
    )
    poll_exchange: bool = field(
        "Poll Exchange for mail",
        "Let the MIM Service read approval replies from its Exchange mailbox. Only with "
        "Exchange: the installer greys it out while neither Exchange box is checked.",
        msi="POLL_EXCHANGE_ENABLED",
        default=True,
        enabled_by=("is_exchange", "exchange_online"),
    )
    exchange_online: bool = field(
        "Exchange Online",
        f"The mailbox is in Exchange Online ({releases.since('exchange_online')}); needs the "
        "mailbox password.",
        msi="MAIL_SERVER_IS_EXCHANGE_ONLINE",
        default=False,
    )
    mailbox_password: SecretRef | None = field(
        "Mailbox password",
        "Password of the service account's Exchange Online mailbox.",
        msi="SERVICE_ACCOUNT_EMAIL_PASSWORD",
        secret=True,
        default=None,
    )


class Certificate(CertificateBehaviour, Section):
    title: ClassVar[str] = "Certificate"
    required_by: ClassVar[tuple[str, ...]] = ()

    mode: Literal["self-signed", "existing"] = field(
        "Certificate",
        "self-signed: the installer generates a new self-signed certificate; existing: use a "
        "certificate from the computer's store, by thumbprint.",
        example="self-signed",
        default="self-signed",
    )
    name: Text = field(
        "Certificate subject",
        "Subject of the generated self-signed certificate.",
        example="ForefrontIdentityManager",
        msi="CERTIFICATE_NAME",
        default="ForefrontIdentityManager",
        min_length=1,
    )
    thumbprint: Thumbprint | None = field(
        "Certificate thumbprint",
        "Thumbprint (40 hex digits) of an existing certificate in LocalMachine\\My.",
        example="0123456789ABCDEF0123456789ABCDEF01234567",
        msi="CERTIFICATE_THUMBPRINT",
        default=None,
    )


class ServiceAccount(ServiceAccountBehaviour, Section):
    title: ClassVar[str] = "Service account"
    required_by: ClassVar[tuple[str, ...]] = ("service",)

    name: SamAccountName = field(
        "Service account name",
        "The account the MIM Service runs as, without the domain; a gMSA name ends in $.",
        example="MIMService",
        msi="SERVICE_ACCOUNT_NAME",
    )
    domain: NetbiosDomain = field(
        "Service account domain",
        "NetBIOS name of the service account's domain.",
        example="contoso",
        msi="SERVICE_ACCOUNT_DOMAIN",
    )
    email: Email = field(
        "Service e-mail account",
        "E-mail address of the service account's mailbox.",
        example="MIMService@contoso.local",
        msi="SERVICE_ACCOUNT_EMAIL",
    )
    password: SecretRef = field(
        "Service account password",
        "Password of the service account; none for a gMSA.",
        msi="SERVICE_ACCOUNT_PASSWORD",
        secret=True,
        default=PROMPT,
    )
    managed: bool = field(
        "Group managed service account",
        f"The service account is a gMSA ({releases.since('gmsa')}): its name ends in $ and it "
        "has no password.",
        msi="USE_MANAGED_ACCOUNT_FOR_SERVICE",
        default=False,
    )


class Synchronization(Section):
    title: ClassVar[str] = "Synchronization server"
    required_by: ClassVar[tuple[str, ...]] = ("service",)

    # Optional: the package's own default is this computer (its SetServerToComputer action, in
    # the reference log), and published lines leave it out (#14.3).
    server: Host | None = field(
        "Synchronization Server",
        "The computer running the MIM Synchronization Service. Left empty, the installer uses "
        "this computer (its own default); the wizard offers the target server's name once the "
        "Target page names it.",
        example="CORPIDM",
        msi="SYNCHRONIZATION_SERVER",
        offer="target.host",
        default=None,
    )
    ma_account: Account = field(
        "MIM Management Agent account",
        "The account the MIM Management Agent connects with, DOMAIN\\name; it must differ "
        "from the service account.",
        example="contoso\\MIMMA",
        msi="SYNCHRONIZATION_SERVER_ACCOUNT",
    )

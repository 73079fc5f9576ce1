"""The simulated Windows server's state: a plain object that tests and emulated scripts read and
change. Nothing here runs commands; `machine.WindowsMachine` does, by reading and writing this.

Names are compared as Windows compares them: case-insensitively. Files live at Windows paths
mapped into a temporary directory (`C:\\Install\\a.msi` -> `<root>/C/Install/a.msi`), so a test can
put a package in place or corrupt it with ordinary file operations.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath


def normalise_url(url: str) -> str:
    """A site's address as `MachineState.sites` keys it."""
    return url.strip().rstrip("/").lower()


@dataclass
class Service:
    name: str
    display_name: str
    status: str = "Running"  # Running, Stopped, StartPending...
    start_type: str = "Automatic"


@dataclass
class Product:
    """An installed product, as its uninstall entry shows it."""

    code: str
    name: str
    version: str
    install_location: str = ""
    upgrade_code: str = ""  # what Installer.RelatedProducts finds it by


@dataclass
class DomainAccount:
    domain: str  # NetBIOS name
    name: str  # sAMAccountName
    sid: str
    enabled: bool = True
    email: str = ""
    # A gMSA's PrincipalsAllowedToRetrieveManagedPassword: lower-case DOMAIN\\computer$ or groups
    gmsa_readers: set[str] = field(default_factory=set)

    @property
    def key(self) -> str:
        return f"{self.domain}\\{self.name}".lower()


@dataclass
class SqlInstance:
    """A SQL Server as seen from the target."""

    host: str
    instance: str | None = None
    port: int = 1433
    version: str = "13.0.5026.0"  # SQL Server 2016 SP2
    reachable: bool = True  # TCP from the target gets through
    browser: bool = True  # SQL Server Browser answers on UDP 1434
    agent_running: bool = True
    fulltext: bool = True
    sysadmins: set[str] = field(default_factory=set)  # lower-case DOMAIN\user
    databases: set[str] = field(default_factory=lambda: {"master", "model", "msdb", "tempdb"})
    refused: set[str] = field(default_factory=set)  # lower-case logins refused ("Login failed")


@dataclass
class SimProcessInfo:
    pid: int
    name: str
    command_line: str
    started: str = ""  # start time (UTC, ISO 8601): a PID is reused, a start time is not


@dataclass
class MachineState:
    root: Path
    computer_name: str = "CORPIDM"
    domain: str = "contoso.local"  # DNS name; "" when not joined
    netbios_domain: str = "CONTOSO"
    workgroup: str = "WORKGROUP"
    os_caption: str = "Microsoft Windows Server 2019 Datacenter"
    os_build: int = 17763
    product_type: int = 3  # 1 workstation, 2 domain controller, 3 server
    network_profiles: list[tuple[str, str]] = field(
        default_factory=lambda: [("contoso.local", "DomainAuthenticated")]
    )
    administrators: set[str] = field(default_factory=set)  # lower-case DOMAIN\user
    services: dict[str, Service] = field(default_factory=dict)  # by lower-case name
    products: dict[str, Product] = field(default_factory=dict)  # by upper-case product code
    registry: dict[str, dict[str, object]] = field(default_factory=dict)  # by lower-case key
    free_mb: dict[str, int] = field(default_factory=lambda: {"C": 80_000})
    msi_mutex_held: bool = False
    # Files another process (a virus scanner) holds open without delete sharing: File.Replace
    # onto them throws IOException. Host paths, as `path()` gives them.
    held_files: set[str] = field(default_factory=set)
    processes: list[SimProcessInfo] = field(default_factory=list)
    accounts: dict[str, DomainAccount] = field(default_factory=dict)  # by lower DOMAIN\name
    listening: dict[int, str] = field(default_factory=dict)  # TCP port -> process name
    dns: dict[str, str] = field(default_factory=dict)  # lower-case name -> address
    sql: dict[str, SqlInstance] = field(default_factory=dict)  # by lower-case host
    sites: dict[str, int] = field(default_factory=dict)  # URL (normalised) -> HTTP status
    sharepoint_farm_admins: set[str] = field(default_factory=set)
    # Accounts with shell access to the configuration database (SharePoint_Shell_Access): they can
    # read the farm (Get-SPFarm) without being farm administrators.
    sharepoint_shell_users: set[str] = field(default_factory=set)
    # Whether the directory gives this computer account's tokenGroups to a logon that asks (a
    # hardened directory may not): it always holds at least the primary group when given.
    token_groups_readable: bool = True
    sharepoint_solutions: list[str] = field(default_factory=list)
    code_page: str = "cp1252"  # the system's ANSI code page (.NET Encoding.Default)
    execution_policy_gpo: str | None = None  # MachinePolicy execution policy, e.g. "AllSigned"
    install_log_path: str = "C:\\Windows\\Temp\\mimsetup-service-portal.log"  # the answers'
    # What auditing would record: every process command line (event 4688, Sysmon 1), every
    # cmdlet call with its parameter values (Module Logging, event 4103).
    process_log: list[str] = field(default_factory=list)
    module_log: list[tuple[str, str]] = field(default_factory=list)
    # How Windows behaves (windows-behaviour.md), read by sim/winbehaviour.py:
    winrm_delegates: bool = False  # CredSSP or Kerberos delegation: no double hop from WinRM
    loopback_check_disabled: bool = False  # DisableLoopbackCheck / BackConnectionHostNames
    # User rights (secedit's names, e.g. SeBatchLogonRight) -> lower-case holders (users, groups)
    user_rights: dict[str, set[str]] = field(default_factory=lambda: {
        "SeBatchLogonRight": {"builtin\\administrators", "builtin\\backup operators",
                              "builtin\\performance log users"},
        "SeDenyBatchLogonRight": set(),
    })
    groups: dict[str, set[str]] = field(default_factory=dict)  # lower-case group -> members
    language_mode: str = "FullLanguage"  # ConstrainedLanguage under WDAC or AppLocker
    # Users whose registry hive is loaded (HKEY_USERS\\<SID>): logged on somewhere, or a service.
    # A WinRM shell opened without a profile loads none: its HKCU is HKEY_USERS\\.DEFAULT.
    loaded_hives: set[str] = field(default_factory=set)

    # --- names ----------------------------------------------------------------------------------

    @property
    def joined(self) -> bool:
        return bool(self.domain)

    @property
    def fqdn(self) -> str:
        name = self.computer_name.lower()
        return f"{name}.{self.domain.lower()}" if self.domain else name

    def is_this_computer(self, name: str) -> bool:
        n = (name or "").strip().lower()
        return n in {
            self.computer_name.lower(),
            self.fqdn,
            "localhost",
            ".",
            "(local)",
            "127.0.0.1",
            "::1",
        }

    def resolve(self, name: str) -> str | None:
        n = (name or "").strip().lower()
        if self.is_this_computer(n):
            return "10.0.0.10"
        return self.dns.get(n)

    # --- files ----------------------------------------------------------------------------------

    def path(self, windows_path: str) -> Path:
        """Where a Windows path of the target lives in the temporary directory."""
        p = PureWindowsPath(windows_path)
        drive = (p.drive[:1] or "C").upper()
        parts = [x for x in p.parts[1:] if x not in ("\\", "/")]
        return self.root.joinpath(drive, *parts)

    def write_file(self, windows_path: str, data: bytes | str) -> Path:
        target = self.path(windows_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            target.write_text(data, encoding="utf-8")
        else:
            target.write_bytes(data)
        return target

    def file_exists(self, windows_path: str) -> bool:
        return self.path(windows_path).is_file()

    def put_msi(self, windows_path: str, properties: dict[str, str]) -> Path:
        """A stand-in installer package: its Property table as JSON (what OpenDatabase reads)."""
        return self.write_file(windows_path, json.dumps({"msi-property-table": properties}))

    def read_msi(self, windows_path: str) -> dict[str, str] | None:
        """The Property table of a package, or None when the file is not a package."""
        try:
            doc = json.loads(self.path(windows_path).read_text(encoding="utf-8"))
            table = doc["msi-property-table"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return {str(k): str(v) for k, v in table.items()} if isinstance(table, dict) else None

    # --- registry -------------------------------------------------------------------------------

    def reg_key(self, key: str) -> dict[str, object] | None:
        return self.registry.get(key.lower())

    def reg_set(self, key: str, name: str | None = None, value: object = None) -> None:
        values = self.registry.setdefault(key.lower(), {})
        if name is not None:
            values[name] = value

    def reg_get(self, key: str, name: str) -> object:
        values = self.reg_key(key) or {}
        return values.get(name)

    def reg_delete(self, key: str) -> None:
        self.registry.pop(key.lower(), None)

    # --- services and products ------------------------------------------------------------------

    def service(self, name: str) -> Service | None:
        return self.services.get(name.lower())

    def add_service(self, name: str, display_name: str, status: str = "Running") -> Service:
        svc = Service(name, display_name, status)
        self.services[name.lower()] = svc
        return svc

    def remove_service(self, name: str) -> None:
        self.services.pop(name.lower(), None)

    def add_product(self, code: str, name: str, version: str, location: str = "",
                    upgrade_code: str = "") -> Product:
        product = Product(code.upper(), name, version, location, upgrade_code.upper())
        self.products[product.code] = product
        return product

    # --- directory ------------------------------------------------------------------------------

    def add_account(self, domain: str, name: str, **kw: object) -> DomainAccount:
        rid = 1100 + len(self.accounts)
        account = DomainAccount(
            domain.upper(), name, f"S-1-5-21-1004336348-1177238915-682003330-{rid}", **kw
        )  # type: ignore[arg-type]
        self.accounts[account.key] = account
        return account

    def find_account(self, account: str) -> DomainAccount | None:
        """DOMAIN\\name or name@dns.domain, as NTAccount.Translate takes them."""
        account = account.strip()
        if "\\" in account:
            return self.accounts.get(account.lower())
        name, _, dns_domain = account.partition("@")
        netbios = dns_domain.split(".")[0]
        return self.accounts.get(f"{netbios}\\{name}".lower())

    def find_sql(self, host: str) -> SqlInstance | None:
        n = host.strip().lower()
        if n in (".", "(local)", "localhost"):
            n = self.computer_name.lower()
        found = self.sql.get(n)
        if found is None and "." in n:
            found = self.sql.get(n.split(".")[0])
        return found

"""`Endpoint`: where the target's WinRM listens and how to log on to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from tui.engine.errors import ConnectionProblem
from tui.flags import INSECURE

Transport = Literal["ntlm", "kerberos", "credssp", "basic"]
# Transports whose logon context can seal messages, so plain HTTP stays confidential.
ENCRYPTING = frozenset({"ntlm", "kerberos", "credssp"})


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int | None = None  # None: 5986 for HTTPS, 5985 for HTTP
    https: bool = True
    cert_validation: bool = True
    ca_bundle: str | Path | None = None
    transport: Transport = "ntlm"
    user: str = ""
    password: str = field(default="", repr=False)
    allow_insecure: bool = False
    operation_timeout: int = 20  # seconds one Receive may wait on the server (the long-poll)
    read_timeout: int = 25  # HTTP read timeout of a Receive; must exceed operation_timeout
    connect_timeout: int = 10  # TCP (and TLS) connection set-up
    answer_timeout: int = 15  # read timeout of requests answered at once (logon, Create, Command)

    def __post_init__(self) -> None:
        if self.port is None:
            object.__setattr__(self, "port", 5986 if self.https else 5985)

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        scheme = "https" if self.https else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}/wsman"

    def check(self) -> None:
        """Raise ConnectionProblem for settings that must not be used, before any connection."""
        if self.transport not in (*ENCRYPTING, "basic"):
            raise ConnectionProblem(
                f"The transport '{self.transport}' is not supported for {self.where}.",
                "Use ntlm, kerberos, credssp or basic.",
            )
        if not self.https and self.transport not in ENCRYPTING and not self.allow_insecure:
            raise ConnectionProblem(
                f"Basic authentication over plain HTTP to {self.where} would send the password "
                "unencrypted, so it was not attempted.",
                "Use HTTPS (port 5986), or NTLM/Kerberos which encrypt over HTTP; pass "
                f"{INSECURE} only on an isolated lab network.",
            )
        if not self.user:
            raise ConnectionProblem(
                f"No user name was given for {self.where}.",
                "Give the account to log on with, for a domain account as CONTOSO\\admin.",
            )
        if not 1 <= self.operation_timeout < self.read_timeout or min(
            self.connect_timeout, self.answer_timeout
        ) <= 0:
            raise ConnectionProblem(
                f"The timeouts for {self.where} do not fit together.",
                "The read timeout must be longer than the operation timeout (at least 1 s), and "
                "the connect and answer timeouts positive.",
            )

"""`SimTarget`: the simulated Windows target running in a background thread."""

from __future__ import annotations

import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from tui.engine.endpoint import Endpoint
from tui.engine.sim.echo import EchoMachine
from tui.engine.sim.faults import Counters, Faults
from tui.engine.sim.ntlm import write_user_file
from tui.engine.sim.process import Machine
from tui.engine.sim.shells import WinRS
from tui.engine.sim.tls import generate
from tui.engine.sim.winrs import WinRSServer

DEFAULT_USERS = {"CONTOSO\\Administrator": "Sim-Passw0rd!"}


@dataclass(frozen=True)
class SimEndpoint:
    """Where the simulated target listens and the account to log on with."""

    host: str
    port: int
    scheme: str
    ca_path: Path | None
    user: str
    password: str = field(repr=False)

    @property
    def https(self) -> bool:
        return self.scheme == "https"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}/wsman"

    def client_endpoint(self, **overrides: object) -> Endpoint:
        """The client's Endpoint for this target, validating TLS through the generated CA."""
        values: dict[str, object] = dict(
            host=self.host,
            port=self.port,
            https=self.https,
            ca_bundle=self.ca_path,
            transport="ntlm",
            user=self.user,
            password=self.password,
        )
        values.update(overrides)
        return Endpoint(**values)  # type: ignore[arg-type]


@dataclass
class ServerState:
    """What tests inspect and steer: injected faults, counters, the shells and commands."""

    faults: Faults
    counters: Counters
    winrs: WinRS

    def live_commands(self) -> int:
        return self.winrs.live_commands()

    def live_shells(self) -> int:
        return len(self.winrs.shells)


class SimTarget:
    """Context manager: a WinRS server on 127.0.0.1 with a random free port.

    `operation_timeout_cap` bounds how long one Receive waits for output (Windows: MaxTimeoutms,
    60 s), so tests can use short long-polls whatever the client asks for.
    """

    def __init__(
        self,
        machine: Machine | None = None,
        *,
        https: bool = False,
        users: dict[str, str] | None = None,
        operation_timeout_cap: float = 60.0,
        allow_basic: bool = True,
        offer_ntlm: bool = False,
        allow_unencrypted: bool = False,
        max_shells_per_user: int = 30,
    ) -> None:
        self.machine = machine or EchoMachine()
        self.https = https
        self.users = dict(users or DEFAULT_USERS)
        if not self.users:
            raise ValueError("a simulated target needs at least one user")
        self._options = dict(
            wait_cap=operation_timeout_cap,
            allow_basic=allow_basic,
            offer_ntlm=offer_ntlm,
            allow_unencrypted=allow_unencrypted,
            max_shells_per_user=max_shells_per_user,
        )
        self._tmp: Path | None = None
        self._server: WinRSServer | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"SimTarget(https={self.https}, running={self._server is not None})"

    def start(self) -> SimTarget:
        self._tmp = Path(tempfile.mkdtemp(prefix="mimsetup-sim-"))
        try:
            user_file = self._tmp / "ntlm-users"
            write_user_file(user_file, self.users)
            cert = generate(self._tmp) if self.https else None
            self._server = WinRSServer(
                self.machine, self.users, user_file, cert, **self._options  # type: ignore[arg-type]
            )
        except BaseException:
            shutil.rmtree(self._tmp, ignore_errors=True)
            raise
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"sim-target:{self._server.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def __enter__(self) -> SimTarget:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def server(self) -> WinRSServer:
        if self._server is None:
            raise RuntimeError("the simulated target is not running")
        return self._server

    @property
    def endpoint(self) -> SimEndpoint:
        srv = self.server
        user, password = next(iter(self.users.items()))
        ca = srv.certificate.cert_path if srv.certificate else None
        return SimEndpoint("127.0.0.1", srv.port, srv.scheme, ca, user, password)

    @property
    def server_state(self) -> ServerState:
        srv = self.server
        return ServerState(srv.faults, srv.counters, srv.winrs)

    @property
    def faults(self) -> Faults:
        return self.server.faults

    @property
    def counters(self) -> Counters:
        return self.server.counters

"""`ShellSession`: the WinRM connection and the one shell of a RemoteShell, with what it takes
to keep them: logons, Create (safe to repeat) and Delete (also after failures), requests the
listener rejected unread sent again under a fresh logon, honest counts."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from tui.engine.endpoint import Endpoint
from tui.engine.shell_problems import kind, problem
from tui.engine.shell_transport import MeteredProtocol

log = logging.getLogger(__name__)

# HTTP.sys drops idle keep-alive connections after 2 minutes; renew well before, so that the
# usual case costs nothing. A shorter limit (a proxy, a firewall) is caught as a stale request.
IDLE_RENEW = 60.0
# A shell with no request for this long is deleted by the target: what bounds the life of a shell
# whose Create reply was lost (its id never reached us, so we cannot delete it).
SHELL_IDLE_TIMEOUT = 300


class ShellSession:
    def __init__(self, endpoint: Endpoint, *, max_retries: int = 4, backoff: float = 0.25):
        self.endpoint = endpoint
        self.max_retries = max_retries
        self.backoff = backoff
        self.reconnects = 0
        self.reruns = 0
        self.shells_opened = 0
        self.shells_closed = 0
        # The target's OEM code page, learnt the first time output needs it (RemoteShell).
        self.oem_codepage: str | None = None
        self._protocol: MeteredProtocol | None = None
        self._shell_id: str | None = None
        self._last_used = 0.0

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.endpoint.where}, open={self._shell_id is not None})"

    def __enter__(self):
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def requests(self) -> int:
        """HTTP requests sent so far, authentication legs included."""
        return self._protocol.http_requests if self._protocol else 0

    @property
    def logons(self) -> int:
        return self._protocol.logons if self._protocol else 0

    def open(self) -> None:
        ep = self.endpoint
        ep.check()
        if self._protocol is None:
            try:
                self._protocol = MeteredProtocol(
                    ep.url,
                    transport=ep.transport,
                    username=ep.user,
                    password=ep.password,
                    server_cert_validation="validate" if ep.cert_validation else "ignore",
                    # None: the system trust store, never a CA path picked up from the environment
                    ca_trust_path=str(ep.ca_bundle) if ep.ca_bundle else None,  # type: ignore[arg-type]
                    read_timeout_sec=ep.read_timeout,
                    operation_timeout_sec=ep.operation_timeout,
                    message_encryption="auto",
                    proxy=None,
                    connect_timeout=ep.connect_timeout,
                    quick_timeout=ep.answer_timeout,
                )
            except Exception as exc:
                raise problem(exc, ep) from None
        if self._shell_id is None:
            self._shell_id = self._create()

    def _create(self) -> str:
        """Create is safe to repeat: a shell made by an attempt whose reply was lost is unknown
        to us and ends after SHELL_IDLE_TIMEOUT on the target."""
        protocol = self._protocol
        assert protocol is not None
        failures = 0
        while True:
            protocol.quick()
            try:
                shell_id = self._call(
                    protocol.open_shell, noprofile=True, codepage=65001,
                    idle_timeout=f"PT{SHELL_IDLE_TIMEOUT}.000S",
                )
                self.shells_opened += 1
                return shell_id
            except Exception as exc:
                k = kind(exc)
                # A listener that never answered anything is not asked again: each attempt
                # would wait as long again.
                silent = k == "read-timeout" and not protocol.answered
                if k not in ("dropped", "read-timeout", "http", "fault") or silent or (
                    failures >= self.max_retries
                ):
                    self._reset_session()
                    raise problem(exc, self.endpoint, protocol.last_wait) from None
                failures += 1
                log.info("opening a shell on %s failed (%s); trying again", self.endpoint.where, k)
                self._pause(failures, None)
                self._reset_session()

    def close(self) -> None:
        """Delete the shell and drop the connection; errors are logged, never raised."""
        protocol = self._protocol
        if protocol is None:
            return
        try:
            self._delete_shell()
        finally:
            protocol.transport.close_session()

    def _delete_shell(self) -> None:
        """Delete the shell (ending every process in it); tried again on a new connection."""
        protocol, shell_id = self._protocol, self._shell_id
        self._shell_id = None
        if protocol is None or shell_id is None:
            return
        protocol.quick()
        for _attempt in (1, 2):
            try:
                self._call(protocol.close_shell, shell_id, close_session=False)
                self.shells_closed += 1
                return
            except Exception as exc:
                k = kind(exc)
                if k == "gone":  # a first Delete whose reply was lost did it
                    self.shells_closed += 1
                    return
                log.info("closing the shell on %s failed: %s", self.endpoint.where, k)
                self._reset_session()
        log.warning("the shell on %s could not be closed; the target ends it after %d s idle",
                    self.endpoint.where, SHELL_IDLE_TIMEOUT)

    def _call(self, fn: Callable, *args, **kwargs):
        """One WinRM request. One the listener rejected unread (a sealed body resent on a new
        connection after the server closed the idle one) is sent again under a fresh logon."""
        for attempt in (1, 2):
            try:
                result = fn(*args, **kwargs)
                self._last_used = time.monotonic()
                return result
            except Exception as exc:
                if attempt == 2 or kind(exc) != "stale":
                    raise
                log.info("%s closed the connection; logging on again", self.endpoint.where)
                self._reset_session()
        raise AssertionError("unreachable")

    def _wait(self) -> float:
        return self._protocol.last_wait if self._protocol else 0.0

    def _reset_session(self) -> None:
        """Forget the HTTP session: the next request opens a new connection and logs on again
        (and, over HTTP, sets message encryption up again)."""
        if self._protocol is not None:
            try:
                self._protocol.transport.close_session()
            except Exception as exc:
                log.debug("closing the HTTP session failed: %s", type(exc).__name__)
            self.reconnects += 1

    def _renew_if_idle(self) -> None:
        if self._last_used and time.monotonic() - self._last_used > IDLE_RENEW:
            self._reset_session()

    def _pause(self, failures: int, deadline: float | None) -> None:
        delay = min(self.backoff * 2 ** (failures - 1), 2.0)
        if deadline is not None:
            delay = max(0.0, min(delay, deadline - time.monotonic()))
        time.sleep(delay)


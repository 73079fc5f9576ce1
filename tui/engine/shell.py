"""`RemoteShell`: one WinRS shell on the target, reused for every command, with streamed output.

Built on pywinrm's `Protocol` (one method per WinRS action), not `winrm.Session`, which opens a
shell per command and hands output over only once the command is done. What this adds:
  * a receive loop that passes each chunk on as it arrives, with an overall deadline;
  * reconnection when the connection drops mid-command: a fresh HTTP session (new TCP connection,
    new NTLM logon) that keeps receiving the same command, so nothing runs twice;
  * stdin for large or secret input (`run_script`: secrets never go on a command line);
  * every failure turned into a ConnectionProblem / RemoteFault / CommandTimeout in plain words.
"""

from __future__ import annotations

import codecs
import logging
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import requests
from winrm.exceptions import (
    InvalidCredentialsError,
    WinRMError,
    WinRMOperationTimeoutError,
    WinRMTransportError,
    WSManFaultError,
)
from winrm.protocol import Protocol

from tui.engine import scripts
from tui.engine.endpoint import Endpoint
from tui.engine.errors import CommandTimeout, ConnectionProblem, EngineError, RemoteFault

log = logging.getLogger(__name__)

OutputCallback = Callable[[str], None]

GONE = 2150858843  # WS-Man: the shell or command id is unknown to the server
STDIN_CHUNK = 64 * 1024  # stays well under MaxEnvelopeSize once base64-encoded
# HTTP.sys drops idle keep-alive connections after 2 minutes; a request that is not safe to
# repeat must not be the one that discovers a dead pooled connection, so renew well before.
IDLE_RENEW = 60.0


@dataclass(frozen=True)
class CommandResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


class _CountingProtocol(Protocol):
    """pywinrm's Protocol counting WS-Man round trips (logon handshakes are not counted)."""

    requests = 0

    def send_message(self, message: str) -> bytes:
        self.requests += 1
        return super().send_message(message)


class RemoteShell:
    def __init__(self, endpoint: Endpoint, *, max_retries: int = 4, backoff: float = 0.25):
        self.endpoint = endpoint
        self.max_retries = max_retries
        self.backoff = backoff
        self.reconnects = 0
        self._protocol: _CountingProtocol | None = None
        self._shell_id: str | None = None
        self._last_used = 0.0

    def __repr__(self) -> str:
        return f"RemoteShell({self.endpoint.where}, open={self._shell_id is not None})"

    def __enter__(self) -> RemoteShell:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def requests(self) -> int:
        """WS-Man round trips so far (for benchmarks)."""
        return self._protocol.requests if self._protocol else 0

    # --- lifetime -------------------------------------------------------------------------------

    def open(self) -> None:
        ep = self.endpoint
        ep.check()
        if self._protocol is None:
            try:
                self._protocol = _CountingProtocol(
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
                )
            except Exception as exc:
                raise _problem(exc, ep) from None
        if self._shell_id is None:
            self._shell_id = self._with_retries(self._open_shell, safe=True)

    def _open_shell(self) -> str:
        assert self._protocol is not None
        return self._protocol.open_shell(noprofile=True, codepage=65001)

    def close(self) -> None:
        """Delete the shell and drop the connection; errors are logged, never raised."""
        protocol, shell_id = self._protocol, self._shell_id
        self._shell_id = None
        if protocol is None:
            return
        try:
            if shell_id is not None:
                protocol.close_shell(shell_id, close_session=True)
        except Exception as exc:
            log.info("closing the shell on %s failed: %s", self.endpoint.where, type(exc).__name__)
        finally:
            protocol.transport.close_session()

    # --- commands -------------------------------------------------------------------------------

    def run(
        self,
        command: str,
        arguments: Sequence[str] = (),
        stdin: bytes | None = None,
        on_stdout: OutputCallback | None = None,
        on_stderr: OutputCallback | None = None,
        deadline: float | None = None,
        *,
        label: str | None = None,
    ) -> CommandResult:
        """Run one command in the shell; `deadline` is a time.monotonic() value.

        Output is decoded as UTF-8 (the shell runs with code page 65001) and handed to the
        callbacks chunk by chunk as it arrives.
        """
        label = label or command
        started = time.monotonic()
        self._check_deadline(deadline, started, label)
        command_id = self._start(command, list(arguments))
        try:
            if stdin is not None:
                self._send_stdin(command_id, stdin)
            return self._receive(command_id, on_stdout, on_stderr, deadline, started, label)
        finally:
            self._cleanup(command_id)

    def run_script(
        self,
        name: str,
        params: dict,
        on_stdout: OutputCallback | None = None,
        deadline: float | None = None,
        on_stderr: OutputCallback | None = None,
    ) -> CommandResult:
        """Run mimsetup script `name`: fixed bootstrap on the command line, script and params
        (secrets included) on stdin."""
        return self.run(
            scripts.POWERSHELL,
            scripts.bootstrap_args(),
            stdin=scripts.stdin_payload(name, params),
            on_stdout=on_stdout,
            on_stderr=on_stderr,
            deadline=deadline,
            label=f"The script '{name}'",
        )

    def _start(self, command: str, arguments: list[str]) -> str:
        if self._shell_id is None:
            self.open()
        self._renew_if_idle()
        protocol = self._protocol
        assert protocol is not None
        for attempt in (1, 2):
            try:
                command_id = protocol.run_command(self._shell_id, command, arguments)
                self._last_used = time.monotonic()
                log.debug("started %s on %s", command, self.endpoint.where)
                return command_id
            except WSManFaultError as exc:
                if attempt == 1 and exc.wsman_fault_code == GONE:
                    # The shell timed out or was closed on the target: a new one is safe to use,
                    # since the command never started.
                    log.info("shell on %s is gone; opening a new one", self.endpoint.where)
                    self._shell_id = None
                    self.open()
                    continue
                raise _problem(exc, self.endpoint) from None
            except Exception as exc:
                self._reset_session()
                raise _problem(exc, self.endpoint) from None
        raise AssertionError("unreachable")

    def _send_stdin(self, command_id: str, data: bytes) -> None:
        assert self._protocol is not None
        chunks = [data[i : i + STDIN_CHUNK] for i in range(0, len(data), STDIN_CHUNK)] or [b""]
        for i, chunk in enumerate(chunks):
            try:
                self._protocol.send_command_input(
                    self._shell_id, command_id, chunk, end=i == len(chunks) - 1
                )
            except Exception as exc:
                # Input is not safe to send twice: report instead of guessing what arrived.
                self._reset_session()
                raise _problem(exc, self.endpoint) from None
        self._last_used = time.monotonic()

    def _receive(
        self,
        command_id: str,
        on_stdout: OutputCallback | None,
        on_stderr: OutputCallback | None,
        deadline: float | None,
        started: float,
        label: str,
    ) -> CommandResult:
        assert self._protocol is not None
        streams = (_Stream(on_stdout), _Stream(on_stderr))
        failures = 0
        reauthed = False
        while True:
            self._check_deadline(deadline, started, label)
            try:
                out, err, code, done = self._protocol.get_command_output_raw(
                    self._shell_id, command_id
                )
            except WinRMOperationTimeoutError:
                failures = 0  # no output yet; the connection is fine
                continue
            except Exception as exc:
                kind = _kind(exc)
                if kind == "gone":
                    self._shell_id = None if _shell_gone(exc) else self._shell_id
                    raise RemoteFault(
                        f"{label} is no longer known to {self.endpoint.where}; its output "
                        "cannot be collected.",
                        "The shell may have timed out or been closed on the target; run the "
                        "step again.",
                        _detail(exc, self.endpoint),
                    ) from None
                retry = kind not in ("tls", "dns") and failures < self.max_retries
                if kind == "auth":
                    # One fresh logon is worth trying (the old one may have expired); more
                    # attempts with a wrong password could lock the account out.
                    retry = retry and not reauthed
                    reauthed = True
                if not retry:
                    raise _problem(exc, self.endpoint) from None
                failures += 1
                log.info(
                    "receive from %s failed (%s); reconnecting, attempt %d",
                    self.endpoint.where, kind, failures,
                )
                self._pause(failures, deadline)
                self._reset_session()
                continue
            failures = 0
            self._last_used = time.monotonic()
            streams[0].feed(out)
            streams[1].feed(err)
            if done:
                return CommandResult(code, streams[0].finish(), streams[1].finish())

    def _cleanup(self, command_id: str) -> None:
        """Signal the command to stop and forget it; tolerant, because it runs in `finally`."""
        if self._protocol is None or self._shell_id is None:
            return
        for attempt in (1, 2):
            try:
                self._protocol.cleanup_command(self._shell_id, command_id)
                return
            except Exception as exc:
                kind = _kind(exc)
                log.info("stopping a command on %s failed: %s", self.endpoint.where, kind)
                if kind == "gone" or attempt == 2:
                    return
                self._reset_session()

    # --- plumbing -------------------------------------------------------------------------------

    def _with_retries(self, fn: Callable[[], str], *, safe: bool) -> str:
        failures = 0
        while True:
            try:
                result = fn()
                self._last_used = time.monotonic()
                return result
            except Exception as exc:
                kind = _kind(exc)
                if not safe or kind not in ("dropped", "read-timeout", "http") or (
                    failures >= self.max_retries
                ):
                    self._reset_session()
                    raise _problem(exc, self.endpoint) from None
                failures += 1
                self._pause(failures, None)
                self._reset_session()

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

    def _check_deadline(self, deadline: float | None, started: float, label: str) -> None:
        if deadline is not None and time.monotonic() >= deadline:
            allowed = max(0.0, deadline - started)
            raise CommandTimeout(
                f"{label} on {self.endpoint.where} did not finish within {allowed:.0f} s and "
                "was stopped.",
                "Check the target for what holds the command up, or allow more time.",
            )


class _Stream:
    """Decodes one output stream incrementally (a chunk may end mid-character)."""

    def __init__(self, callback: OutputCallback | None) -> None:
        self._callback = callback
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._parts: list[str] = []

    def feed(self, data: bytes, final: bool = False) -> None:
        text = self._decoder.decode(data, final)
        if text:
            self._parts.append(text)
            if self._callback is not None:
                self._callback(text)

    def finish(self) -> str:
        self.feed(b"", final=True)
        return "".join(self._parts)


# --- turning exceptions into plain words ------------------------------------------------------


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo = [exc]
    while todo:
        e = todo.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo.extend(x for x in (e.__cause__, e.__context__, getattr(e, "reason", None)) if x)
        todo.extend(a for a in e.args if isinstance(a, BaseException))


def _kind(exc: BaseException) -> str:
    # requests-credssp raises its own AuthenticationException when the logon is refused.
    if isinstance(exc, InvalidCredentialsError) or type(exc).__name__ == "AuthenticationException":
        return "auth"
    if isinstance(exc, WSManFaultError):
        return "gone" if exc.wsman_fault_code == GONE else "fault"
    if isinstance(exc, WinRMTransportError):
        return "http"
    if isinstance(exc, requests.exceptions.SSLError):
        return "tls"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connect-timeout"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return "read-timeout"
    if isinstance(exc, requests.exceptions.ConnectionError):
        for e in _chain(exc):
            if isinstance(e, socket.gaierror) or type(e).__name__ == "NameResolutionError":
                return "dns"
            if isinstance(e, ConnectionRefusedError):
                return "refused"
        return "dropped"
    return "other"


def _shell_gone(exc: WSManFaultError) -> bool:
    return "shell" in (exc.reason or "").lower()


def _detail(exc: BaseException, ep: Endpoint) -> str:
    text = f"{type(exc).__name__}: {exc}"
    if ep.password:
        text = text.replace(ep.password, "********")
    return text[:500]


def _problem(exc: BaseException, ep: Endpoint) -> EngineError:
    if isinstance(exc, EngineError):
        return exc
    kind, where, detail = _kind(exc), ep.where, _detail(exc, ep)
    if kind == "auth":
        return ConnectionProblem(
            f"{where} refused the logon of {ep.user or 'the given user'}.",
            "Check the user name and password; for a domain account write it as CONTOSO\\admin.",
            detail,
        )
    if kind == "tls":
        return ConnectionProblem(
            f"The TLS certificate of {where} could not be verified.",
            "Pass the CA certificate with --ca-bundle, or check the host name matches the "
            "certificate.",
            detail,
        )
    if kind == "dns":
        return ConnectionProblem(
            f"The host name {ep.host} (port {ep.port}) could not be found.",
            "Check the host name; it does not resolve.",
            detail,
        )
    if kind == "refused":
        return ConnectionProblem(
            f"{where} refused the connection.",
            "Check WinRM is listening: on the target run `winrm quickconfig -transport:https` "
            "(or `winrm quickconfig` for HTTP), and check the port and the firewall.",
            detail,
        )
    if kind == "connect-timeout":
        return ConnectionProblem(
            f"Connecting to {where} timed out.",
            "Check the host is up and that the firewall lets the WinRM port through.",
            detail,
        )
    if kind == "read-timeout":
        return ConnectionProblem(
            f"{where} stopped answering for more than {ep.read_timeout} s.",
            "Check the target is not overloaded, or raise the read timeout.",
            detail,
        )
    if kind == "dropped":
        return ConnectionProblem(
            f"The connection to {where} was lost and could not be restored.",
            "Check the network between this machine and the target, then run the step again.",
            detail,
        )
    if kind == "http":
        code = getattr(exc, "code", "?")
        return ConnectionProblem(
            f"{where} answered with HTTP status {code}, not as a WinRM service.",
            "Check the port and that WinRM listens there (path /wsman).",
            detail,
        )
    if isinstance(exc, WSManFaultError):
        reason = (exc.reason or "no reason given").strip()
        return RemoteFault(
            f"The WinRM service on {where} reported an error: {reason}",
            "Check the WinRM service on the target (`winrm get winrm/config`) and try again.",
            detail,
        )
    if isinstance(exc, WinRMError):
        return ConnectionProblem(
            f"The connection to {where} could not be set up ({type(exc).__name__}).",
            "Check the transport setting; Kerberos and CredSSP need their extra packages.",
            detail,
        )
    return ConnectionProblem(
        f"Talking to {where} failed unexpectedly ({type(exc).__name__}).",
        "Run the step again; if it keeps failing, report it with the log file.",
        detail,
    )

"""What a failed WinRM request means, in plain words: the kind of failure (which decides what may
be retried) and the sentence the user reads. Used by `tui.engine.shell`; knows pywinrm's and
requests' exceptions so no other layer has to."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import requests
from winrm.exceptions import (
    InvalidCredentialsError,
    WinRMError,
    WinRMTransportError,
    WSManFaultError,
)

from tui.engine.endpoint import Endpoint
from tui.engine.errors import (
    ConnectionProblem,
    EngineError,
    LogonRefused,
    OutputLost,
    RemoteFault,
    ReplyLost,
)
from tui.flags import CA_BUNDLE

GONE = 2150858843  # WS-Man: the shell or command id is unknown to the server
# ERROR_WSMAN_QUOTA_MAX_SHELLS (0x803381A5): the account has MaxShellsPerUser shells open.
MAX_SHELLS = 2150859173
TIMED_OUT = 2150858793


def chain(exc: BaseException) -> Iterator[BaseException]:
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


def kind(exc: BaseException) -> str:
    """One word for what went wrong. Kinds whose request never reached the WinRM service:
    refused, dns, tls, connect-timeout, stale (HTTP 400 for a body sealed for a logon the
    server no longer has). Kinds where the service may have acted and its reply is lost:
    dropped, read-timeout."""
    # requests-credssp raises its own AuthenticationException when the logon is refused.
    if isinstance(exc, InvalidCredentialsError) or type(exc).__name__ == "AuthenticationException":
        return "auth"
    if isinstance(exc, WSManFaultError):
        if exc.wsman_fault_code == GONE:
            return "gone"
        return "max-shells" if exc.wsman_fault_code == MAX_SHELLS else "fault"
    if isinstance(exc, WinRMTransportError):
        # Over a sealed session, HTTP 400 with no body is what the listener answers a message
        # it cannot unseal: the HTTP stack resent it on a new connection after the old one was
        # closed, under a new logon. The service never saw it.
        if exc.code == 400 and not (exc.response_text or "").strip():
            return "stale"
        return "http"
    if isinstance(exc, requests.exceptions.SSLError):
        return "tls"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connect-timeout"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return "read-timeout"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "dropped"  # reset halfway through the answer: the rest of it never came
    if isinstance(exc, requests.exceptions.ConnectionError):
        for e in chain(exc):
            if isinstance(e, socket.gaierror) or type(e).__name__ == "NameResolutionError":
                return "dns"
            if isinstance(e, ConnectionRefusedError):
                return "refused"
        return "dropped"
    return "other"


NOT_SENT = frozenset({"refused", "dns", "tls", "connect-timeout", "stale"})
REPLY_LOST = frozenset({"dropped", "read-timeout"})


def shell_gone(exc: BaseException) -> bool:
    return isinstance(exc, WSManFaultError) and "shell" in (exc.reason or "").lower()


def detail(exc: BaseException, ep: Endpoint) -> str:
    text = f"{type(exc).__name__}: {exc}"
    if ep.password:
        text = text.replace(ep.password, "********")
    return text[:500]


def lost_how(k: str, waited: float) -> str:
    """How a reply was lost, for a sentence: 'no answer within 31 s' or 'the connection broke'."""
    if k == "read-timeout":
        return f"no answer within {waited:.0f} s"
    return "the connection broke"


def problem(exc: BaseException, ep: Endpoint, waited: float = 0.0) -> EngineError:
    """The sentence for `exc`; `waited` is how long the failed request really waited."""
    if isinstance(exc, EngineError):
        return exc
    k, where, why = kind(exc), ep.where, detail(exc, ep)
    if k == "auth":
        return LogonRefused(
            f"{where} refused the logon of {ep.user or 'the given user'}.",
            "Check the user name and password (it was tried once only, so the account is not "
            "locked out by retries); for a domain account write it as CONTOSO\\admin.",
            why,
        )
    if k == "tls":
        return ConnectionProblem(
            f"The TLS certificate of {where} could not be verified.",
            f"Pass the CA certificate with {CA_BUNDLE}, or check the host name matches the "
            "certificate.",
            why,
        )
    if k == "dns":
        return ConnectionProblem(
            f"The host name {ep.host} (port {ep.port}) could not be found.",
            "Check the host name; it does not resolve.",
            why,
        )
    if k == "refused":
        return ConnectionProblem(
            f"{where} refused the connection.",
            "Check WinRM is listening: on the target run `winrm quickconfig -transport:https` "
            "(or `winrm quickconfig` for HTTP), and check the port and the firewall.",
            why,
        )
    if k == "connect-timeout":
        return ConnectionProblem(
            f"Connecting to {where} timed out after {waited:.0f} s.",
            "Check the host is up and that the firewall lets the WinRM port through.",
            why,
        )
    if k == "read-timeout":
        return ConnectionProblem(
            f"{where} accepted the connection but sent no answer in {waited:.0f} s.",
            "Check the target is not overloaded and that this port is WinRM's (a proxy or "
            "another service may hold it).",
            why,
        )
    if k == "dropped":
        return ConnectionProblem(
            f"The connection to {where} broke and a new one did not get an answer either.",
            "Check the network between this machine and the target, then run the step again.",
            why,
        )
    if k == "stale":
        return ConnectionProblem(
            f"{where} kept rejecting requests sent after its connection was closed, even after "
            "logging on again.",
            "Check for a proxy or firewall between here and the target that closes idle "
            "connections, then run the step again.",
            why,
        )
    if k == "max-shells":
        return RemoteFault(
            f"{where} opens no more shells for {ep.user}: the account has reached WinRM's limit "
            "of open shells (MaxShellsPerUser).",
            "Close other WinRM sessions of this account, wait for idle shells to time out, or "
            "run `Restart-Service WinRM` on the target.",
            why,
        )
    if k == "http":
        code = getattr(exc, "code", "?")
        return ConnectionProblem(
            f"{where} answered with HTTP status {code}, not as a WinRM service.",
            "Check the port and that WinRM listens there (path /wsman).",
            why,
        )
    if isinstance(exc, WSManFaultError):
        reason = (exc.reason or "no reason given").strip()
        return RemoteFault(
            f"The WinRM service on {where} reported an error: {reason}",
            "Check the WinRM service on the target (`winrm get winrm/config`) and try again.",
            why,
        )
    if isinstance(exc, WinRMError):
        return ConnectionProblem(
            f"The connection to {where} could not be set up ({type(exc).__name__}).",
            "Check the transport setting; Kerberos and CredSSP need their extra packages.",
            why,
        )
    return ConnectionProblem(
        f"Talking to {where} failed unexpectedly ({type(exc).__name__}).",
        "Run the step again; if it keeps failing, report it with the log file.",
        why,
    )


def _mid(label: str) -> str:
    """A command's label inside a sentence: "the script 'x'", not "The script 'x'"."""
    return "t" + label[1:] if label.startswith("The ") else label


def command_lost(where: str, label: str, how: str, *, ended: bool) -> ReplyLost:
    """The reply to Command was lost: the command may have started. `ended`: its shell was
    deleted, which ends it."""
    label = _mid(label)
    if ended:
        return ReplyLost(
            f"The connection to {where} broke while starting {label} ({how}); the shell it may "
            "have started in was closed, which ends it.",
            "Run the step again.",
        )
    return ReplyLost(
        f"The connection to {where} broke while starting {label} ({how}), so whether it "
        "started is unknown; it was not started again, because it changes the target.",
        "Check on the target whether it ran before running the step again.",
    )


def input_lost(where: str, label: str, how: str) -> ReplyLost:
    label = _mid(label)
    return ReplyLost(
        f"The connection to {where} broke while sending input to {label} ({how}); it was "
        "stopped before it started.",
        "Run the step again.",
    )


def output_lost(where: str, label: str, how: str, exit_code: int | None) -> OutputLost:
    """A Receive reply was lost; `exit_code` is None when the command was stopped at once."""
    label = _mid(label)
    if exit_code is None:
        return OutputLost(
            f"Output of {label} on {where} was lost on the way ({how}); WinRM does not send "
            "it again, so it was stopped.",
            "Run the step again.",
        )
    return OutputLost(
        f"Part of the output of {label} on {where} was lost on the way ({how}); it ran to the "
        f"end (exit code {exit_code}), but WinRM does not send output twice.",
        "Check the result on the target before running the step again.",
    )

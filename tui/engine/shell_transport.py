"""pywinrm's Protocol with honest counts and timeouts that mean what they say.

Counts: every HTTP request the client sends, authentication legs and the empty POST that sets
message encryption up included (requests-ntlm sends its legs itself and files them in the final
response's `history`), and every logon (a completed NTLM/Kerberos handshake; over Basic, every
request carries the password and counts as one).

Timeouts: requests takes (connect, read). The connect part is short and the same for every
request; the read part is the long-poll of the request being sent: its OperationTimeout plus
the endpoint's margin (read timeout minus operation timeout), so a Receive the server
may hold for 20 s gets 20 s plus the margin, and a request
that is answered at once (the first contact, Create, Command, Send, Signal, Delete) waits at most
`quick` seconds for its answer.
"""

from __future__ import annotations

import math
import time

from winrm.protocol import Protocol


class MeteredProtocol(Protocol):
    def __init__(self, *args, connect_timeout: float, quick_timeout: float, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.connect_timeout = connect_timeout
        self.read_margin = float(self.read_timeout_sec) - self.operation_timeout_sec
        self.quick_timeout = quick_timeout
        self.http_requests = 0
        self.logons = 0
        self.last_wait = 0.0  # seconds the last request waited, failed or not
        self.answered = False  # has the server answered anything on any connection yet?
        self._default_operation = self.operation_timeout_sec
        transport = self.transport
        send = transport._send_message_request

        def metered(session, prepared):
            started = time.monotonic()
            try:
                response = send(session, prepared)
            except Exception as exc:
                response = getattr(exc, "response", None)
                self._count(response)
                raise
            finally:
                self.last_wait = time.monotonic() - started
            self._count(response)
            return response

        # pywinrm's transport sends every request (the encryption set-up included) through
        # this one method, so wrapping it on the instance sees them all.
        transport._send_message_request = metered  # type: ignore[method-assign]
        self.quick()

    def _count(self, response) -> None:
        self.http_requests += 1
        if response is None:
            return
        self.answered = True
        legs = len(getattr(response, "history", ()) or ())
        self.http_requests += legs
        if legs or self.transport.auth_method in ("basic", "plaintext", "ssl"):
            self.logons += 1

    def quick(self) -> None:
        """Requests answered at once: short read timeout. Their OperationTimeout header is the
        endpoint's again (a Receive cut short by a deadline must not leave Command, whose start
        may take the target a while, with a one-second limit)."""
        self.operation_timeout_sec = self._default_operation
        self.transport.read_timeout_sec = (self.connect_timeout, self.quick_timeout)

    def long_poll(self, within: float | None = None) -> None:
        """The next Receive: the server waits up to its OperationTimeout (at most `within`
        seconds, whole and at least 1, as pywinrm sends it), the client that plus the margin."""
        seconds = self._default_operation
        if within is not None:
            seconds = max(1, min(seconds, math.ceil(within)))
        self.operation_timeout_sec = seconds
        self.transport.read_timeout_sec = (self.connect_timeout, seconds + self.read_margin)

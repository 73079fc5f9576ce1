"""Fault injection and counters of the simulated target, for tests and benchmarks.

Counters hold what the server saw, stdin included (it is how a test proves a secret arrived on
stdin and nowhere else); their repr shows only numbers so a failing assert never prints a secret.
"""

from __future__ import annotations

import select
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

FaultKind = Literal["drop", "500", "401", "lose", "late", "cut"]


@dataclass
class StartedCommand:
    command_id: str
    shell_id: str
    command_line: str
    user: str
    options: dict[str, str] = field(default_factory=dict)  # the Command's WINRS_* options


@dataclass
class _Rule:
    kind: FaultKind
    action: str | None
    command_id: str | None
    countdown: int


class Faults:
    """Failures to inject; each rule fires once. `delay` slows every WS-Man answer."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[_Rule] = []
        self.delay: float = 0.0
        # How `delay` is served: a test swaps in a recorder to see each answer held back
        # without sleeping or timing it (`late_seconds` really sleeps: it must outlast a timeout).
        self.pause: Callable[[float], None] = time.sleep
        self.late_seconds: float = 0.0
        self.silent = threading.Event()  # set: requests are read and never answered
        self.released = threading.Event()  # set when the server stops: silent handlers return

    def _add(self, kind: FaultKind, action: str | None, command_id: str | None, nth: int) -> None:
        if nth < 1:
            raise ValueError("nth counts from 1")
        with self._lock:
            self._rules.append(_Rule(kind, action, command_id, nth))

    def drop_request(self, nth: int = 1, action: str | None = None) -> None:
        """Close the connection without answering the nth (matching) request from now."""
        self._add("drop", action, None, nth)

    def drop_next_receive(self, command_id: str | None = None) -> None:
        self._add("drop", "Receive", command_id, 1)

    def fail_once(self, action: str | None = None, nth: int = 1) -> None:
        """Answer HTTP 500 with a generic WS-Man fault (w:InternalError)."""
        self._add("500", action, None, nth)

    def reject_once(self, action: str | None = None, nth: int = 1) -> None:
        """Answer HTTP 401 and close the connection, as if the logon had expired."""
        self._add("401", action, None, nth)

    def lose_reply(self, action: str | None = "Receive", nth: int = 1) -> None:
        """Process the nth (matching) request, then close the connection instead of answering:
        the reply is lost after the server acted (a Receive's output is handed out and gone,
        as WinRS does not send it twice)."""
        self._add("lose", action, None, nth)

    def cut_reply(self, action: str | None = "Receive", nth: int = 1) -> None:
        """Process the nth (matching) request and reset the connection halfway through the
        answer's body (its headers and Content-Length already sent)."""
        self._add("cut", action, None, nth)

    def late_reply(self, seconds: float, action: str | None = "Receive", nth: int = 1) -> None:
        """Process the nth (matching) request and answer `seconds` later (past the client's
        read timeout, the reply is lost the same way)."""
        self._add("late", action, None, nth)
        self.late_seconds = seconds

    def silence(self) -> None:
        """From now on, accept connections, read requests, and never answer any."""
        self.silent.set()

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self.delay = 0.0
        self.silent.clear()

    def take(self, action: str, command_id: str | None) -> FaultKind | None:
        with self._lock:
            fired: _Rule | None = None
            for rule in list(self._rules):
                if rule.action not in (None, action):
                    continue
                if rule.command_id not in (None, command_id):
                    continue
                rule.countdown -= 1
                if rule.countdown > 0:
                    continue
                if fired is None:
                    self._rules.remove(rule)
                    fired = rule
                else:
                    # One fault per request: a rule due at the same time waits for the next one,
                    # so rules added one after another fire one after another.
                    rule.countdown = 1
            return fired.kind if fired else None


@dataclass
class Counters:
    requests: Counter[str] = field(default_factory=Counter)  # WS-Man requests by action
    http_requests: int = 0
    connections: int = 0
    ntlm_handshakes: int = 0
    auth_failures: int = 0
    receive_bytes: int = 0
    receive_bytes_max: int = 0  # the largest Receive answer
    faults_fired: Counter[str] = field(default_factory=Counter)
    commands: list[StartedCommand] = field(default_factory=list, repr=False)
    stdin: dict[str, bytes] = field(default_factory=dict, repr=False)  # by command id
    terminated: list[str] = field(default_factory=list)  # command ids signalled to stop
    # (action, OperationTimeout in seconds) of each WS-Man request, in order
    operation_timeouts: list[tuple[str, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, name: str, amount: int = 1) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + amount)

    @property
    def commands_started(self) -> int:
        return len(self.commands)

    def command_lines(self) -> list[str]:
        return [c.command_line for c in self.commands]


class SilentListener:
    """A TCP listener on 127.0.0.1 that accepts connections and never answers (a hung service,
    a port held by something else, a filtering proxy). Context manager; `port` to connect to."""

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)  # the kernel completes the handshakes; nothing is ever read
        self.port = self._sock.getsockname()[1]

    def __enter__(self) -> SilentListener:
        return self

    def __exit__(self, *exc: object) -> None:
        self._sock.close()


class UnacceptingListener:
    """A TCP port on 127.0.0.1 whose handshakes never complete (a host that is down behind a
    firewall that drops, not rejects): a listening socket with the smallest backlog, its accept
    queue filled by connections nobody accepts. Linux then drops further SYNs (it answers no
    RST unless net.ipv4.tcp_abort_on_overflow is set), so a client's connect waits for its own
    timeout. Loopback only. Context manager; `port` to connect to."""

    def __init__(self, max_fillers: int = 16) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(0)
        self.port = self._sock.getsockname()[1]
        self._fillers: list[socket.socket] = []
        try:
            for _ in range(max_fillers):
                filler = socket.socket()
                filler.setblocking(False)
                self._fillers.append(filler)
                filler.connect_ex(("127.0.0.1", self.port))
                _, writable, _ = select.select([], [filler], [], 0.5)
                if not writable:
                    return  # this handshake did not complete: the queue is full
            raise RuntimeError("the accept queue did not fill; this system completes handshakes "
                               "past the backlog")
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        for filler in self._fillers:
            filler.close()
        self._sock.close()

    def __enter__(self) -> UnacceptingListener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

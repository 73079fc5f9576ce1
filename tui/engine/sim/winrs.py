"""The simulated WinRS server: HTTP(S) on 127.0.0.1, NTLM or Basic logon, message encryption.

It answers what pywinrm asks the way Windows does (see shared/reference/winrm.md): NTLM
authenticates the TCP connection, so each connection keeps its own context; over plain HTTP every
NTLM message body is sealed, HTTPS carries it in clear. What commands do is left to a Machine.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tui.engine.sim import soap
from tui.engine.sim.faults import Counters, Faults
from tui.engine.sim.ntlm import CONTENT_TYPE, Acceptor, AuthFailed, SealError, is_negotiate_message
from tui.engine.sim.process import Machine
from tui.engine.sim.shells import WinRS
from tui.engine.sim.tls import Certificate

log = logging.getLogger(__name__)

SOAP_TYPE = "application/soap+xml;charset=UTF-8"


class WinRSServer(ThreadingHTTPServer):
    daemon_threads = True
    # A fixed port could be taken over by a second listener on Windows with SO_REUSEADDR.
    allow_reuse_address = False

    def __init__(
        self,
        machine: Machine,
        users: dict[str, str],
        user_file: Path,
        certificate: Certificate | None = None,
        wait_cap: float = 60.0,
        allow_basic: bool = True,
        offer_ntlm: bool = False,
        allow_unencrypted: bool = False,
        max_shells_per_user: int = 30,
    ) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        # HTTP.sys closes a keep-alive connection idle this long (IdleConnectionTimeout, 120 s
        # by default; proxies and firewalls may be shorter). None: never.
        self.idle_close: float | None = 120.0
        self.users = dict(users)
        self.user_file = user_file
        self.certificate = certificate
        self._tls = certificate.server_context() if certificate else None
        self.allow_basic = allow_basic
        self.offer_ntlm = offer_ntlm
        self.allow_unencrypted = allow_unencrypted
        self.faults = Faults()
        self.counters = Counters()
        address = f"{self.scheme}://127.0.0.1:{self.port}/wsman"
        self.winrs = WinRS(machine, self.counters, address, wait_cap, max_shells_per_user)
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def scheme(self) -> str:
        return "https" if self.certificate else "http"

    def finish_request(self, request, client_address) -> None:  # type: ignore[override]
        # TLS is set up here, in the connection's own thread, so a slow or failing handshake
        # never holds up the accept loop.
        self.counters.add("connections")
        conn = request
        if self._tls is not None:
            try:
                request.settimeout(10)
                conn = self._tls.wrap_socket(request, server_side=True)
                conn.settimeout(None)
            except (ssl.SSLError, OSError) as exc:
                log.debug("TLS handshake from %s failed: %s", client_address, type(exc).__name__)
                return
        with self._conns_lock:
            self._conns.add(conn)
        try:
            self.RequestHandlerClass(conn, client_address, self)
        except (ConnectionError, ssl.SSLError, OSError):
            pass  # the client went away; nothing to answer
        finally:
            with self._conns_lock:
                self._conns.discard(conn)
            if conn is not request:
                conn.close()

    def check_password(self, user: str, password: str) -> str | None:
        """The canonical user name when `user`/`password` match a known account, else None."""
        for name, secret in self.users.items():
            short = name.rpartition("\\")[2]
            if user.lower() in (name.lower(), short.lower()):
                if hmac.compare_digest(secret.encode(), password.encode()):
                    return name
        return None

    def handle_error(self, request, client_address) -> None:  # type: ignore[override]
        # A handler crash is a bug in the simulation: record it in the log, not on the terminal
        # the wizard draws on.
        log.exception("simulated WinRS server failed on a request from %s", client_address)

    def server_close(self) -> None:
        self.faults.released.set()
        super().server_close()
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.winrs.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: NTLM authenticates the connection
    server_version = "Microsoft-HTTPAPI/2.0"
    sys_version = ""
    server: WinRSServer

    def setup(self) -> None:
        # The socket timeout bounds the wait for the next request on a kept-alive connection;
        # when it passes, the connection is closed (BaseHTTPRequestHandler's own handling).
        self.timeout = self.server.idle_close
        super().setup()
        # Small answers must not wait for the client's delayed ACK (Nagle): ~40 ms per request.
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        self.acceptor: Acceptor | None = None
        self.ntlm_user: str | None = None

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base signature
        # Only the request line and status reach here; no header or body is ever logged.
        log.debug("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._reply(405, b"")

    def do_POST(self) -> None:
        srv = self.server
        srv.counters.add("http_requests")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self._reply(400, b"", close=True)
            return
        body = self.rfile.read(length) if length > 0 else b""
        if srv.faults.silent.is_set():
            # A hung service (or a port held by something else): the request is read and never
            # answered; the connection stays open until the client gives up or the server stops.
            srv.faults.released.wait()
            self.close_connection = True
            return
        if self.path.split("?")[0].rstrip("/").lower() != "/wsman":
            self._reply(404, b"")
            return
        user, encrypted = self._authenticate()
        if user is None:
            return  # _authenticate answered already
        if encrypted:
            assert self.acceptor is not None
            if not self.headers.get("Content-Type", "").startswith("multipart/encrypted"):
                if body:  # Windows refuses unencrypted NTLM traffic over HTTP (AllowUnencrypted)
                    self._reply(400, b"", close=True)
                    return
                plain = b""
            else:
                try:
                    plain = self.acceptor.unseal(body)
                except SealError:
                    # A failed unseal desynchronises the sequence numbers; this context is done.
                    self.acceptor = None
                    self._reply(400, b"", close=True)
                    return
        else:
            plain = body
        if not plain:
            self._reply(200, b"")  # pywinrm's empty POST that sets the encryption context up
            return
        self._dispatch(plain, user, encrypted)

    # --- authentication -----------------------------------------------------------------------

    def _offers(self) -> list[str]:
        offers = ["Negotiate"]
        if self.server.offer_ntlm:
            offers.append("NTLM")
        if self.server.allow_basic:
            offers.append('Basic realm="WSMAN"')
        return offers

    def _refuse(self, *, count: bool = False) -> None:
        if count:
            self.server.counters.add("auth_failures")
        self._reply(401, b"", auth=self._offers())

    def _authenticate(self) -> tuple[str | None, bool]:
        """(user, sealed session?) for an authenticated request; (None, _) once answered."""
        header = self.headers.get("Authorization", "")
        scheme, _, value = header.strip().partition(" ")
        scheme_l = scheme.lower()
        if not header:
            if self.acceptor is not None and self.ntlm_user:
                return self.ntlm_user, self.server.certificate is None
            self._refuse()
            return None, False
        try:
            token = base64.b64decode(value.strip(), validate=True)
        except (binascii.Error, ValueError):
            self._refuse(count=True)
            return None, False
        if scheme_l == "basic" and self.server.allow_basic:
            return self._basic(token), False
        if scheme_l in ("negotiate", "ntlm"):
            return self._ntlm(scheme, token), self.server.certificate is None
        self._refuse(count=True)
        return None, False

    def _basic(self, token: bytes) -> str | None:
        if self.server.certificate is None and not self.server.allow_unencrypted:
            self._refuse(count=True)  # Windows: Basic over HTTP needs AllowUnencrypted=true
            return None
        user, _, password = token.decode("utf-8", "replace").partition(":")
        name = self.server.check_password(user, password)
        if name is None:
            self._refuse(count=True)
        return name

    def _ntlm(self, scheme: str, token: bytes) -> str | None:
        srv = self.server
        try:
            if self.acceptor is None or self.acceptor.complete or is_negotiate_message(token):
                self.ntlm_user = None
                cert_hash = srv.certificate.der_hash if srv.certificate else None
                self.acceptor = Acceptor(srv.user_file, cert_hash)
                challenge = self.acceptor.step(token) or b""
                self._reply(401, b"", auth=[f"{scheme} {base64.b64encode(challenge).decode()}"])
                return None
            self.acceptor.step(token)
        except AuthFailed as exc:
            log.info("NTLM logon refused (%s)", exc)
            self.acceptor = None
            self._refuse(count=True)
            return None
        srv.counters.add("ntlm_handshakes")
        self.ntlm_user = self.acceptor.principal
        return self.ntlm_user

    # --- WS-Man ---------------------------------------------------------------------------------

    def _dispatch(self, plain: bytes, user: str, sealed: bool) -> None:
        srv = self.server
        try:
            req = soap.parse(plain)
        except soap.BadRequest as exc:
            self._answer(500, soap.internal_error(None, f"Bad request: {exc}."), sealed)
            return
        with srv.counters.lock:
            srv.counters.requests[req.action] += 1
        fault = srv.faults.take(req.action, _command_id(req))
        if srv.faults.delay > 0:
            srv.faults.pause(srv.faults.delay)
        if fault is not None:
            with srv.counters.lock:
                srv.counters.faults_fired[fault] += 1
            log.info("injected fault %s on %s", fault, req.action)
        if fault == "drop":
            self._drop()
            return
        if fault in ("lose", "late", "cut"):
            # The server acts on the request; its reply never reaches the client whole (the
            # connection is reset before or during the answer, or the answer comes after the
            # client gave up).
            status, payload = srv.winrs.handle(req, user)
            if fault == "late":
                time.sleep(srv.faults.late_seconds)
                self._answer(status, payload, sealed)
            if fault == "cut":
                self._answer(status, payload, sealed, cut=True)
            self._drop()
            return
        if fault == "401":
            self.acceptor = None
            self.ntlm_user = None
            self._reply(401, b"", close=True)
            return
        if fault == "500":
            status = 500
            payload = soap.internal_error(req, "Simulated failure of the WinRM service.")
        else:
            status, payload = srv.winrs.handle(req, user)
        self._answer(status, payload, sealed)

    def _answer(self, status: int, payload: bytes, sealed: bool, cut: bool = False) -> None:
        if sealed and self.acceptor is not None:
            self._reply(status, self.acceptor.seal(payload), content_type=CONTENT_TYPE, cut=cut)
        else:
            self._reply(status, payload, content_type=SOAP_TYPE, cut=cut)

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _reply(
        self,
        status: int,
        body: bytes,
        *,
        content_type: str | None = None,
        auth: list[str] | None = None,
        close: bool = False,
        cut: bool = False,
    ) -> None:
        self.send_response(status)
        for value in auth or ():
            self.send_header("WWW-Authenticate", value)
        if content_type and body:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        # Headers and body leave in one write, so they travel in one segment where they fit.
        # `cut`: only the first half of the body leaves (the connection is reset after it).
        sent = body[: len(body) // 2] if cut else body
        self._headers_buffer.append(b"\r\n" + sent)  # type: ignore[attr-defined]
        self.flush_headers()


def _command_id(req: soap.Request) -> str | None:
    for path in ("rsp:Receive/rsp:DesiredStream", "rsp:Send/rsp:Stream", "rsp:Signal"):
        node = req.body.find(path, soap.NS)
        if node is not None:
            return node.get("CommandId")
    return None

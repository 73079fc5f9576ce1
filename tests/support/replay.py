"""Replays a recorded WinRS exchange (../shared/reference/winrs-recorded, real Windows servers)
to a client over a real loopback socket: each request gets the next recorded response, with the
recorded request's ids (MessageID, ShellId, CommandId) replaced by the client's own. A request
whose action is not the recorded one is answered with HTTP 400 and noted in `mismatches`."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.support.paths import SHARED

RECORDED = SHARED / "reference" / "winrs-recorded"

_ACTION = re.compile(r"<(?:\w+:)?Action[^>]*>([^<]*)</")
_MESSAGE_ID = re.compile(r"<(?:\w+:)?MessageID>([^<]*)</")
_SHELL_ID = re.compile(r'<(?:\w+:)?Selector Name="ShellId">([^<]*)</')
_COMMAND_ID = re.compile(r'CommandId="([^"]*)"')
_RELATES_TO = re.compile(r"(<(?:\w+:)?RelatesTo>)[^<]*(</)")


@dataclass
class Message:
    request: str
    response: str
    status: int


def load(name: str) -> list[Message]:
    """The messages of recording `name` (the YAML's one-line request/response scalars)."""
    messages: list[Message] = []
    for block in (RECORDED / f"{name}.yml").read_text(encoding="utf-8").split("\n- ")[1:]:
        fields = dict(re.findall(r"^\s*(request|response|code): (.*)$", block, re.MULTILINE))
        messages.append(Message(fields["request"], fields["response"],
                                int(fields.get("code", 200))))
    return messages


def ids(xml: str) -> dict[str, str]:
    found = {}
    for key, pattern in (("message", _MESSAGE_ID), ("shell", _SHELL_ID),
                         ("command", _COMMAND_ID)):
        m = pattern.search(xml)
        if m and m.group(1).strip():
            found[key] = m.group(1).strip()
    return found


def action(xml: str) -> str:
    m = _ACTION.search(xml)
    return m.group(1).rsplit("/", 1)[-1] if m else "?"


class ReplayServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, name: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.messages = load(name)
        self.served = 0
        self.mismatches: list[str] = []
        self.lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(5)

    def answer(self, body: str) -> tuple[int, str]:
        with self.lock:
            if self.served >= len(self.messages):
                self.mismatches.append(f"extra {action(body)}")
                return 400, ""
            recorded = self.messages[self.served]
            self.served += 1
        if action(recorded.request) != action(body):
            self.mismatches.append(f"{action(body)} where Windows was asked "
                                   f"{action(recorded.request)}")
            return 400, ""
        response, mine = recorded.response, ids(body)
        for key, theirs in ids(recorded.request).items():
            if key in mine:
                # Recorded ids are upper case; the client may write its own in lower case.
                response = re.sub(re.escape(theirs), mine[key], response, flags=re.IGNORECASE)
        # The answer relates to the client's request (a few recordings relate an answer to an
        # id the recorder rewrote).
        response = _RELATES_TO.sub(lambda m: m.group(1) + mine.get("message", "") + m.group(2),
                                   response)
        return recorded.status, response


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ReplayServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not self.headers.get("Authorization", "").startswith("Basic "):
            self._reply(401, b"", {"WWW-Authenticate": 'Basic realm="WSMAN"'})
            return
        status, text = self.server.answer(body.decode("utf-8"))
        self._reply(status, text.encode("utf-8"),
                    {"Content-Type": "application/soap+xml;charset=UTF-8"})

    def _reply(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

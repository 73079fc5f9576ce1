"""Server side of NTLM for the simulated target: the acceptor and WinRM message encryption.

pyspnego's NTLM acceptor reads its users from the file named by the process-wide environment
variable NTLM_USER_FILE, both when the acceptor is created and when it checks the final message.
Several simulated servers may live in one process (tests, demo), each with its own users, so
every acceptor step runs under one lock with the variable pointing at that server's file.
"""

from __future__ import annotations

import os
import struct
import threading
from pathlib import Path

import spnego
from spnego.channel_bindings import GssChannelBindings
from spnego.exceptions import SpnegoError

_ENV = "NTLM_USER_FILE"
_env_lock = threading.Lock()
# The variable is created once, here, and afterwards only changes value: never removed and added
# again. Other threads of the same process iterate os.environ (requests reads the proxy settings
# from it on every request the WinRM client sends), and a key that disappears between their
# listing the keys and reading the values raises KeyError in them (seen as a failed logon in a
# test with two simulated servers). An empty value means no file to pyspnego.
os.environ.setdefault(_ENV, "")

PROTOCOL = "application/HTTP-SPNEGO-session-encrypted"
CONTENT_TYPE = f'multipart/encrypted;protocol="{PROTOCOL}";boundary="Encrypted Boundary"'
_BOUNDARY = b"--Encrypted Boundary"
_OCTETS = b"\tContent-Type: application/octet-stream\r\n"
_END = _BOUNDARY + b"--\r\n"


class AuthFailed(Exception):
    """The client's NTLM token was refused (unknown user, wrong password, bad bindings)."""


class SealError(Exception):
    """An encrypted body could not be read; this connection's context is now unusable."""


def write_user_file(path: Path, users: dict[str, str]) -> None:
    """Users (`DOMAIN\\user` or `user` -> password) in the Heimdal format pyspnego reads."""
    lines = []
    for name, password in users.items():
        domain, _, user = name.rpartition("\\")
        if ":" in name or ":" in password or "\n" in password:
            raise ValueError("simulated user names and passwords cannot hold ':' or newlines")
        lines.append(f"{domain}:{user}:{password}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if os.name == "posix":
        path.chmod(0o600)


class _UserFile:
    """Points NTLM_USER_FILE at one server's users for the duration of an acceptor step."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __enter__(self) -> None:
        _env_lock.acquire()
        self._old = os.environ.get(_ENV)
        os.environ[_ENV] = self.path

    def __exit__(self, *exc: object) -> None:
        os.environ[_ENV] = self._old or ""  # a new value, never a removal (see _ENV)
        _env_lock.release()


def is_negotiate_message(token: bytes) -> bool:
    return token[:8] == b"NTLMSSP\x00" and token[8:12] == struct.pack("<I", 1)


class Acceptor:
    """One NTLM handshake, then the sealing context of one authenticated connection."""

    def __init__(self, user_file: Path, cert_hash: bytes | None) -> None:
        self._users = _UserFile(user_file)
        bindings = None
        if cert_hash is not None:
            bindings = GssChannelBindings(application_data=b"tls-server-end-point:" + cert_hash)
        with self._users:
            self._ctx = spnego.server(protocol="ntlm", channel_bindings=bindings)

    def step(self, token: bytes) -> bytes | None:
        try:
            with self._users:
                return self._ctx.step(token)
        except SpnegoError as exc:
            raise AuthFailed(type(exc).__name__) from None

    @property
    def complete(self) -> bool:
        return self._ctx.complete

    @property
    def principal(self) -> str:
        return self._ctx.client_principal or ""

    def unseal(self, body: bytes) -> bytes:
        """The plaintext of a `multipart/encrypted` body as pywinrm's encryption.py writes it."""
        try:
            head, _, rest = body.partition(_BOUNDARY + b"\r\n" + _OCTETS)
            length = int(head.split(b"Length=")[1].split(b"\r\n")[0])
            sig_len = struct.unpack("<I", rest[:4])[0]
            signature = rest[4 : 4 + sig_len]
            sealed = rest[4 + sig_len : 4 + sig_len + length]
            data = self._ctx.unwrap_winrm(signature, sealed)
        except (IndexError, ValueError, struct.error, SpnegoError) as exc:
            raise SealError(type(exc).__name__) from None
        if len(data) != length:
            raise SealError("length mismatch")
        return data

    def seal(self, data: bytes) -> bytes:
        wrapped = self._ctx.wrap_winrm(data)
        return (
            _BOUNDARY + b"\r\n"
            b"\tContent-Type: " + PROTOCOL.encode() + b"\r\n"
            b"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length="
            + str(len(data)).encode() + b"\r\n"
            + _BOUNDARY + b"\r\n" + _OCTETS
            + struct.pack("<I", len(wrapped.header)) + wrapped.header + wrapped.data
            + _END
        )

"""The WinRM endpoint an answer file's [target] stands for, with command-line overrides."""

from __future__ import annotations

from pathlib import Path

from tui.engine.endpoint import Endpoint
from tui.engine.errors import ConnectionProblem
from tui.flags import HOST, USER
from tui.model.target import Target


def endpoint_for(
    target: Target | None,
    password: str,
    base_dir: Path,
    *,
    host: str | None = None,
    port: int | None = None,
    http: bool = False,
    user: str | None = None,
    transport: str | None = None,
    ca_bundle: str | None = None,
    no_verify: bool = False,
    insecure: bool = False,
) -> Endpoint:
    """`target` overridden by the arguments; a relative CA bundle in the file is relative to the
    file's folder. Raises ConnectionProblem for what cannot work, before any connection."""
    t = target
    host = host or (t.host if t else None)
    user = user or (t.user if t else None)
    if not host:
        raise ConnectionProblem(
            f"No target server: the answer file has no [target] host and {HOST} was not given.",
            f"Add a [target] section (host, user) or pass {HOST} and {USER}.",
        )
    if not user:
        raise ConnectionProblem("No account to log on with.", f"Set target.user or pass {USER}.")
    ca = ca_bundle or (t.ca_bundle if t else None)
    if ca and not ca_bundle and not Path(ca).is_absolute():
        ca = str(base_dir / ca)
    if ca and not Path(ca).is_file():
        raise ConnectionProblem(f"The CA bundle {ca} does not exist.", "Check the path.")
    endpoint = Endpoint(
        host=host,
        port=port or (t.port if t else None),
        https=(t.https if t else True) and not http,
        cert_validation=(t.validate_certificate if t else True) and not no_verify,
        ca_bundle=ca,
        transport=transport or (t.transport if t else "ntlm"),
        user=user,
        password=password,
        allow_insecure=insecure,
    )
    endpoint.check()
    return endpoint


def describe(endpoint: Endpoint) -> dict:
    """What a state file or report may keep of an endpoint: everything but the password."""
    return {"host": endpoint.host, "port": endpoint.port, "https": endpoint.https,
            "transport": endpoint.transport, "user": endpoint.user,
            "cert_validation": endpoint.cert_validation,
            "ca_bundle": str(endpoint.ca_bundle) if endpoint.ca_bundle else None}

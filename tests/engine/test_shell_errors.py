"""Every way of not getting in becomes one plain sentence plus a remedy, never the password."""

from __future__ import annotations

import socket
import time

import pytest

from tui.engine.endpoint import Endpoint
from tui.engine.errors import CommandTimeout, ConnectionProblem
from tui.engine.shell import RemoteShell
from tui.engine.sim.target import SimTarget

PASSWORD = "Wr0ng-but-$ecret'€"


def one_sentence(text: str) -> bool:
    return text.endswith(".") and text.count(". ") == 0 and "\n" not in text


def assert_clean(problem: ConnectionProblem, *secrets: str) -> None:
    for s in secrets:
        assert s not in problem.message
        assert s not in problem.remedy
        assert s not in problem.detail
        assert s not in repr(problem)
    assert one_sentence(problem.message), problem.message
    assert problem.remedy
    # no chained exception for a traceback printer to show
    assert problem.__cause__ is None
    assert problem.__context__ is None or problem.__suppress_context__


def connect(endpoint: Endpoint) -> ConnectionProblem:
    with pytest.raises(ConnectionProblem) as info, RemoteShell(endpoint):
        pass
    return info.value


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("https", [False, True], ids=["http-sealed", "https"])
def test_wrong_password(https):
    with SimTarget(https=https) as t:
        ep = t.endpoint.client_endpoint(password=PASSWORD)
        problem = connect(ep)
        assert t.counters.auth_failures == 1  # one attempt only: no account lockout
    assert_clean(problem, PASSWORD)
    assert "127.0.0.1" in problem.message and "refused the logon" in problem.message
    assert "CONTOSO\\admin" in problem.remedy


def test_unknown_user():
    with SimTarget() as t:
        problem = connect(t.endpoint.client_endpoint(user="CONTOSO\\nobody", password=PASSWORD))
    assert "refused the logon of CONTOSO\\nobody" in problem.message
    assert_clean(problem, PASSWORD)


def test_connection_refused():
    port = free_port()
    problem = connect(Endpoint("127.0.0.1", port, https=False, user="u", password=PASSWORD))
    assert problem.message == f"127.0.0.1:{port} refused the connection."
    assert "winrm quickconfig" in problem.remedy
    assert_clean(problem, PASSWORD)


def test_unknown_host():
    problem = connect(Endpoint("nonexistent.invalid", user="u", password=PASSWORD))
    assert "nonexistent.invalid" in problem.message and "5986" in problem.message
    assert problem.remedy == "Check the host name; it does not resolve."
    assert_clean(problem, PASSWORD)


def test_https_without_ca_bundle_is_a_tls_problem():
    with SimTarget(https=True) as t:
        problem = connect(t.endpoint.client_endpoint(ca_bundle=None, password=PASSWORD))
        assert t.counters.ntlm_handshakes == 0
    assert "TLS certificate" in problem.message and "--ca-bundle" in problem.remedy
    assert_clean(problem, PASSWORD)


def test_https_without_validation_connects():
    with (
        SimTarget(https=True) as t,
        RemoteShell(t.endpoint.client_endpoint(ca_bundle=None, cert_validation=False)) as sh,
    ):
        assert sh.run("echo", ["ok"]).stdout == "ok\r\n"


def test_basic_over_http_is_refused_before_connecting():
    with SimTarget(allow_unencrypted=True) as t:
        ep = t.endpoint.client_endpoint(transport="basic", password=PASSWORD)
        problem = connect(ep)
        assert t.counters.connections == 0
        assert_clean(problem, PASSWORD)
        assert "Basic" in problem.message and "HTTPS" in problem.remedy
        # insisting works, against a server that allows unencrypted traffic
        insisting = t.endpoint.client_endpoint(transport="basic", allow_insecure=True)
        with RemoteShell(insisting) as sh:
            assert sh.run("echo", ["clear"]).stdout == "clear\r\n"


def test_basic_over_https_works():
    with SimTarget(https=True) as t:
        with RemoteShell(t.endpoint.client_endpoint(transport="basic")) as sh:
            assert sh.run("echo", ["basic"]).stdout == "basic\r\n"


def test_endpoint_repr_hides_the_password():
    ep = Endpoint("host", user="CONTOSO\\admin", password=PASSWORD)
    assert PASSWORD not in repr(ep) and PASSWORD not in repr(RemoteShell(ep))
    assert ep.port == 5986 and Endpoint("h", https=False).port == 5985


def test_deadline_stops_the_command_on_the_target():
    with SimTarget(operation_timeout_cap=0.2) as t:
        # A long-poll of 20 s by default: the deadline must cut each Receive's wait to the time
        # left (whole seconds, at least 1), or the command could overrun it by 20 s.
        with RemoteShell(t.endpoint.client_endpoint(operation_timeout=20, read_timeout=25)) as sh:
            with pytest.raises(CommandTimeout) as info:
                sh.run("sleep", ["30"], deadline=time.monotonic() + 0.6)
            waits = [s for action, s in t.counters.operation_timeouts if action == "Receive"]
            assert waits and all(s == 1 for s in waits), waits
            assert t.server_state.live_commands() == 0
            assert len(t.counters.terminated) == 1
            # the shell is still good for the next command
            assert sh.run("echo", ["after"]).stdout == "after\r\n"
    assert "sleep" in info.value.message and "did not finish" in info.value.message
    assert one_sentence(info.value.message)


def test_credssp_is_installed_and_a_refused_credssp_logon_reads_as_a_logon_problem():
    # The simulated server speaks NTLM/Negotiate only: a CredSSP logon is refused there, which
    # proves the CredSSP transport is installed and its refusal is told in plain words.
    from tui.engine.errors import ConnectionProblem
    from tui.engine.shell import RemoteShell
    from tui.engine.sim.echo import EchoMachine
    from tui.engine.sim.target import SimTarget

    with SimTarget(machine=EchoMachine(), https=True) as target:
        endpoint = target.endpoint.client_endpoint(transport="credssp")
        try:
            with RemoteShell(endpoint) as shell:
                shell.run("echo", ["hi"])
        except ConnectionProblem as exc:
            assert "refused the logon" in exc.message
            assert endpoint.password not in str(exc) + exc.remedy
        else:
            raise AssertionError("a CredSSP logon to an NTLM-only server succeeded")

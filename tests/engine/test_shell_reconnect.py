"""Dropped connections and injected faults: the command completes once, output is not lost."""

from __future__ import annotations

import pytest

from tui.engine.errors import ConnectionProblem, OutputLost, RemoteFault
from tui.engine.shell import RemoteShell
from tui.engine.sim.target import SimTarget

EXPECTED = "".join(f"line {i}\r\n" for i in range(1, 7))


@pytest.fixture(params=[False, True], ids=["http-sealed", "https"])
def target(request):
    with SimTarget(https=request.param, operation_timeout_cap=0.2) as t:
        yield t


def shell_for(target: SimTarget) -> RemoteShell:
    ep = target.endpoint.client_endpoint(operation_timeout=1, read_timeout=3)
    return RemoteShell(ep, backoff=0.05)


def run_lines(sh: RemoteShell) -> tuple[str, list[str]]:
    chunks: list[str] = []
    res = sh.run("lines", ["6", "0.15"], on_stdout=chunks.append)
    assert res.exit_code == 0
    return res.stdout, chunks


def test_drop_during_receive_reruns_a_read_only_command(target):
    # A dropped Receive may have carried output (WinRS sends none twice): a command that only
    # reads is run again from the start, and its output arrives whole, once.
    with shell_for(target) as sh:
        target.faults.drop_request(nth=3, action="Receive")
        chunks: list[str] = []
        res = sh.run("lines", ["6", "0.15"], on_stdout=chunks.append, if_lost="rerun")
        assert sh.reruns == 1
    assert res.stdout == EXPECTED and "".join(chunks).endswith(EXPECTED)
    c = target.counters
    assert c.commands_started == 2 and c.faults_fired["drop"] == 1
    assert c.terminated[0] == c.commands[0].command_id  # the lost run was stopped
    assert target.server_state.live_shells() == 0


def test_drop_during_receive_is_reported_not_papered_over(target):
    with shell_for(target) as sh:
        target.faults.drop_next_receive()
        with pytest.raises(OutputLost) as info:
            sh.run("echo", ["survived"])
    assert "exit code 0" in info.value.message and "lost on the way" in info.value.message
    assert target.counters.commands_started == 1


def test_a_fault_during_receive_is_reported_not_asked_again(target):
    with shell_for(target) as sh:
        target.faults.fail_once(action="Receive", nth=2)
        with pytest.raises(RemoteFault) as info:
            run_lines(sh)
        assert "reported an error: Simulated failure" in info.value.message
        assert sh.run("echo", ["after"]).stdout == "after\r\n"
    assert target.counters.faults_fired["500"] == 1


def test_http_500_on_command_is_a_remote_fault_and_the_shell_stays_usable(target):
    with shell_for(target) as sh:
        target.faults.fail_once(action="Command")
        with pytest.raises(RemoteFault) as info:
            sh.run("echo", ["x"])
        assert "reported an error: Simulated failure" in info.value.message
        assert sh.run("echo", ["y"]).stdout == "y\r\n"
    assert target.counters.commands_started == 1


def test_401_once_mid_command_logs_on_again(target):
    with shell_for(target) as sh:
        target.faults.reject_once(action="Receive", nth=2)
        stdout, _ = run_lines(sh)
    assert stdout == EXPECTED
    assert target.counters.ntlm_handshakes == 2
    assert target.counters.commands_started == 1


def test_401_on_opening_is_an_auth_problem_without_retry(target):
    target.faults.reject_once(action="Create")
    with pytest.raises(ConnectionProblem) as info, shell_for(target):
        pass
    assert "refused the logon" in info.value.message
    assert target.counters.requests["Create"] == 1


def test_drop_on_create_is_retried(target):
    target.faults.drop_request(nth=1, action="Create")
    with shell_for(target) as sh:
        assert sh.run("echo", ["ok"]).stdout == "ok\r\n"
    assert target.counters.requests["Create"] == 2


def test_a_lost_shell_is_reopened_for_the_next_command(target):
    with shell_for(target) as sh:
        assert sh.run("echo", ["1"]).exit_code == 0
        target.server_state.winrs.close()  # the target forgot every shell (service restart)
        assert sh.run("echo", ["2"]).stdout == "2\r\n"
    assert target.counters.requests["Create"] == 2


def test_connection_that_keeps_dropping_gives_up(target):
    with shell_for(target) as sh:
        for _ in range(8):  # more drops in a row than the client retries
            target.faults.drop_request(action="Receive")
        with pytest.raises(ConnectionProblem) as info:
            sh.run("lines", ["3", "0.1"])
    assert "broke" in info.value.message
    assert target.counters.commands_started == 1

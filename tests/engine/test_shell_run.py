"""RemoteShell against the simulated target over a real loopback socket (NTLM, sealed HTTP, TLS)."""

from __future__ import annotations

import json
import logging

import pytest

from tui.engine.errors import ConnectionProblem
from tui.engine.shell import RemoteShell
from tui.engine.sim.target import SimTarget

SECRET = "p\"a's$w`0rd ü€ $(whoami) `n %PATH%"


@pytest.fixture(params=[False, True], ids=["http-sealed", "https"])
def target(request):
    with SimTarget(https=request.param, operation_timeout_cap=0.3) as t:
        yield t


def shell_for(target: SimTarget, **kw) -> RemoteShell:
    kw.setdefault("operation_timeout", 1)
    kw.setdefault("read_timeout", 5)
    return RemoteShell(target.endpoint.client_endpoint(**kw))


def test_echo_exit_code_and_stderr(target):
    with shell_for(target) as sh:
        assert sh.run("cmd", ["/c", "echo", "hello", "world"]).stdout == "hello world\r\n"
        assert sh.run("cmd", ["/c", "exit", "7"]).exit_code == 7
        res = sh.run("stderr", ["it broke"])
        assert (res.exit_code, res.stdout, res.stderr) == (1, "", "it broke\r\n")


def test_stdin_is_echoed_back_in_chunks(target):
    data = ("0123456789abcdef" * 9000).encode()  # > 2 stdin chunks
    with shell_for(target) as sh:
        res = sh.run("more", stdin=data)
    assert res.stdout.encode() == data
    assert target.counters.requests["Send"] == 3


def test_run_script_sends_secrets_on_stdin_only(target):
    params = {"password": SECRET, "list": [1, "ü"], "empty": ""}
    with shell_for(target) as sh:
        res = sh.run_script("bootstrap", params)
    assert res.exit_code == 0
    echoed = json.loads(res.stdout)
    assert echoed == {"script": "bootstrap", "params": params}
    lines = target.counters.command_lines()
    assert len(lines) == 1 and lines[0].startswith("powershell.exe -NoProfile")
    assert SECRET not in lines[0]
    assert "password" not in lines[0]


def test_one_shell_serves_many_commands(target):
    with shell_for(target) as sh:
        for i in range(5):
            assert sh.run("echo", [str(i)]).stdout == f"{i}\r\n"
    requests = sh.requests  # read after close, so Delete is counted too
    c = target.counters
    assert c.requests["Create"] == 1 and c.requests["Delete"] == 1
    assert c.requests["Command"] == 5 and c.requests["Signal"] == 5
    assert c.ntlm_handshakes == 1
    # Every HTTP request counts, the logon's legs and the encryption set-up included (#13.7).
    assert requests == c.http_requests > sum(c.requests.values())
    assert sh.logons == c.ntlm_handshakes
    assert (sh.shells_opened, sh.shells_closed) == (1, 1)
    assert target.server_state.live_shells() == 0


def test_output_streams_before_the_command_ends(target):
    # What the target was doing when each piece arrived (running commands, Receives served),
    # not wall-clock times: a busy machine cannot change these.
    seen: list[tuple[int, int, str]] = []

    def on_stdout(text: str) -> None:
        state = target.server_state
        seen.append((state.live_commands(), state.counters.requests["Receive"], text))

    with shell_for(target) as sh:
        res = sh.run("lines", ["3", "0.5"], on_stdout=on_stdout)
    assert res.stdout == "line 1\r\nline 2\r\nline 3\r\n"
    assert "".join(s for _, _, s in seen) == res.stdout
    running, receives, _ = next(x for x in seen if "line 1" in x[2])
    assert running == 1
    # line 1 came through while more Receives were still to come: streamed, not at the end
    assert receives < target.counters.requests["Receive"]
    # the 0.5 s gaps are longer than the 0.3 s long-poll cap: TimedOut faults happened
    assert target.counters.requests["Receive"] > 3


def test_large_output_is_split_under_max_envelope(target):
    with shell_for(target) as sh:
        res = sh.run("big", ["500000"])
    assert res.stdout == "x" * 500000 + "\r\n"
    c = target.counters
    assert c.requests["Receive"] >= 4
    assert c.receive_bytes / c.requests["Receive"] < 153600


def test_no_secret_in_any_log_record(target, caplog):
    caplog.set_level(logging.DEBUG)
    target.faults.drop_next_receive()
    with shell_for(target) as sh:
        assert sh.run_script("bootstrap", {"password": SECRET}, if_lost="rerun").exit_code == 0
    bad = target.endpoint.client_endpoint(password=SECRET)
    with pytest.raises(ConnectionProblem), RemoteShell(bad):
        pass
    assert caplog.records
    for record in caplog.records:
        assert SECRET not in record.getMessage()
        assert target.endpoint.password not in record.getMessage()

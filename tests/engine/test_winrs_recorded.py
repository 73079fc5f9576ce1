"""#13.8: the client's shell layer fed the bytes real Windows servers sent (winrs-recorded/, from
pypsrp's test suite), in order, with the client's own ids, over a real loopback socket: streams,
exit codes and faults come through as Windows meant them, and the client asks exactly what
Windows was asked (a request out of turn is a mismatch)."""

from __future__ import annotations

import base64
import re
import time

import pytest

from tests.support.replay import ReplayServer, load
from tui.engine.endpoint import Endpoint
from tui.engine.errors import RemoteFault
from tui.engine.shell import STDIN_CHUNK, RemoteShell


def shell(server: ReplayServer) -> RemoteShell:
    # Basic over loopback HTTP: the recordings are plain envelopes; no secret is at stake.
    ep = Endpoint("127.0.0.1", server.port, https=False, transport="basic", user="vagrant",
                  password="vagrant", allow_insecure=True, operation_timeout=1, read_timeout=5)
    return RemoteShell(ep)


def recorded_output(name: str) -> tuple[str, str, int]:
    """stdout, stderr and exit code as the recording's Receive answers carry them."""
    out, err, code = b"", b"", -1
    for m in load(name):
        for stream, data in re.findall(r'<rsp:Stream Name="(\w+)"[^>]*>([^<]*)<', m.response):
            if stream == "stdout":
                out += base64.b64decode(data)
            else:
                err += base64.b64decode(data)
        exit_code = re.search(r"<rsp:ExitCode>(-?\d+)<", m.response)
        code = int(exit_code.group(1)) if exit_code else code
    return out.decode("utf-8"), err.decode("utf-8"), code


def finished(server: ReplayServer) -> None:
    assert server.mismatches == []
    assert server.served == len(server.messages)  # nothing Windows was asked was left out


@pytest.mark.parametrize("name, command, arguments", [
    ("test_winrs_standard", "cmd.exe", ["/c", "echo", "hi"]),
    ("test_winrs_stderr_rc", "cmd.exe", ["/c echo out && echo err>&2 && exit 1"]),
    ("test_winrs_unicode", "powershell.exe", ["Write-Host こんにちは"]),
    ("test_winrs_environment", "cmd.exe", ["/c", "set"]),
    ("test_winrs_noprofile", "cmd.exe", ["/c", "set"]),
    ("test_winrs_extra_opts", "powershell.exe", ["(pwd).Path"]),
    # Running, two w:TimedOut faults (no output yet: asked again silently), then Done.
    ("test_winrs_operation_timeout", "powershell.exe",
     ["Write-Host hi; Start-Sleep 30; Write-Host hi again"]),
])
def test_streams_and_exit_codes_come_through(name, command, arguments):
    chunks: list[str] = []
    with ReplayServer(name) as server:
        with shell(server) as sh:
            res = sh.run(command, arguments, on_stdout=chunks.append)
        finished(server)
    out, err, code = recorded_output(name)
    assert (res.stdout, res.stderr, res.exit_code) == (out, err, code)
    assert "".join(chunks) == out
    assert "\ufffd" not in res.stdout


def test_stdin_in_two_sends_then_the_output():
    with ReplayServer("test_winrs_send") as server:
        with shell(server) as sh:
            res = sh.run("powershell.exe", ["-"], stdin=b"x" * (STDIN_CHUNK + 1))
        finished(server)
    assert (res.stdout, res.exit_code) == ("output 1\noutput 2\n", 0)


def test_a_bad_command_id_is_one_sentence_and_the_shell_is_kept():
    with ReplayServer("test_winrs_bad_cmd_id") as server:
        with shell(server) as sh:
            with pytest.raises(RemoteFault) as info:
                sh.run("cmd.exe", ["/c", "echo", "hi"])
        finished(server)  # the command was still signalled and the shell deleted
    assert info.value.message.endswith("is no longer known to 127.0.0.1:"
                                       f"{server.port}; its output cannot be collected.")


def test_a_command_windows_cannot_find_is_reported_and_the_next_one_runs():
    with ReplayServer("test_winrs_no_cmd_shell") as server:
        with shell(server) as sh:
            with pytest.raises(RemoteFault) as info:
                sh.run("powershell.exe", ["Write-Host", "hi"])
            res = sh.run("C:\\Windows\\system32\\WindowsPowerShell\\v1.0\\powershell.exe",
                         ["Write-Host", "hi"])
        finished(server)
    assert "reported an error: The system cannot find the file specified." in info.value.message
    assert (res.stdout, res.exit_code) == ("hi\n", 0)


def test_a_receive_windows_refuses_is_reported_not_asked_again():
    with ReplayServer("test_winrs_fail_poll_process") as server:
        with shell(server) as sh:
            with pytest.raises(RemoteFault) as info:
                # A Receive for no command, as the recording asked: only the shell layer's
                # receive loop can send one.
                sh._receive("", None, None, None, time.monotonic(), "The poll", "report")
        finished(server)
    assert "reported an error: The parameter is incorrect." in info.value.message


def test_opening_an_open_shell_again_creates_nothing():
    with ReplayServer("test_winrs_open_already_opened") as server:
        with shell(server) as sh:
            sh.open()
        finished(server)
    assert (sh.shells_opened, sh.shells_closed) == (1, 1)

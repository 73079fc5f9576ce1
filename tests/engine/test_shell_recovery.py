"""#13: recovery that knows what WinRS resends and what it does not, against the simulated target
over a real loopback socket: lost replies (after the server acted), a listener that never
answers, idle keep-alive connections closed by the server, the shell limit, leaked shells."""

from __future__ import annotations

import re
import time

import pytest

from tui.engine.endpoint import Endpoint
from tui.engine.errors import (
    CommandTimeout,
    ConnectionProblem,
    OutputLost,
    RemoteFault,
    ReplyLost,
)
from tui.engine.shell import RemoteShell
from tui.engine.sim.echo import EchoMachine
from tui.engine.sim.faults import SilentListener, UnacceptingListener
from tui.engine.sim.process import ThreadProcess
from tui.engine.sim.target import SimTarget

EXPECTED = "".join(f"line {i}\r\n" for i in range(1, 7))


@pytest.fixture(params=[False, True], ids=["http-sealed", "https"])
def target(request):
    with SimTarget(https=request.param, operation_timeout_cap=0.2) as t:
        yield t


def shell_for(target: SimTarget, **kw) -> RemoteShell:
    kw.setdefault("operation_timeout", 1)
    kw.setdefault("read_timeout", 3)
    return RemoteShell(target.endpoint.client_endpoint(**kw), backoff=0.05)


def one_sentence(text: str) -> bool:
    return text.endswith(".") and ". " not in text and "\n" not in text


# --- 1. a reply lost after the server handed its output out ------------------------------------


def test_lost_output_of_a_read_only_command_is_read_again_whole(target):
    with shell_for(target) as sh:
        target.faults.lose_reply("Receive", nth=2)
        res = sh.run("lines", ["6", "0.1"], if_lost="rerun")
    assert res.stdout == EXPECTED
    c = target.counters
    assert c.faults_fired["lose"] == 1 and c.commands_started == 2
    assert c.terminated[0] == c.commands[0].command_id  # the first run was stopped
    assert target.server_state.live_commands() == 0


def test_an_answer_cut_halfway_is_lost_output_too(target):
    with shell_for(target) as sh:
        target.faults.cut_reply("Receive", nth=2)
        res = sh.run("lines", ["6", "0.1"], if_lost="rerun")
        assert sh.reruns == 1
    assert res.stdout == EXPECTED
    assert target.counters.faults_fired["cut"] == 1


def test_lost_output_is_reported_in_one_sentence_never_silently(target):
    with shell_for(target) as sh:
        target.faults.lose_reply("Receive", nth=2)
        with pytest.raises(OutputLost) as info:
            sh.run("lines", ["6", "0.1"])
    assert one_sentence(info.value.message), info.value.message
    assert "lost on the way" in info.value.message and "exit code 0" in info.value.message
    assert info.value.remedy
    assert target.counters.commands_started == 1  # not run twice: it may change the target


def test_stop_mode_stops_at_once_for_the_caller_to_read_again(target):
    with shell_for(target) as sh:
        target.faults.lose_reply("Receive", nth=1)
        with pytest.raises(OutputLost) as info:
            sh.run("lines", ["40", "0.1"], if_lost="stop")
        assert "was stopped" in info.value.message
        assert sh.run("echo", ["next"]).stdout == "next\r\n"  # the shell goes on
    assert target.counters.terminated[0] == target.counters.commands[0].command_id


def test_a_reply_later_than_the_read_timeout_is_a_loss_with_the_time_waited(target):
    with shell_for(target, operation_timeout=1, read_timeout=2) as sh:
        target.faults.late_reply(3.5, "Receive", nth=1)
        with pytest.raises(OutputLost) as info:
            sh.run("lines", ["3", "0.1"])
    # The long-poll waits its operation timeout plus the margin: 1 + 1 s.
    assert "(no answer within 2 s)" in info.value.message


# --- 2. timeouts that mean what they say ----------------------------------------------------


def test_a_listener_that_never_answers_is_asked_once_and_the_wait_is_stated():
    with SilentListener() as silent:
        ep = Endpoint("127.0.0.1", silent.port, https=False, user="u", password="p",
                      answer_timeout=1)
        sh = RemoteShell(ep)
        with pytest.raises(ConnectionProblem) as info:
            sh.open()
    found = re.fullmatch(
        rf"127\.0\.0\.1:{silent.port} accepted the connection but sent no answer in (\d+) s\.",
        info.value.message)
    assert found, info.value.message
    assert int(found.group(1)) >= ep.answer_timeout  # the time waited (a busy machine: more)
    assert sh.requests == 1  # not five attempts of the long-poll's timeout


def test_a_connection_never_set_up_times_out_on_the_connect_timeout_and_says_so():
    with UnacceptingListener() as port:
        # The endpoint's own setting, short for the test (10 s by default); the answer and
        # read timeouts stay long, so only the connect timeout can end the wait.
        ep = Endpoint("127.0.0.1", port.port, https=False, user="u", password="p",
                      connect_timeout=1, answer_timeout=60, operation_timeout=60,
                      read_timeout=90)
        sh = RemoteShell(ep)
        with pytest.raises(ConnectionProblem) as info:
            sh.open()
    message = info.value.message
    found = re.fullmatch(rf"Connecting to 127\.0\.0\.1:{port.port} timed out after (\d+) s\.",
                         message)
    assert found, message  # names the connection and the time waited
    # which timeout ended the wait: the connect timeout, not the answer timeout (60 s)
    assert ep.connect_timeout <= int(found.group(1)) < ep.answer_timeout
    assert "refused" not in message and "not as a WinRM service" not in message
    assert sh.requests == 1 and sh.shells_opened == 0  # asked once, never answered


def test_a_target_that_stops_answering_is_asked_once_per_request(target):
    with shell_for(target, answer_timeout=1) as sh:
        assert sh.run("echo", ["before"]).stdout == "before\r\n"
        target.faults.silence()
        before = target.counters.http_requests
        with pytest.raises(ReplyLost) as info:
            sh.run("echo", ["never"])
    assert "(no answer within 1 s)" in info.value.message
    # The Command, then the Signal of cleanup and the Delete of closing, each asked once; an
    # HTTP session's logon is set up again for each (over sealed HTTP) after a read timeout.
    assert target.counters.http_requests - before <= 9


def test_a_silent_target_is_asked_once_at_first_contact(target):
    target.faults.silence()
    sh = shell_for(target, answer_timeout=1)
    with pytest.raises(ConnectionProblem) as info:
        sh.open()
    assert info.value.message == (
        f"127.0.0.1:{target.endpoint.port} accepted the connection but sent no answer in 1 s."
    )
    assert target.counters.http_requests == 1


def test_a_deadline_cuts_the_servers_wait_and_says_how_long_it_took():
    with SimTarget(operation_timeout_cap=60) as t:
        with shell_for(t, operation_timeout=20, read_timeout=25) as sh:
            with pytest.raises(CommandTimeout) as info:
                sh.run("sleep", ["30"], deadline=time.monotonic() + 1.5)
            assert sh.run("echo", ["next"]).exit_code == 0
        asked = t.counters.operation_timeouts
        first_signal = next(i for i, (action, _) in enumerate(asked) if action == "Signal")
        # Each Receive asked the server to wait no longer than the time left (whole seconds);
        # the requests after it ask for the full operation timeout again.
        assert [s for a, s in asked[:first_signal] if a == "Receive"]
        assert all(s <= 2 for a, s in asked[:first_signal] if a == "Receive")
        assert all(s == 20 for _, s in asked[first_signal:])
    assert "did not finish within 1.5 s and was stopped after" in info.value.message


# --- 3. idle keep-alive connections closed by the server -------------------------------------


def test_a_connection_closed_while_idle_is_logged_on_again_not_blamed_on_the_port(target):
    target.server.idle_close = 0.3
    with shell_for(target) as sh:
        assert sh.run("echo", ["one"]).stdout == "one\r\n"
        time.sleep(0.6)  # the server closes the idle connection meanwhile
        assert sh.run("echo", ["two"]).stdout == "two\r\n"
    assert target.counters.commands_started == 2
    assert target.counters.ntlm_handshakes >= 2


# --- 4. no leaked shells ---------------------------------------------------------------------


def test_the_target_ends_a_shell_idle_past_its_idle_timeout_and_a_new_one_is_opened(target):
    with shell_for(target) as sh:
        assert sh.run("echo", ["1"]).exit_code == 0
        (shell,) = target.server_state.winrs.shells.values()
        shell.idle_timeout = 0.2  # as if 300 s had passed without a request
        time.sleep(0.4)
        assert sh.run("echo", ["2"]).stdout == "2\r\n"
    assert target.counters.requests["Create"] == 2
    assert target.server_state.live_shells() == 0


def test_a_failed_delete_is_tried_again_so_no_shell_is_left(target):
    sh = shell_for(target)
    sh.open()
    target.faults.drop_request(action="Delete")
    sh.close()
    assert target.server_state.live_shells() == 0
    assert (sh.shells_opened, sh.shells_closed) == (1, 1)


def test_http_500_on_create_is_retried(target):
    target.faults.fail_once(action="Create")
    with shell_for(target) as sh:
        assert sh.run("echo", ["ok"]).stdout == "ok\r\n"
    assert target.counters.requests["Create"] == 2


def test_a_shell_whose_create_reply_was_lost_ends_on_its_own(target):
    target.faults.lose_reply("Create")
    with shell_for(target) as sh:
        assert sh.run("echo", ["ok"]).stdout == "ok\r\n"
    orphans = list(target.server_state.winrs.shells.values())
    assert len(orphans) == 1  # its id never reached the client
    assert orphans[0].idle_timeout <= 300  # asked for, instead of the server's 7200 s


def test_the_shell_limit_is_named_with_what_to_do():
    with SimTarget(max_shells_per_user=2) as t:
        first, second = shell_for(t), shell_for(t)
        first.open()
        second.open()
        with pytest.raises(RemoteFault) as info, shell_for(t):
            pass
        first.close()
        second.close()
        assert t.server_state.live_shells() == 0
    assert "limit of open shells (MaxShellsPerUser)" in info.value.message
    assert "Restart-Service WinRM" in info.value.remedy


def test_many_failed_runs_leave_no_shell_behind():
    with SimTarget(max_shells_per_user=3, operation_timeout_cap=0.2) as t:
        for _ in range(5):
            t.faults.drop_request(action="Delete")
            with shell_for(t) as sh:
                sh.run("echo", ["x"])
        assert t.server_state.live_shells() == 0


# --- 5. drops on Command and Send: say what happened ----------------------------------------


def test_lost_command_reply_is_not_started_twice_and_says_so(target):
    with shell_for(target) as sh:
        target.faults.lose_reply("Command")
        with pytest.raises(ReplyLost) as info:
            sh.run("echo", ["once"])
    assert "whether it started is unknown" in info.value.message
    assert "could not be restored" not in info.value.message
    assert target.counters.commands_started == 1


def test_lost_command_reply_of_a_read_only_command_runs_it_again_in_a_new_shell(target):
    with shell_for(target) as sh:
        target.faults.lose_reply("Command")
        assert sh.run("echo", ["again"], if_lost="rerun").stdout == "again\r\n"
    assert target.counters.commands_started == 2
    assert target.counters.requests["Create"] == 2  # the first shell, deleted, ended the orphan
    assert target.server_state.live_shells() == 0


def test_lost_send_reply_reruns_a_read_only_command(target):
    data = ("0123456789abcdef" * 9000).encode()  # more than two stdin chunks
    with shell_for(target) as sh:
        target.faults.lose_reply("Send", nth=1)
        res = sh.run("more", stdin=data, if_lost="rerun")
    assert res.stdout == data.decode()
    assert target.counters.commands_started == 2


def test_lost_reply_to_the_last_send_of_a_command_not_run_again(target):
    # "report": the last piece of input arrived (the server acted before the reply was lost), so
    # the command runs once, on its whole input, and its output comes through whole.
    data = ("0123456789abcdef" * 9000).encode()  # three stdin chunks; the third reply is lost
    with shell_for(target) as sh:
        target.faults.lose_reply("Send", nth=3)
        res = sh.run("more", stdin=data)
    assert target.counters.faults_fired["lose"] == 1
    assert res.stdout == data.decode() and res.exit_code == 0
    assert target.counters.commands_started == 1
    assert target.counters.stdin[target.counters.commands[0].command_id] == data


def test_lost_reply_to_an_earlier_send_of_a_command_not_run_again_stops_it(target):
    # "report" before the last piece: the command has not run (the bootstrap reads all its input
    # first), so it is stopped, not run twice, and the sentence says so.
    data = ("0123456789abcdef" * 9000).encode()
    with shell_for(target) as sh:
        target.faults.lose_reply("Send", nth=1)
        with pytest.raises(ReplyLost) as info:
            sh.run("more", stdin=data)
    assert target.counters.faults_fired["lose"] == 1
    assert target.counters.commands_started == 1
    assert target.counters.commands[0].command_id in target.counters.terminated
    assert "stopped before it started" in info.value.message
    assert "could not be restored" not in info.value.message


# --- 6. console-mode stdin and the OEM code page ---------------------------------------------


def test_console_mode_stdin_is_off_when_stdin_is_piped(target):
    with shell_for(target) as sh:
        sh.run("more", stdin=b"piped")
        sh.run("echo", ["no stdin"])
    piped, plain = target.counters.commands
    assert piped.options["WINRS_CONSOLEMODE_STDIN"] == "FALSE"
    assert plain.options["WINRS_CONSOLEMODE_STDIN"] == "TRUE"


def test_native_output_in_the_oem_code_page_is_decoded(target):
    with shell_for(target) as sh:
        assert sh.run("native", ["Größe", "café"]).stdout == "Größe café\r\n"


@pytest.mark.parametrize("oem, words", [
    ("cp866", ["Служба", "запущена"]),  # a Russian server
    ("cp852", ["Usługa", "uruchomiona"]),  # Central European
    ("cp932", ["サービス", "開始"]),  # Japanese: two bytes a character, split across chunks too
])
def test_native_output_is_decoded_in_the_targets_own_oem_code_page(oem, words):
    # cp437 would make these box-drawing signs: the target's code page must be read, not assumed.
    with SimTarget(machine=EchoMachine(oem_codepage=oem), operation_timeout_cap=0.2) as t:
        seen: list[str] = []
        with shell_for(t) as sh:
            first = sh.run("native", words, on_stdout=seen.append)
            second = sh.run("native", words[:1])
            plain = sh.run("echo", ["ascii"])
        expected = " ".join(words) + "\r\n"
        assert first.stdout == expected
        assert "".join(seen) == expected  # the callback gets the same, not a guess first
        assert second.stdout == words[0] + "\r\n"
        assert plain.stdout == "ascii\r\n"
        # read once per session, after the first command that needed it
        lines = [line.lower() for line in t.counters.command_lines()]
        assert [line.startswith("reg ") for line in lines] == [False, True, False, False]


class _RegistryDenied(EchoMachine):
    """reg.exe refused (a hardened registry ACL): the OEM code page cannot be read."""

    def start(self, command, arguments, user):
        if command.lower().startswith("reg"):
            return ThreadProcess(
                lambda stdin, out: out.stderr("ERROR: Access is denied.\r\n") or 1, name="reg")
        return super().start(command, arguments, user)


def test_an_oem_code_page_that_cannot_be_read_falls_back_to_cp437_and_logs_why(caplog):
    with SimTarget(machine=_RegistryDenied(), operation_timeout_cap=0.2) as t:
        with shell_for(t) as sh:
            assert sh.run("native", ["Größe"]).stdout == "Größe\r\n"
            assert sh.run("native", ["café"]).stdout == "café\r\n"
        assert sum(line.lower().startswith("reg ") for line in t.counters.command_lines()) == 1
    assert "did not report its OEM code page; reading native output as cp437" in caplog.text

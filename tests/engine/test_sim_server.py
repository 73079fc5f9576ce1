"""The simulated WinRS server as plain pywinrm sees it: shapes, faults, sealing, state."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import requests
from winrm.exceptions import (
    InvalidCredentialsError,
    WinRMOperationTimeoutError,
    WinRMTransportError,
    WSManFaultError,
)
from winrm.protocol import Protocol

from tui.engine.sim import soap
from tui.engine.sim.process import ThreadProcess
from tui.engine.sim.target import SimTarget


def protocol(t: SimTarget, **kw) -> Protocol:
    ep = t.endpoint
    args = dict(
        transport="ntlm",
        username=ep.user,
        password=ep.password,
        ca_trust_path=str(ep.ca_path) if ep.ca_path else None,
        operation_timeout_sec=1,
        read_timeout_sec=4,
        proxy=None,
    )
    args.update(kw)
    return Protocol(ep.url, **args)


def test_timed_out_fault_and_unknown_ids():
    with SimTarget(operation_timeout_cap=0.2) as t:
        # The client asks for a 30 s wait: without the cap the Receive would wait for the
        # command's end (5 s) and bring its exit code, not a TimedOut fault.
        p = protocol(t, operation_timeout_sec=30, read_timeout_sec=40)
        shell = p.open_shell()
        cmd = p.run_command(shell, "sleep", ["5"])
        with pytest.raises(WinRMOperationTimeoutError):
            p.get_command_output_raw(shell, cmd)
        assert t.counters.operation_timeouts[-1] == ("Receive", 30)
        with pytest.raises(WSManFaultError) as info:
            p.get_command_output_raw(shell, str(uuid.uuid4()).upper())
        assert info.value.wsman_fault_code == soap.INVALID_SELECTORS
        assert info.value.fault_subcode == "w:InvalidSelectors"
        with pytest.raises(WSManFaultError) as info:
            p.run_command("NO-SUCH-SHELL", "echo", ["x"])
        assert "shell was not found" in info.value.reason
        p.cleanup_command(shell, cmd)  # pywinrm asserts RelatesTo == MessageID
        assert t.server_state.live_commands() == 0
        p.close_shell(shell)
        assert t.server_state.live_shells() == 0


def test_receive_answers_stay_under_max_envelope_size():
    sizes: list[int] = []
    with SimTarget() as t:
        p = protocol(t)
        original = p.transport.send_message
        p.transport.send_message = lambda m: sizes.append(len(r := original(m))) or r
        shell = p.open_shell()
        cmd = p.run_command(shell, "big", ["700000"])
        out, _err, code = p.get_command_output(shell, cmd)
        p.close_shell(shell)
    assert code == 0 and len(out) == 700002
    assert max(sizes) <= 153600 and len(sizes) > 6


def test_unencrypted_ntlm_over_http_is_refused():
    with SimTarget() as t:
        p = protocol(t, message_encryption="never")
        with pytest.raises(WinRMTransportError) as info:
            p.open_shell()
        assert info.value.code == 400
        assert t.counters.requests["Create"] == 0


def test_the_user_file_variable_changes_value_but_never_leaves_the_environment():
    # The WinRM client (requests) lists os.environ's keys then reads each value on every
    # request; a simulated server in the same process that removed NTLM_USER_FILE after each
    # logon made that raise KeyError now and then (test_two_targets_... under load).
    import os

    with SimTarget(users={"LAB\\one": "first-Pass1"}) as a:
        p = protocol(a)
        p.close_shell(p.open_shell())
        assert "NTLM_USER_FILE" in os.environ


def test_two_targets_with_different_passwords_at_once():
    """NTLM_USER_FILE is process-wide: concurrent logons to different targets must not mix."""
    errors: list[BaseException] = []
    with (
        SimTarget(users={"LAB\\one": "first-Pass1"}) as a,
        SimTarget(users={"LAB\\two": "second-Pass2"}) as b,
    ):

        def logon(t: SimTarget) -> None:
            try:
                for _ in range(5):
                    p = protocol(t)
                    p.close_shell(p.open_shell())
            except BaseException as exc:  # collected for the main thread
                errors.append(exc)

        threads = [threading.Thread(target=logon, args=(t,)) for t in (a, b, a, b)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert not errors
        assert a.counters.ntlm_handshakes == b.counters.ntlm_handshakes == 10
        with pytest.raises(InvalidCredentialsError):
            protocol(b, username="LAB\\one", password="first-Pass1").open_shell()


def test_ntlm_scheme_is_answered_in_kind():
    with SimTarget(offer_ntlm=True) as t:
        p = protocol(t)
        p.close_shell(p.open_shell())
        assert t.counters.ntlm_handshakes == 1


def test_basic_over_http_refused_by_default_server():
    with SimTarget() as t:
        p = protocol(t, transport="basic")
        with pytest.raises(InvalidCredentialsError):
            p.open_shell()


def test_temp_files_are_removed_and_the_port_closed():
    with SimTarget(https=True) as t:
        ep = t.endpoint
        assert ep.ca_path is not None and ep.ca_path.is_file()
        tmp = ep.ca_path.parent
    assert not tmp.exists()
    with pytest.raises(requests.ConnectionError):
        requests.post(f"http://127.0.0.1:{ep.port}/wsman", timeout=1)


def test_thread_process_contract():
    def fn(stdin, out):
        out.stdout("a")
        out.stderr(b"b")
        data = stdin.read_all()
        out.stdout(data.upper())
        return 3

    proc = ThreadProcess(fn)
    assert proc.read(1.0)[0] in (b"a",)
    proc.write_stdin(b"x", end=False)
    proc.write_stdin(b"y", end=True)
    collected_out, collected_err, code = b"a", b"", None
    deadline = time.monotonic() + 2
    while code is None and time.monotonic() < deadline:
        out, err, code = proc.read(0.5)
        collected_out += out
        collected_err += err
    assert (collected_out, code) == (b"aXY", 3)


def test_thread_process_terminate_ends_a_sleeping_program():
    def fn(stdin, out):
        out.sleep(30)
        return 0

    proc = ThreadProcess(fn)
    proc.terminate()
    assert proc.wait(2) == 0xC000013A


def test_delay_slows_every_answer():
    with SimTarget() as t:
        p = protocol(t)
        shell = p.open_shell()
        held: list[float] = []
        t.faults.pause = held.append  # record each hold instead of sleeping through it
        t.faults.delay = 0.2
        before = t.counters.requests.copy()
        cmd = p.run_command(shell, "echo", ["slow"])
        assert p.get_command_output(shell, cmd)[0] == b"slow\r\n"
        asked = t.counters.requests - before
        assert asked["Command"] == 1 and asked["Receive"] >= 1
        assert held == [0.2] * asked.total()  # each answer held back once, by the delay
        t.faults.clear()
        p.close_shell(shell)
        assert t.counters.requests["Delete"] == 1
    assert held == [0.2] * asked.total()  # none after clear()

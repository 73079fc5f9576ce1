"""#13.1: following the install log loses nothing when a reply is lost on the way (WinRS never
sends output twice): the gap is read again from the last offset taken; and a refused logon is
never tried again (#12.9)."""

from __future__ import annotations

import threading

from tests.support.sim import expected_lines, rig
from tui.engine.events import LogLines, Notice
from tui.engine.install import Follower, attach, install
from tui.engine.shell import RemoteShell
from tui.engine.state import InstallState, unfinished


def _lose_replies_after_first_lines(r, *nths: int, cut: bool = False):
    """After the first lines, the nth Receive replies are lost (`cut`: reset halfway through)."""
    armed = threading.Event()
    lose = r.target.faults.cut_reply if cut else r.target.faults.lose_reply

    def emit(event):
        r.events.append(event)
        if isinstance(event, LogLines) and not armed.is_set():
            armed.set()
            for nth in nths:
                lose("Receive", nth=nth)

    return emit


def test_lost_replies_while_following_lose_no_line():
    with rig(speed=60) as r:
        result = install(r.shell, r.request(), _lose_replies_after_first_lines(r, 1, 2, 3))
        assert result.outcome == "success"
        assert r.target.counters.faults_fired["lose"] == 3
        assert r.lines() == expected_lines(r.machine, result.log_path)
        notices = [e.message for e in r.events if isinstance(e, Notice)]
        assert any(m.startswith("Output of the script 'install-tail' on ")
                   and "Reading the log again from byte" in m for m in notices), notices


def test_batches_larger_than_one_answer_survive_a_lost_reply():
    # Answers of 2 KB of output at most and a fast replay: batches run over several Receives,
    # and a lost Receive cuts one in the middle (a raw JSONDecodeError escaped the follower).
    with rig(speed=400) as r:
        r.target.server_state.winrs.output_cap = 2048
        result = install(r.shell, r.request(),
                         _lose_replies_after_first_lines(r, 2, 4, cut=True))
        assert result.outcome == "success", result.message
        assert r.target.counters.faults_fired["cut"] == 2
        assert r.lines() == expected_lines(r.machine, result.log_path)


def test_a_line_that_is_not_a_batch_is_read_again_from_the_last_offset(tmp_path):
    state = InstallState("gap", {}, "t", "C:\\w", "C:\\w\\status.json", "C:\\w\\log", 0.0)
    events: list = []
    offsets: list[int] = []

    class Tail:  # stands in for the shell: the first run's output has a hole mid-line
        def run_script(self, name, params, on_stdout=None, if_lost="report", **kw):
            offsets.append(params["offset"])
            if len(offsets) == 1:
                # A hole took the newline between two batches: "Extra data" for a JSON parser.
                on_stdout('{"lines":["a"],"offset":10}\n{"lines":["b"],"offset":30}')
                on_stdout('{"lines":["c"],"offset":40}\n')
            else:
                on_stdout('{"lines":["b","c"],"offset":40,"done":true,"exit_code":0}\n')

    follower = Follower(state, events.append)
    follower.run(Tail())
    assert offsets == [0, 10]
    assert [line for e in events if isinstance(e, LogLines) for line in e.lines] == ["a", "b", "c"]
    assert follower.gaps == 1 and follower.exit_code == 0


def test_a_refused_logon_is_never_tried_again_by_attach():
    # Fast enough that the install ends within the rig's wait once the test is done.
    with rig(speed=200) as r:
        stop = threading.Event()

        def emit(event):
            r.events.append(event)
            if isinstance(event, LogLines):
                stop.set()

        assert install(r.shell, r.request(), emit, stop=stop).outcome == "detached"
        (state,) = unfinished()
        failures_before = r.target.counters.auth_failures
        wrong = r.target.endpoint.client_endpoint(password="not-the-password")
        result = attach(lambda: RemoteShell(wrong), InstallState.load(state.path),
                        r.events.append, reconnect_for=30)
        assert result.outcome == "detached"
        assert "refused the logon" in result.message
        assert r.target.counters.auth_failures == failures_before + 1


def test_a_lost_answer_to_starting_the_install_names_the_task_and_is_not_repeated():
    with rig(speed=600) as r:
        r.target.faults.lose_reply("Receive")  # install-start's answer (the first Receive)
        result = install(r.shell, r.request(), r.events.append)
        starts = [s for s in r.machine.scripts_run() if s == "install-start"]
    assert result.outcome == "failed"
    assert "may have started on the target as scheduled task mimsetup-install-" in result.message
    assert "Task Scheduler" in result.next_steps
    assert len(starts) == 1


def test_a_lost_start_of_the_tail_is_read_again_without_an_outage():
    with rig(speed=60) as r:
        armed = threading.Event()

        def emit(event):
            r.events.append(event)
            if isinstance(event, LogLines) and not armed.is_set():
                armed.set()
                r.target.faults.lose_reply("Receive")  # the tail runs again...
                r.target.faults.lose_reply("Command")  # ...and the answer to its start is lost

        result = install(r.shell, r.request(), emit)
        assert result.outcome == "success"
        assert r.target.counters.faults_fired["lose"] == 2
        assert r.lines() == expected_lines(r.machine, result.log_path)
        notices = [e.message for e in r.events if isinstance(e, Notice)]
        assert any("while starting the script 'install-tail'" in m
                   and "Reading the log again from byte" in m for m in notices), notices
        assert not any("Reconnecting" in m for m in notices), notices

"""The install with the real pywinrm against the simulated target, over loopback."""

from __future__ import annotations

import threading

from tests.support.sim import PASSWORD, expected_lines, rig
from tui.engine.events import Finished, LogLines, PhaseStarted, Progress
from tui.engine.install import attach, install
from tui.engine.progress import TICK_SECONDS
from tui.engine.state import InstallState, unfinished


def test_healthy_install_succeeds_and_leaves_nothing_behind():
    with rig() as r:
        result = install(r.shell, r.request(), r.events.append)
        assert result.outcome == "success" and result.exit_code == 0
        assert [type(e) for e in r.events].count(PhaseStarted) >= 4
        percents = [e.percent for e in r.events if isinstance(e, Progress)]
        assert percents == sorted(percents) and percents[-1] == 100.0
        assert r.lines() == expected_lines(r.machine, result.log_path)
        # msiexec ran once, outside the shell, with every property as planned
        (run,) = r.installer.runs
        plan = r.request().plan
        for prop in plan.properties:
            want = PASSWORD if prop.secret is not None else prop.value
            assert run.properties[prop.name] == want, prop.name
        assert run.options["package"] == plan.msi_path
        # the task, the work folder and the sealed secrets are gone
        assert r.installer.tasks == {}
        temp = r.machine.state.path("C:\\Windows\\Temp")
        assert [p.name for p in temp.iterdir()] == ["mimsetup-service-portal.log"]
        # the password never travelled in a command line
        assert all(PASSWORD not in c.command_line for c in r.target.counters.commands)
        # and the machine now answers "already installed"
        from tui.engine import preflight as pf

        assert pf.PRODUCT_CODE in r.machine.state.products


def test_reboot_required_is_success_with_3010():
    with rig(outcome=3010) as r:
        result = install(r.shell, r.request(), r.events.append)
        assert (result.outcome, result.exit_code) == ("reboot", 3010)


def test_1603_shows_the_failing_action_and_its_lines():
    with rig(outcome=1603) as r:
        result = install(r.shell, r.request(), r.events.append)
        assert (result.outcome, result.exit_code) == ("failed", 1603)
        assert result.failing_action == "DeployAndPopulateDatabase"
        assert any("Login failed" in line for line in result.error_lines)
        assert "DeployAndPopulateDatabase" in result.message
        assert result.log_path


def test_another_install_running_is_waited_for_then_retried():
    with rig(busy_attempts=1) as r:
        result = install(r.shell, r.request(), r.events.append, busy_wait=0.2)
        assert result.outcome == "success"
        assert [run.exit_code for run in r.installer.runs] == [1618, 0]
        assert any("1618" in getattr(e, "message", "") for e in r.events)


def test_busy_beyond_the_bound_reports_1618():
    with rig(busy_attempts=5) as r:
        result = install(r.shell, r.request(), r.events.append, busy_wait=0.1, busy_retries=1)
        assert result.exit_code == 1618 and result.outcome == "failed"
        assert len(r.installer.runs) == 2


def test_already_installed_goes_straight_to_the_result():
    with rig("mim-installed") as r:
        result = install(r.shell, r.request(), r.events.append)
        assert (result.outcome, result.exit_code) == ("already-installed", 1638)
        assert not [e for e in r.events if isinstance(e, PhaseStarted)]


def test_dropped_connection_mid_install_resumes_without_lost_or_repeated_lines():
    with rig(speed=60) as r:
        dropped = threading.Event()

        def emit(event):
            r.events.append(event)
            if isinstance(event, LogLines) and not dropped.is_set():
                dropped.set()
                # Enough drops in a row that the shell gives up and the follower reconnects
                # with a new shell, resuming from the last offset.
                for _ in range(8):
                    r.target.faults.drop_request(1, "Receive")

        result = install(r.shell, r.request(), emit)
        assert result.outcome == "success"
        lines = r.lines()
        assert lines == expected_lines(r.machine, result.log_path)
        assert r.target.counters.connections > 1


def test_detach_then_attach_follows_to_the_end():
    with rig(speed=40) as r:
        stop = threading.Event()

        def emit(event):
            r.events.append(event)
            if isinstance(event, LogLines) and len(r.lines()) > 20:
                stop.set()

        first = install(r.shell, r.request(), emit, stop=stop)
        assert first.outcome == "detached"
        assert "mimsetup attach" in first.next_steps
        (state,) = unfinished()
        assert state.offset > 0 and "password" not in state.path.read_text().lower()
        assert PASSWORD not in state.path.read_text()
        assert oct(state.path.stat().st_mode & 0o777) == "0o600"
        second = attach(r.shell, InstallState.load(state.path), r.events.append)
        assert second.outcome == "success"
        assert r.lines() == expected_lines(r.machine, second.log_path)
        assert unfinished() == []
        assert [e.outcome for e in r.events if isinstance(e, Finished)] == ["detached", "success"]


def test_progress_keeps_coming_through_a_silent_phase():
    # The database phase writes nothing for six minutes of the reference log (here 416 s at
    # 100x: about 4 s); the tail sends only a checkpoint every 15 s. The bar must still move.
    events: list[object] = []
    with rig(speed=100.0) as r:
        result = install(r.shell, r.request(), events.append, time_scale=100.0)
    assert result.outcome == "success"
    stamped = list(enumerate(events))  # an event's place in the stream, not a clock reading
    phases = [(t, e.phase) for t, e in stamped if isinstance(e, PhaseStarted)]
    start = next(t for t, p in phases if p == "database")
    end = next(t for t, p in phases if t > start)
    during = [(t, e) for t, e in stamped if isinstance(e, Progress) and start <= t <= end]
    # No timing assertion (the guide): the ticker's interval is checked as a setting below, and
    # here that the bar keeps being told through the silent phase (without the ticker the
    # database phase sends no Progress at all, only its start and a checkpoint).
    assert TICK_SECONDS <= 1.0  # "at least once a second" (#14.4)
    assert len(during) >= 3
    percents = [e.percent for _, e in during]
    assert percents == sorted(percents) and len(set(percents)) >= 3  # and it moves
    etas = [e.eta_seconds for _, e in during if e.eta_seconds is not None]
    assert etas[-1] < etas[0]  # the ETA counts down too

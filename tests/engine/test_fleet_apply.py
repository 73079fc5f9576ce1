"""Installing a fleet: the database creator first, the others after it in parallel (bounded); a
failure stops only the hosts that need it, and every host gets a result. Against two simulated
targets on loopback with the real install engine, and with a stand-in install for the rules."""

from __future__ import annotations

import contextlib
import itertools
import threading

import pytest

from tests.support.answers import read_fleet
from tests.support.paths import ROOT
from tests.support.sim import rig
from tui.engine.events import Finished, LogLines
from tui.engine.fleet import HostResult, Step, run_fleet, steps_for
from tui.engine.install import install

TWO = """schema_version = 1
kind = "fleet"
base = "contoso.toml"

[hosts.mim01.target]
host = "mim01.contoso.local"

[hosts.mim02.database]
existing = true

[hosts.mim02.target]
host = "mim02.contoso.local"
"""


@pytest.fixture
def fleet(tmp_path):
    base = (ROOT / "answers" / "contoso.toml").read_text(encoding="utf-8")
    base = base.replace("registration_portal = true\n", "registration_portal = false\n").replace(
        "reset_portal = true\n", "reset_portal = false\n")
    (tmp_path / "contoso.toml").write_text(base, encoding="utf-8")
    (tmp_path / "fleet.toml").write_text(TWO, encoding="utf-8")
    f = read_fleet(tmp_path / "fleet.toml")
    assert f.ok, [p.format() for p in f.problems]
    return f


@contextlib.contextmanager
def two_targets(first: dict, second: dict):
    with rig(**first) as a, rig(**second) as b:
        yield {"mim01": a, "mim02": b}


# One count shared by every host's thread orders what happened, where a clock's stamps could tie.
ORDER = itertools.count()


def installer(rigs, fleet, seen):
    def run_host(name, emit, stop):
        r = rigs[name]
        seen.append((next(ORDER), name, "start"))
        return install(r.shell, r.request(fleet.host(name).answers), emit, stop=stop)
    return run_host


def test_steps_of_the_example_fleet():
    f = read_fleet(ROOT / "answers" / "fleet-contoso.toml")
    assert steps_for(f) == [Step("mim01", 0), Step("mim02", 1, ("mim01",)), Step("sspr01", 1)]


def test_two_targets_install_creator_first(fleet):
    events, seen = [], []
    with two_targets({}, {}) as rigs:
        result = run_fleet(steps_for(fleet), installer(rigs, fleet, seen),
                           lambda host, e: events.append((next(ORDER), host, e)))
        assert [len(r.installer.runs) for r in rigs.values()] == [1, 1]
        run02 = rigs["mim02"].installer.runs[0]
    assert result.ok and [r.outcome for r in result.results] == ["success", "success"]
    assert run02.properties["EXISTINGDATABASE"] == "1"
    done01 = next(t for t, h, e in events if h == "mim01" and isinstance(e, Finished))
    start02 = next(t for t, h, s in seen if h == "mim02")
    assert done01 < start02  # mim02 reuses the database mim01 created
    assert {h for _, h, e in events if isinstance(e, LogLines)} == {"mim01", "mim02"}
    assert result.summary()[-1] == "2 of 2 host(s) installed."


def test_one_target_failing_leaves_the_other_result_standing(fleet):
    with two_targets({}, {"outcome": 1603}) as rigs:
        result = run_fleet(steps_for(fleet), installer(rigs, fleet, []), lambda h, e: None)
    assert not result.ok
    assert result.get("mim01").outcome == "success"
    failed = result.get("mim02")
    assert failed.outcome == "failed" and failed.finished.exit_code == 1603
    assert failed.finished.failing_action == "DeployAndPopulateDatabase"
    lines = result.summary()
    assert lines[0].startswith("mim01") and "success" in lines[0]
    assert lines[1].startswith("mim02") and "failed" in lines[1]
    assert lines[-1] == "1 of 2 host(s) installed."


def test_creator_failing_stops_the_hosts_that_reuse_its_database(fleet):
    with two_targets({"outcome": 1603}, {}) as rigs:
        result = run_fleet(steps_for(fleet), installer(rigs, fleet, []), lambda h, e: None)
        assert rigs["mim02"].installer.runs == []
    assert result.get("mim01").outcome == "failed"
    skipped = result.get("mim02")
    assert skipped.outcome == "skipped" and "mim01" in skipped.message


# --- the rules, with a stand-in install ------------------------------------------------------

def fake(outcomes: dict[str, str], meet: set[str] = frozenset()):
    """A stand-in install; the hosts in `meet` wait for each other in pairs (a barrier, so the
    test knows two ran at once, whatever the machine's load), and `peak` counts how many ran at
    once."""
    running, peak, lock = [0], [0], threading.Lock()
    pair = threading.Barrier(2, timeout=30)

    def run_host(name, emit, stop):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            if name in meet:
                pair.wait()  # broken (an error, so a failed host) if no second host comes
        finally:
            with lock:
                running[0] -= 1
        if outcomes.get(name) == "raise":
            raise RuntimeError("boom")
        return Finished(outcomes.get(name, "success"), 0, f"{name} done")

    return run_host, peak


def test_parallel_is_bounded_and_independent_hosts_go_on():
    steps = [Step("db", 0)] + [Step(f"s{i}", 1, ("db",)) for i in range(5)] + [Step("sspr", 1)]
    run_host, peak = fake({"db": "failed"})
    result = run_fleet(steps, run_host, lambda h, e: None, parallel=2)
    assert [r.outcome for r in result.results] == ["failed"] + ["skipped"] * 5 + ["success"]
    # the six hosts after db, two at a time: each pair meets, and no third host runs with them
    run_host, peak = fake({}, meet={s.host for s in steps[1:]})
    result = run_fleet(steps, run_host, lambda h, e: None, parallel=2)
    assert result.ok and peak[0] == 2, result.summary()


def test_a_host_that_raises_is_a_failed_result():
    run_host, _ = fake({"b": "raise"})
    events = []
    result = run_fleet([Step("a", 0), Step("b", 0)], run_host,
                       lambda h, e: events.append((h, e)))
    assert result.get("a") == HostResult("a", "success", "a done", result.get("a").finished)
    assert result.get("b").outcome == "failed" and "boom" in result.get("b").message
    assert ("b", result.get("b").finished) in events


def test_stop_skips_what_has_not_started():
    stop = threading.Event()

    def run_host(name, emit, s):
        stop.set()
        return Finished("success", 0, "ok")

    result = run_fleet([Step("a", 0), Step("b", 1)], run_host, lambda h, e: None, stop=stop)
    assert [r.outcome for r in result.results] == ["success", "skipped"]

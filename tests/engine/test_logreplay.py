"""The simulated msiexec log: real bytes, Windows encoding, compressed time, three endings."""

from __future__ import annotations

import math
import time
from datetime import datetime

import pytest

from tests.support.reference import log_bytes, log_lines
from tests.support.waiting import wait_until
from tui.engine.msilog import ClockUnwrapper, LineKind, LogDecoder, classify, decode_lines
from tui.engine.progress import ProgressEstimator
from tui.engine.sim.logreplay import LogReplayer, build_script, expected_lines


def _replay(tmp_path, outcome=0, **kwargs) -> tuple[LogReplayer, bytes]:
    path = tmp_path / "install.log"
    replayer = LogReplayer(path, outcome, **{"speed": math.inf, **kwargs}).start()
    assert replayer.wait(30)
    assert replayer.error is None
    return replayer, path.read_bytes()


def test_outcome_0_writes_the_reference_log_byte_for_byte(tmp_path):
    replayer, data = _replay(tmp_path)
    assert data[:2] == b"\xff\xfe"  # UTF-16LE BOM
    assert data == log_bytes()
    assert replayer.done and replayer.completed and replayer.exit_code == 0
    assert replayer.lines_written == replayer.lines_total == len(log_lines())
    assert replayer.bytes_written == len(data)


@pytest.mark.parametrize("outcome", [3010, 1603])
def test_written_file_decodes_to_the_expected_lines(tmp_path, outcome):
    replayer, data = _replay(tmp_path, outcome)
    assert data.startswith(b"\xff\xfe") and b"\r\x00\n\x00" in data
    assert data.count(b"\n\x00") == data.count(b"\r\x00\n\x00")  # CRLF throughout
    assert decode_lines(data) == expected_lines(outcome)
    assert replayer.exit_code == outcome


def test_3010_ends_with_a_restart_request():
    lines = expected_lines(3010)
    stopped = next(i for i, t in enumerate(lines) if t.startswith("=== Logging stopped"))
    tail = [t for t in lines[stopped + 1 :] if t]
    assert "Installation completed successfully." in tail[0]
    assert "Installation success or error status: 0." in tail[1]
    assert "Windows Installer requires a system restart." in tail[2]
    assert "Restart required." in tail[3]
    assert tail[-1].endswith("MainEngineThread is returning 3010")
    inserted = ("Info 1903.", "Property(S): ReplacedInUseFiles", "Property(C): ReplacedInUseFiles")
    assert sum(t.startswith(inserted) for t in lines) == 3
    # Apart from those, everything up to the closing lines is the real log.
    real = [t for t in lines if not t.startswith(inserted)]
    assert real[: len(log_lines())] == list(log_lines())


def test_1603_cuts_the_log_in_the_database_action_and_fails_realistically():
    lines = expected_lines(1603)
    cut = lines.index("Action 10:53:50: DeployAndPopulateDatabase. ")
    assert lines[: cut + 1] == list(log_lines()[: cut + 1])
    after = lines[cut + 1 :]
    assert any("Login failed for user" in t and t.startswith("Error 25009.") for t in after)
    assert any(
        t.startswith("CustomAction DeployAndPopulateDatabase returned actual error code 1603")
        for t in after
    )
    assert "Action ended 10:54:12: InstallExecute. Return value 3." in after
    assert "Rollback: Copying new files" in after
    assert any(t.endswith("Installation operation failed.") for t in after)
    assert any(t.endswith("Installation success or error status: 1603.") for t in after)
    assert [t for t in after if t][-1].endswith("MainEngineThread is returning 1603")
    assert not any("UpgradeDatabase" in t for t in after if t.startswith("Action "))


@pytest.mark.parametrize("outcome", [0, 3010, 1603])
def test_timestamps_never_go_back(outcome):
    clock = ClockUnwrapper()
    times = [clock(s) for t in expected_lines(outcome) if (s := classify(t).seconds) is not None]
    assert all(b >= a - 1 for a, b in zip(times, times[1:], strict=False))  # ms vs s stamps
    script = build_script(outcome)
    assert [r.at for r in script] == sorted(r.at for r in script)


def test_rebase_moves_the_timeline_across_midnight():
    lines = expected_lines(1603, rebase=datetime(2024, 3, 31, 23, 59, 0))
    assert lines[0] == "=== Logging started: 31-03-2024  23:59:00 ==="
    assert "Action 0:00:49: DeployAndPopulateDatabase. " in lines
    stopped = next(t for t in lines if t.startswith("=== Logging stopped"))
    assert stopped == "=== Logging stopped: 01-04-2024  00:01:19 ==="
    assert [t for t in lines if t][
        -1
    ] == "MSI (c) (48:DC) [00:01:19:530]: MainEngineThread is returning 1603"


def _paced_run(path, **kwargs) -> tuple[LogReplayer, list[float], list[int]]:
    """Runs a replay on a clock that moves only when the writer asks to wait, so pacing is seen
    without sleeping or reading the time. Returns the replayer, the clock reading at which each
    line was written (the waits asked for before it, added up) and the file's size at each wait.
    """
    now = [0.0]
    waits: list[tuple[int, float]] = []  # (lines written when the wait was asked, seconds)
    sizes: list[int] = []

    def wait(seconds: float) -> None:
        waits.append((replayer.lines_written, seconds))
        sizes.append(path.stat().st_size)
        now[0] += seconds

    replayer = LogReplayer(path, 0, clock=lambda: now[0], wait=wait, **kwargs)
    replayer.run()
    written_at, asked, j = [], 0.0, 0
    for i in range(replayer.lines_total):
        while j < len(waits) and waits[j][0] <= i:  # the waits asked before line i was written
            asked += waits[j][1]
            j += 1
        written_at.append(asked)
    return replayer, written_at, sizes


def _early(written_at: list[float], due: list[float]) -> list[tuple[int, float, float]]:
    """(line, written at, due at) of each line written before its due time."""
    return [(i, w, d) for i, (w, d) in enumerate(zip(written_at, due, strict=True)) if w < d - 1e-9]


def test_time_is_compressed_by_speed(tmp_path):
    speed = 400.0  # the 647 s log in about 1.6 s (of the test's clock: nothing sleeps)
    path = tmp_path / "install.log"
    replayer, written_at, sizes = _paced_run(path, speed=speed)
    assert replayer.duration == pytest.approx(646.941 / speed)
    assert replayer.completed and path.read_bytes() == log_bytes()
    # paced: line i is written only once the waits asked for add up to its own time / speed,
    # and not later than that either
    due = [line.at / speed for line in build_script(0)]
    assert _early(written_at, due) == []
    assert written_at == pytest.approx(due)
    assert written_at[-1] == pytest.approx(replayer.duration)
    # written over time: between waits the file held part of the log, growing
    assert len(sizes) > 100 and sizes == sorted(sizes) and 0 < sizes[len(sizes) // 2] < sizes[-1]


def test_lines_per_second_mode(tmp_path):
    replayer, written_at, _ = _paced_run(tmp_path / "bench.log", lines_per_second=20000)
    assert replayer.duration == pytest.approx((replayer.lines_total - 1) / 20000)
    due = [i / 20000 for i in range(replayer.lines_total)]  # a steady rate, whatever the stamps
    assert _early(written_at, due) == []
    assert written_at == pytest.approx(due)
    assert replayer.exit_code == 0


def test_stop_ends_early_without_an_exit_code(tmp_path):
    replayer = LogReplayer(tmp_path / "install.log", 0, speed=10.0).start()
    wait_until(lambda: replayer.lines_written > 0, what="the first line")
    replayer.stop()
    assert replayer.done
    assert replayer.exit_code is None and not replayer.completed
    assert 0 < replayer.lines_written < replayer.lines_total


def test_scale_makes_a_log_about_ten_times_larger(tmp_path):
    replayer, data = _replay(tmp_path, 0, scale=10)
    assert 9.5 < len(data) / len(log_bytes()) < 10.5
    report = ProgressEstimator().feed_all(decode_lines(data))
    assert report.done and report.exit_code == 0


def test_a_tailer_reading_while_the_replayer_writes_sees_every_line_once(tmp_path):
    """The live path: odd-sized reads by offset, racing the writer."""
    path = tmp_path / "install.log"
    replayer = LogReplayer(path, 1603, speed=500.0, scale=3).start()
    decoder = LogDecoder()
    lines: list[str] = []
    sizes = iter([1, 3, 7, 4096, 5, 65537] * 100000)
    while True:
        finished = replayer.done
        if path.exists():
            with path.open("rb") as f:
                f.seek(decoder.offset + decoder.pending_bytes)
                lines += decoder.feed(f.read(next(sizes)))
        if finished and path.stat().st_size == decoder.offset + decoder.pending_bytes:
            break
    lines += decoder.flush()
    assert lines == expected_lines(1603, scale=3)
    assert decoder.offset == path.stat().st_size


def test_following_a_live_replay_shows_progress_and_the_end(tmp_path):
    path = tmp_path / "install.log"
    speed = 300.0
    replayer = LogReplayer(path, 3010, speed=speed).start()
    estimator = ProgressEstimator(time_scale=speed)
    decoder = LogDecoder()
    percents = []
    while not (replayer.done and path.stat().st_size == decoder.offset + decoder.pending_bytes):
        if path.exists():
            with path.open("rb") as f:
                f.seek(decoder.offset + decoder.pending_bytes)
                chunk = f.read()
            now = time.monotonic()
            for line in decoder.feed(chunk):
                estimator.feed(line, wall=now)
            percents.append(estimator.report(wall=now).percent)
        time.sleep(0.01)
    for line in decoder.flush():
        estimator.feed(line)
    report = estimator.report()
    assert percents == sorted(percents)
    assert report.done and report.exit_code == 3010 and report.percent == 100.0
    assert len({round(p) for p in percents}) > 10  # the bar moved in many steps


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(ValueError):
        LogReplayer(tmp_path / "x.log", 1618)
    with pytest.raises(ValueError):
        LogReplayer(tmp_path / "x.log", 0, speed=0)
    with pytest.raises(ValueError):
        build_script(0, scale=0)


def test_script_lines_carry_log_times_from_zero():
    script = build_script(0)
    assert script[0].at == 0.0
    assert script[-1].at == pytest.approx(646.941)
    deferred = [r for r in script if classify(r.text).kind is LineKind.ACTION_DEFERRED]
    db = next(r for r in deferred if "DeployAndPopulateDatabase" in r.text and "10:53:50" in r.text)
    assert db.at == pytest.approx(109.0)

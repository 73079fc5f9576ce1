"""Progress by time-weighted phases, checked against the real log's own clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from tests.support.reference import log_classified
from tests.support.timelines import rewrite, silent
from tui.engine.msilog import ClockUnwrapper, LineKind, LogLine, classify, matters
from tui.engine.progress import (
    ACTION_PHASES,
    DIALOG_SECONDS,
    MILESTONES,
    PHASE_ORDER,
    PHASE_SECONDS,
    PROBE_SECONDS,
    Phase,
    ProgressEstimator,
    derive_dialog_seconds,
    derive_milestones,
    derive_phase_seconds,
    derive_probe_seconds,
    is_dialog,
    phase_weights,
    phases_for,
)
from tui.engine.sim.logreplay import build_script, expected_lines


def naive_percent(done_actions: int, total_actions: int) -> float:
    """Action counting, the measure the estimator replaces: how far off it is, for comparison."""
    return 100.0 * done_actions / total_actions if total_actions else 0.0


ACTIONS = (LineKind.ACTION_START, LineKind.ACTION_DEFERRED, LineKind.ACTION_END)
TOLERANCE = 15.0


def _replay(lines, phases=PHASE_ORDER):
    """(estimated %, true elapsed %, naive %) at every action line, with the log's own times."""
    lines = [ln if isinstance(ln, LogLine) else classify(ln) for ln in lines]
    clock = ClockUnwrapper()
    times = [clock(ln.seconds) if ln.seconds is not None else None for ln in lines]
    first = next(t for ln, t in zip(lines, times, strict=True) if ln.kind in ACTIONS)
    end = next(t for ln, t in zip(lines, times, strict=True) if ln.kind is LineKind.PRODUCT_RESULT)
    total_actions = sum(ln.kind in ACTIONS for ln in lines)
    estimator = ProgressEstimator(phases)
    rows, seen, now = [], 0, first
    for ln, t in zip(lines, times, strict=True):
        estimator.feed(ln)
        now = t if t is not None else now
        if ln.kind in ACTIONS:
            seen += 1
            true = 100.0 * (now - first) / (end - first)
            rows.append((estimator.report().percent, true, naive_percent(seen, total_actions), ln))
    return rows, estimator


def test_constants_match_the_weights_derived_from_the_reference_log():
    assert derive_phase_seconds(log_classified()) == dict(PHASE_SECONDS)
    # The point of weighting: the database work is most of the install.
    weights = phase_weights()
    assert weights[Phase.DATABASE] > 0.6
    assert sum(weights.values()) == pytest.approx(1.0)


def test_percent_tracks_true_elapsed_time_and_naive_counting_does_not():
    rows, _ = _replay(log_classified())
    worst = max(abs(est - true) for est, true, _, _ in rows)
    naive_worst = max(abs(naive - true) for _, true, naive, _ in rows)
    print(f"max |percent - true| = {worst:.2f} points; naive counting: {naive_worst:.2f} points")
    assert worst <= TOLERANCE
    assert naive_worst > TOLERANCE  # counting actions really is far off on this log
    at_db = next(r for r in rows if r[3].text == "Action 10:53:50: DeployAndPopulateDatabase. ")
    assert at_db[2] - at_db[1] > 50  # most actions are done when the long part starts


def test_percent_is_monotonic_and_reaches_100_only_with_the_product_result():
    estimator = ProgressEstimator()
    last = 0.0
    for ln in log_classified():
        estimator.feed(ln)
        report = estimator.report()
        assert report.percent >= last
        last = report.percent
        if ln.kind is LineKind.PRODUCT_RESULT:
            assert report.done and report.succeeded and report.percent == 100.0
            break
        assert report.percent < 100.0
        assert not report.done
    assert estimator.report().exit_code == 0


def test_the_filtered_tail_gives_the_same_progress():
    # What the client sees live is the filtered tail: at each line it receives, the bar reads
    # as it would from the whole log, within 15 points of the true elapsed time.
    full, _ = _replay(log_classified())
    tail, _ = _replay([ln for ln in log_classified() if matters(ln)])
    at_kept = [r for r in full if matters(r[3])]
    assert [r[3].text for r in tail] == [r[3].text for r in at_kept]
    assert [round(r[0], 6) for r in tail] == [round(r[0], 6) for r in at_kept]
    assert max(abs(r[0] - full_row[1]) for r, full_row in zip(tail, at_kept, strict=True)) <= 15


def test_script_generation_does_not_move_the_bar():
    # At 10:53:10 the immediate sequence names every later action while generating the script.
    estimator = ProgressEstimator()
    for ln in log_classified():
        estimator.feed(ln)
        if ln.text == "Action ended 10:53:10: InstallFinalize. Return value 1.":
            break
        if ln.text.startswith("Action start 10:53:10: InstallExecute."):
            break
    assert estimator.phase is Phase.PREPARING
    assert estimator.report().percent < 100 * phase_weights()[Phase.PREPARING]


def test_every_phase_is_entered_in_order_on_the_reference_log():
    estimator = ProgressEstimator()
    seen: list[Phase] = []
    for ln in log_classified():
        estimator.feed(ln)
        if estimator.phase is not None and (not seen or seen[-1] is not estimator.phase):
            seen.append(estimator.phase)
    assert seen == list(PHASE_ORDER)


def test_a_long_phase_moves_by_time_but_never_passes_its_end():
    lines = list(log_classified())
    estimator = ProgressEstimator(time_scale=1.0)
    weights = phase_weights()
    db_end = 100 * sum(weights[p] for p in PHASE_ORDER[: PHASE_ORDER.index(Phase.DATABASE) + 1])
    start = next(i for i, ln in enumerate(lines) if ln.text.startswith("Action 10:53:50: Deploy"))
    for ln in lines[: start + 1]:
        estimator.feed(ln, wall=0.0)
    samples = [estimator.report(wall=w).percent for w in range(0, 3000, 30)]
    assert samples == sorted(samples)
    assert samples[1] > samples[0]  # moving during the six silent minutes
    assert samples[10] > samples[5]
    assert max(samples) < db_end  # overrunning the expected time does not spill into services
    assert all(b > a for a, b in zip(samples, samples[1:], strict=False))  # never frozen
    # UpgradeDatabase comes 52 s in: before that the ETA counts down, and once it is overdue
    # the phase is expected to run longer (the ETA grows) instead of ending any second now.
    etas = [estimator.report(wall=w).eta_seconds for w in (10, 40, 200, 400)]
    assert etas[1] < etas[0] and etas[3] > etas[2] > etas[1]


def test_eta_counts_down_with_the_reference_timeline():
    estimator = ProgressEstimator()
    etas = []
    for ln in log_classified():
        estimator.feed(ln)
        if ln.kind is LineKind.ACTION_DEFERRED and ln.action in ACTION_PHASES:
            etas.append((ln.clock, estimator.report().eta_seconds))
    at_db = dict(etas)["10:53:50"]
    assert at_db == pytest.approx(sum(PHASE_SECONDS[p] for p in PHASE_ORDER[2:]), rel=0.05)
    assert estimator.report().eta_seconds is None  # done


def test_live_following_with_wall_time_and_a_time_scale():
    """The demo: the log replayed 40 times faster, lines stamped with wall time on arrival."""
    speed = 40.0
    estimator = ProgressEstimator(time_scale=speed)
    last = -1.0
    worst = 0.0
    script = build_script(0)
    total = script[-1].at
    for line in script:
        wall = line.at / speed
        estimator.feed(line.text, wall=wall)
        report = estimator.report(wall=wall + 0.01)
        assert report.percent >= last
        last = report.percent
        if not report.done:
            worst = max(worst, abs(report.percent - 100 * line.at / total))
    assert last == 100.0
    assert worst <= TOLERANCE


def test_components_select_phases_and_renormalise():
    service_only = phases_for(["CommonServices"])
    assert Phase.SHAREPOINT not in service_only and Phase.DATABASE in service_only
    portal_only = phases_for(["WebPortals"])
    assert Phase.DATABASE not in portal_only and Phase.SHAREPOINT in portal_only
    assert phases_for(["ALL"]) == PHASE_ORDER
    weights = phase_weights(service_only)
    assert sum(weights.values()) == pytest.approx(1.0)
    assert weights[Phase.DATABASE] > phase_weights()[Phase.DATABASE]


def _without_portal(lines: list[LogLine]) -> list[LogLine]:
    """The reference log as a service-only install: no solution packs, later times pulled in."""
    portal = {a for a, p in ACTION_PHASES.items() if p is Phase.SHAREPOINT}
    begin = 11 * 3600 + 61  # 11:01:01, InstallCommonPortal
    cut = 11 * 3600 + 135  # 11:02:15, ConfigureWindowsFirewall
    out = []
    for ln in lines:
        if ln.kind is LineKind.ACTION_DEFERRED and ln.action in portal:
            continue
        if ln.seconds is not None and ln.seconds >= cut:
            ln = replace(ln, seconds=ln.seconds - (cut - begin))
        out.append(ln)
    return out


def test_an_install_without_the_portal_stays_within_tolerance():
    lines = _without_portal(list(log_classified()))
    rows, estimator = _replay(lines, phases_for(["CommonServices"]))
    worst = max(abs(est - true) for est, true, _, _ in rows)
    assert worst <= TOLERANCE
    assert estimator.report().percent == 100.0
    # With the portal's weight left in, the bar would lag behind by about its share.
    rows_all, _ = _replay(lines)
    assert max(abs(est - true) for est, true, _, _ in rows_all) > worst


def test_midnight_does_not_break_progress():
    lines = [classify(t) for t in expected_lines(0, rebase=datetime(2024, 3, 31, 23, 55))]
    assert derive_phase_seconds(lines) == dict(PHASE_SECONDS)
    rows, estimator = _replay(lines)
    assert max(abs(est - true) for est, true, _, _ in rows) <= TOLERANCE
    assert estimator.report().percent == 100.0


def test_reboot_required_is_success_with_3010():
    report = ProgressEstimator().feed_all(expected_lines(3010))
    assert (report.done, report.succeeded, report.exit_code, report.percent) == (
        True,
        True,
        3010,
        100.0,
    )


def test_a_failed_install_stops_the_bar_where_it_was():
    estimator = ProgressEstimator()
    report = estimator.feed_all(expected_lines(1603))
    assert report.done and report.succeeded is False and report.exit_code == 1603
    assert report.phase is Phase.DATABASE
    assert 15 < report.percent < 40
    assert report.title == "Failed"
    assert estimator.report(wall=1e6).percent == report.percent


# --- an estimate that adapts (#14.5) -----------------------------------------------------------

def test_milestones_and_dialog_time_are_the_reference_logs():
    assert derive_milestones(log_classified()) == dict(MILESTONES)
    assert derive_dialog_seconds(log_classified()) == dict(DIALOG_SECONDS)
    # The execute sequence's checks (the wizard ran the farm's check in 1 s, the script in 2 s)
    assert derive_probe_seconds(log_classified()) == dict(PROBE_SECONDS)


def _eta_when(lines, wanted: str) -> tuple[float, float]:
    """(ETA, true seconds left) at the line whose action is `wanted`, on a rewritten timeline."""
    estimator = ProgressEstimator()
    timeline_end = lines.end
    for t, ln in lines.lines:
        estimator.feed(ln, wall=t)
        # the deferred script's line, not the script generation's (the phase is entered)
        if (ln.kind is LineKind.ACTION_DEFERRED and ln.action == wanted
                and estimator.phase is ACTION_PHASES[wanted]):
            return estimator.report(wall=t).eta_seconds, timeline_end - t
    raise AssertionError(wanted)


def test_a_silent_install_is_expected_without_the_wizards_dialogs():
    quiet = silent(log_classified())
    assert not any(is_dialog(ln) for ln in quiet)
    eta, left = _eta_when(rewrite(quiet, {}), "InstallFiles")
    assert eta == pytest.approx(left, abs=2)  # 49 s shorter than the interactive reference
    eta, left = _eta_when(rewrite(log_classified(), {}), "InstallFiles")
    assert eta == pytest.approx(left, abs=2)  # dialogs seen: the reference's own timing


def test_a_slow_database_is_known_from_its_milestone():
    # UpgradeDatabase comes 52 s into the database work in the reference; at 5x it comes after
    # 260 s, and from then on the ETA knows the phase runs 5x slower.
    eta, left = _eta_when(rewrite(silent(log_classified()), {Phase.DATABASE: 5.0}),
                          "UpgradeDatabase")
    assert eta == pytest.approx(left, rel=0.1)
    eta, left = _eta_when(rewrite(silent(log_classified()), {Phase.DATABASE: 0.2}),
                          "UpgradeDatabase")
    assert eta == pytest.approx(left, rel=0.1)


def test_the_pace_of_completed_phases_carries_over():
    # Everything 3x slower: once copying files took 3x, the database is expected slower too.
    slow = rewrite(silent(log_classified()), dict.fromkeys(Phase, 3.0))
    eta, left = _eta_when(slow, "DeployAndPopulateDatabase")
    reference_eta, _ = _eta_when(rewrite(silent(log_classified()), {}),
                                 "DeployAndPopulateDatabase")
    assert eta > 1.5 * reference_eta
    assert abs(eta - left) < abs(reference_eta - left)


def test_an_overdue_phase_pushes_the_estimate_out_and_the_bar_still_moves():
    stretched = rewrite(silent(log_classified()), {Phase.SHAREPOINT: 5.0})
    estimator = ProgressEstimator()
    start = next(t for t, ln in stretched.lines if ln.action == "InstallCommonPortal")
    for t, ln in stretched.lines:
        if t > start:
            break
        estimator.feed(ln, wall=t)
    samples = [estimator.report(wall=start + s) for s in range(0, 180, 10)]
    percents = [r.percent for r in samples]
    assert all(b > a for a, b in zip(percents, percents[1:], strict=False))
    assert samples[-1].eta_seconds > samples[5].eta_seconds  # 40 s milestone overdue: longer


def _at_portal_start(timeline):
    """(bar, true share, ETA, true seconds left) as the portal phase starts."""
    estimator = ProgressEstimator()
    for t, ln in timeline.lines:
        if not matters(ln):  # what the live tail sends
            continue
        estimator.feed(ln, wall=t)
        if estimator.phase is Phase.SHAREPOINT:
            report = estimator.report(wall=t)
            total = timeline.end - timeline.start
            return (report.percent, 100.0 * (t - timeline.start) / total, report.eta_seconds,
                    timeline.end - t)
    raise AssertionError("no portal phase")


@pytest.mark.parametrize("factor", [5.0, 0.2])
def test_a_slow_or_fast_farm_is_known_from_the_installers_checks_before_its_phase(factor):
    # A farm 5x slower takes 5x longer over the installer's checks of it, minutes before the
    # portal phase: when that phase starts the bar and the ETA already allow for it.
    quiet = silent(log_classified())
    bar, true, eta, left = _at_portal_start(rewrite(quiet, {Phase.SHAREPOINT: factor}))
    assert abs(bar - true) <= 10
    assert eta == pytest.approx(left, rel=0.4)
    # The same install whose checks ran at the reference's speed cannot know it: the checks
    # are what made the difference.
    blind_bar, _, blind_eta, _ = _at_portal_start(
        rewrite(quiet, {Phase.SHAREPOINT: factor}, probes=False))
    assert abs(blind_bar - true) > abs(bar - true) + 5
    assert abs(blind_eta - left) > 2 * abs(eta - left)

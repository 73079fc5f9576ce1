"""Install progress from the MSI log: percent and ETA that adapt to the install being followed.

Counting actions is a poor measure: most actions finish in the first minute, while the database
work alone takes about six of the reference install's ten minutes. So the estimate is made in
time: the bar is the share of the install's expected length already elapsed,
elapsed / (elapsed + time left), and the ETA is that time left. Time left is the rest of the
current phase plus the phases to come, each expected to last its reference length (phases.py)
times a pace:

- a phase to come: the pace learned from the phases seen so far (how much longer or shorter
  they took than in the reference log; each phase one witness, since SQL Server, SharePoint and
  the disks vary independently as much as together), shrunk towards the reference's pace;
- the current phase: its own pace once a milestone inside it has been reached (UpgradeDatabase
  comes 52 s into the database work in the reference log: reached after 260 s, the phase runs 5x
  slower); while a milestone is overdue, at least the pace that the time already spent proves,
  with a margin, so that a silent phase that overruns pushes the estimate out instead of pinning
  the bar near the phase's end;
- the wizard's dialogs: the reference was installed interactively (49 s of its preparing phase
  and 27 s of its finishing are a person reading dialogs). mimsetup installs silently, so each
  phase is expected that much shorter, unless the log shows a dialog.

The bar never goes back (a revised estimate slows it instead) and shows 100 only once the product
result says success. Time is the log's own (time of day, unwrapped across midnight); when following
live, `wall` (e.g. `time.monotonic()`) advances it between lines, times `time_scale` (1 for a real
target; the replay speed for the demo). tests/bench/bench_progress.py measures how right it is on
installs with phases from 0.2x to 5x their reference length.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from tui.engine.msilog import ClockUnwrapper, LineKind, LogLine, classify
from tui.engine.phases import (
    ACTION_PHASES,
    ALWAYS,
    DIALOG_SECONDS,
    FEATURE_PHASES,
    MILESTONE_MIN,
    MILESTONES,
    PHASE_ORDER,
    PHASE_SECONDS,
    PHASE_TITLES,
    PROBE_ACTIONS,
    PROBE_SECONDS,
    SCRIPT_RUNNERS,
    Phase,
    PhaseTracker,
    ProbeTimer,
    derive_dialog_seconds,
    derive_milestones,
    derive_phase_seconds,
    derive_probe_seconds,
    is_dialog,
    phase_weights,
    phases_for,
)

__all__ = [
    "ACTION_PHASES", "ALWAYS", "DIALOG_SECONDS", "FEATURE_PHASES", "MILESTONES", "PHASE_ORDER",
    "PHASE_SECONDS", "PHASE_TITLES", "PROBE_ACTIONS", "PROBE_SECONDS", "SCRIPT_RUNNERS",
    "TICK_SECONDS", "Phase", "PhaseTracker",
    "Estimate", "ProgressEstimator", "Ticker", "derive_dialog_seconds", "derive_milestones",
    "derive_phase_seconds", "derive_probe_seconds", "phase_weights", "phases_for",
    "serialised",
]


@dataclass(frozen=True, slots=True)
class Estimate:
    """The estimator's reading at one moment (what the Progress event and the install screen
    show)."""

    phase: Phase | None
    title: str
    percent: float  # 0..100, never decreasing, 100 only once the product result says success
    eta_seconds: float | None  # wall-clock seconds left; None before the start and once done
    elapsed_seconds: float  # log time since the first action
    done: bool
    succeeded: bool | None  # None while running
    exit_code: int | None


# Paces are ratios to the reference log, kept within what the estimate is built for.
_PACE_MIN, _PACE_MAX = 0.1, 10.0
# Before any evidence a phase is expected at the reference's pace, and that expectation weighs
# as much as one completed phase. (Leaning long or short costs the install that runs at the
# reference's pace more than it saves the others: tests/bench/bench_progress.py.)
_PRIOR_PACE = 1.0
_PRIOR_WEIGHT = 1.0
# Phases that say less of this machine's speed: preparing and finishing (the wizard's dialogs
# when interactive, Windows Installer's own bookkeeping otherwise) and the firewall's few rules.
_UNTIMED = frozenset({Phase.PREPARING, Phase.FINISHING, Phase.FIREWALL})
_UNTIMED_WEIGHT = 0.6
# Past an overdue milestone, the pace is at least elapsed/offset times this: an overrunning
# phase is expected to go on a while, not to end this very second.
_OVERRUN_MARGIN = 1.3
_BEFORE_RESULT_MAX = 99.0
# While the bar is ahead of the estimate it moves at this fraction of the pace that would end it
# on time: it never looks stuck, and the estimate soon catches up.
_CREEP = 0.25
# The installer's checks of the SharePoint farm (phases.PROBE_ACTIONS) sample the work of the
# portal phase minutes ahead: their pace counts this many times the rest of the evidence for that
# phase, which speaks of the disks and SQL Server rather than of the farm.
_PROBE_WEIGHT = 3.0


class ProgressEstimator:
    """Percent and ETA from classified log lines (see the module's docstring)."""

    def __init__(
        self,
        phases: Iterable[Phase] = PHASE_ORDER,
        *,
        time_scale: float = 1.0,
        seconds: Mapping[Phase, float] = PHASE_SECONDS,
    ) -> None:
        self.weights = phase_weights(phases, seconds)  # the reference's shares, for the record
        self._reference = {p: seconds[p] for p in self.weights}
        # A silent install until a dialog says otherwise: no time spent reading the wizard.
        self.expected = {p: s - DIALOG_SECONDS.get(p, 0.0) for p, s in self._reference.items()}
        self.time_scale = time_scale
        self._tracker = PhaseTracker(self.weights)
        self._clock = ClockUnwrapper()
        self._start: float | None = None
        self._phase_start: float | None = None
        self._log_now: float | None = None
        self._wall_at_now: float | None = None
        self._finished: dict[Phase, float] = {}  # actual seconds of completed phases
        self._probes = ProbeTimer()
        self._milestone: tuple[float, float] | None = None  # (reference, actual) offsets
        self._percent = 0.0
        self._advanced_at: float | None = None  # log time the bar was last moved to
        self._done = False
        self._succeeded: bool | None = None
        self._exit_code: int | None = None

    @property
    def phase(self) -> Phase | None:
        return self._tracker.phase

    def feed(self, line: LogLine | str, wall: float | None = None) -> None:
        line = line if isinstance(line, LogLine) else classify(line)
        if line.seconds is not None:
            self._log_now = self._clock(line.seconds)
            self._wall_at_now = wall
        if line.kind is LineKind.PRODUCT_RESULT and line.code is not None:
            self._result(line)
            return
        if self._done:
            return
        if is_dialog(line):  # an interactive install: the reference's dialog time is back
            self.expected = dict(self._reference)
        before = self._tracker.phase
        now = self._log_now if self._log_now is not None else 0.0
        self._probes.feed(line, now)
        if self._tracker.feed(line) is not None:
            if self._start is None:
                self._start = now
            if before is not None and self._phase_start is not None:
                self._finished[before] = now - self._phase_start
            self._phase_start = now
            self._milestone = None
        elif line.kind is LineKind.ACTION_DEFERRED and self._phase_start is not None:
            self._reached(line.action or "", now - self._phase_start)

    def _reached(self, action: str, actual: float) -> None:
        reference = MILESTONES.get(action)
        if (reference is not None and reference >= MILESTONE_MIN
                and ACTION_PHASES.get(action) is self._tracker.phase
                and (self._milestone is None or reference > self._milestone[0])):
            self._milestone = (reference, actual)

    def feed_all(self, lines: Iterable[LogLine | str], wall: float | None = None) -> Estimate:
        for line in lines:
            self.feed(line, wall)
        return self.report(wall)

    def _result(self, line: LogLine) -> None:
        if not self._done:
            if self._tracker.phase is not None:
                self._advance(self._tracker.phase, None)  # a failed bar stays where it stopped
            self._done = True
            self._succeeded = line.succeeded
            self._exit_code = line.code
        elif line.code != self._exit_code and (self._exit_code == 0 or not line.succeeded):
            # Later result lines refine the first: a reboot request turns 0 into 3010.
            self._succeeded = line.succeeded
            self._exit_code = line.code
        if self._succeeded:
            self._percent = 100.0

    def report(self, wall: float | None = None) -> Estimate:
        phase = self._tracker.phase
        elapsed = 0.0
        if self._start is not None and self._log_now is not None:
            elapsed = (self._log_now if self._done else self._now(wall)) - self._start
        if self._done:
            title = "Installed" if self._succeeded else "Failed"
            return Estimate(
                phase, title, self._percent, None, elapsed, True, self._succeeded, self._exit_code
            )
        if phase is None:
            return Estimate(None, "Starting", 0.0, None, 0.0, False, None, None)
        left = self._advance(phase, wall)
        return Estimate(phase, PHASE_TITLES[phase], self._percent, left / self.time_scale,
                        elapsed, False, None, None)

    def _advance(self, phase: Phase, wall: float | None) -> float:
        """Move the bar to the share of the expected length elapsed; returns the log seconds
        expected to be left."""
        now = self._now(wall)
        elapsed = max(0.0, now - (self._start or 0.0))
        in_phase = max(0.0, now - (self._phase_start or 0.0))
        left = (max(0.0, self._current_length(phase, in_phase) - in_phase)
                + self._later(phase, in_phase))
        share = 100.0 * elapsed / (elapsed + left) if elapsed + left > 0 else 0.0
        since = max(0.0, now - self._advanced_at) if self._advanced_at is not None else 0.0
        self._advanced_at = now
        if share < self._percent:
            # The estimate grew: rather than freeze until time catches up, creep on at a
            # fraction of the pace that would reach the end when the estimate says.
            share = self._percent + _CREEP * since * (100.0 - self._percent) / max(left, 1.0)
        self._percent = max(self._percent, min(_BEFORE_RESULT_MAX, share))
        return left

    def _now(self, wall: float | None) -> float:
        now = self._log_now or 0.0
        if wall is not None and self._wall_at_now is not None:
            now += max(0.0, wall - self._wall_at_now) * self.time_scale
        return now

    def learned_pace(self, in_phase: float | None = None) -> float:
        """The pace of what is still to come: the prior, revised by the evidence so far. Each
        completed phase is one witness (the wizard's dialogs make preparing and finishing weaker
        ones), whatever its length: phases vary independently as much as together, and two
        phases that agree say more than one long phase. A milestone of the current phase, or the
        current phase being overdue, counts for the share of the phase it covers."""
        weight = _PRIOR_WEIGHT
        total = _PRIOR_WEIGHT * math.log(_PRIOR_PACE)
        for share, actual_pace, phase in self._evidence(in_phase):
            w = share * (_UNTIMED_WEIGHT if phase in _UNTIMED else 1.0)
            weight += w
            total += w * math.log(_clamp(actual_pace))
        return math.exp(total / weight)

    def _evidence(self, in_phase: float | None) -> Iterable[tuple[float, float, Phase]]:
        """(share of a phase witnessed, its pace, the phase)."""
        for p, actual in self._finished.items():
            yield 1.0, actual / self.expected[p], p
        phase = self._tracker.phase
        if phase is None:
            return
        if self._milestone is not None:
            reference, actual = self._milestone
            yield reference / self.expected[phase], actual / reference, phase
        if in_phase is not None:
            overdue_at = self._next_milestone(phase)
            if in_phase > overdue_at:
                yield overdue_at / self.expected[phase], in_phase / overdue_at, phase

    def _next_milestone(self, phase: Phase) -> float:
        """Reference offset of the current phase's next milestone (its end when none is left)."""
        after = self._milestone[0] if self._milestone else 0.0
        return min((o for a, o in MILESTONES.items()
                    if ACTION_PHASES.get(a) is phase and o > after), default=self.expected[phase])

    def _current_length(self, phase: Phase, in_phase: float) -> float:
        """The current phase's expected length, from its milestones and the time spent in it."""
        expected = self.expected[phase]
        if self._milestone is not None:
            reference, actual = self._milestone
            pace = _clamp(actual / reference)
        else:
            pace = self._phase_pace(phase, self.learned_pace())
        overdue_at = self._next_milestone(phase)
        if in_phase > overdue_at * pace:  # the next milestone (or the end) is late
            pace = max(pace, _clamp(_OVERRUN_MARGIN * in_phase / overdue_at))
        return expected * pace

    def _later(self, phase: Phase, in_phase: float) -> float:
        index = PHASE_ORDER.index(phase)
        pace = self.learned_pace(in_phase)
        return sum(self.expected[p] * self._phase_pace(p, pace) for p in self.expected
                   if PHASE_ORDER.index(p) > index)

    def _phase_pace(self, phase: Phase, learned: float) -> float:
        """The pace expected of `phase`: what the phases so far taught, unless the installer's
        own checks of its server timed it beforehand."""
        probed = self._probes.pace(phase)
        if probed is None:
            return learned
        return math.exp((_PROBE_WEIGHT * math.log(_clamp(probed)) + math.log(learned))
                        / (_PROBE_WEIGHT + 1.0))


def _clamp(pace: float) -> float:
    return min(_PACE_MAX, max(_PACE_MIN, pace))


# --- ticking -------------------------------------------------------------------------------------

TICK_SECONDS = 0.5  # progress is emitted at least this often while an install is followed


class Ticker:
    """Calls `tick()` every `interval` seconds on a daemon thread while the `with` block runs.

    The estimator advances with the wall clock, but the log says nothing for minutes while the
    database is created (and the tail sends nothing but a checkpoint every 15 s): without a
    tick nothing would redraw the bar or the ETA in between. An exception in `tick` stops the
    ticking, never the install being followed."""

    def __init__(self, tick: Callable[[], None], interval: float = TICK_SECONDS) -> None:
        self._tick = tick
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="mimsetup-progress")

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._tick()
            except Exception:  # noqa: BLE001 - a display hiccup must not end the follow
                return

    def __enter__(self) -> Ticker:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=5)


def serialised(emit: Callable[[object], None]) -> Callable[[object], None]:
    """`emit` callable from several threads (the follow loop and the ticker), one at a time."""
    lock = threading.Lock()

    def locked(event: object) -> None:
        with lock:
            emit(event)

    return locked

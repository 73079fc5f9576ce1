"""The progress estimator as it was before it adapted (commit 9216f5f): phase weights from the
reference log and a fixed curve inside each phase. Kept as the baseline bench_progress.py
measures the adaptive estimator against; not used by mimsetup. The phases, their titles and the
tracker are unchanged, so they are the product's own (tui/engine/phases.py)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from tui.engine.msilog import ClockUnwrapper, LineKind, LogLine, classify
from tui.engine.phases import (
    PHASE_ORDER,
    PHASE_SECONDS,
    PHASE_TITLES,
    Phase,
    PhaseTracker,
    phase_weights,
)
from tui.engine.progress import Estimate as Progress

# Inside a phase the bar follows elapsed/expected linearly up to this fraction of the phase,
# then creeps towards (never reaching) the phase's end, so an overrunning phase still shows life.
_LINEAR_UNTIL = 0.8
_CEILING = 0.99
_BEFORE_RESULT_MAX = 99.0


def _within(x: float) -> float:
    if x <= _LINEAR_UNTIL:
        return max(0.0, x)
    rest = 1.0 - _LINEAR_UNTIL
    return min(_CEILING, 1.0 - rest * math.exp(-(x - _LINEAR_UNTIL) / rest))


class ProgressEstimator:
    """Percent and ETA from classified log lines.

    Time is the log's own (time of day, unwrapped across midnight). When following live, pass
    `wall` (e.g. `time.monotonic()`) to `feed` and `report`: between lines the estimator advances
    log time by the wall time elapsed since the last timestamped line, times `time_scale` (1 for a
    real target; the replay speed for the demo), so the bar keeps moving through a silent phase.
    """

    def __init__(
        self,
        phases: Iterable[Phase] = PHASE_ORDER,
        *,
        time_scale: float = 1.0,
        seconds: Mapping[Phase, float] = PHASE_SECONDS,
    ) -> None:
        self.weights = phase_weights(phases, seconds)
        self.expected = {p: seconds[p] for p in self.weights}
        self.time_scale = time_scale
        self._tracker = PhaseTracker(self.weights)
        self._clock = ClockUnwrapper()
        self._start: float | None = None
        self._phase_start: float | None = None
        self._log_now: float | None = None
        self._wall_at_now: float | None = None
        self._finished: dict[Phase, float] = {}  # actual seconds of completed phases
        self._percent = 0.0
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
        before = self._tracker.phase
        if self._tracker.feed(line) is not None:
            now = self._log_now if self._log_now is not None else 0.0
            if self._start is None:
                self._start = now
            if before is not None and self._phase_start is not None:
                self._finished[before] = now - self._phase_start
            self._phase_start = now

    def feed_all(self, lines: Iterable[LogLine | str], wall: float | None = None) -> Progress:
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

    def report(self, wall: float | None = None) -> Progress:
        phase = self._tracker.phase
        elapsed = 0.0
        if self._start is not None and self._log_now is not None:
            elapsed = (self._log_now if self._done else self._now(wall)) - self._start
        if self._done:
            title = "Installed" if self._succeeded else "Failed"
            return Progress(
                phase, title, self._percent, None, elapsed, True, self._succeeded, self._exit_code
            )
        if phase is None:
            return Progress(None, "Starting", 0.0, None, 0.0, False, None, None)
        in_phase = self._advance(phase, wall)
        eta = self._eta(phase, in_phase)
        return Progress(phase, PHASE_TITLES[phase], self._percent, eta, elapsed, False, None, None)

    def _advance(self, phase: Phase, wall: float | None) -> float:
        """Move the bar to where time says it is; returns the seconds spent in `phase`."""
        in_phase = max(0.0, self._now(wall) - (self._phase_start or 0.0))
        done_share = sum(self.weights[p] for p in self.weights if self._before(p, phase))
        share = done_share + self.weights[phase] * _within(in_phase / self.expected[phase])
        self._percent = max(self._percent, min(_BEFORE_RESULT_MAX, 100.0 * share))
        return in_phase

    def _now(self, wall: float | None) -> float:
        now = self._log_now or 0.0
        if wall is not None and self._wall_at_now is not None:
            now += max(0.0, wall - self._wall_at_now) * self.time_scale
        return now

    @staticmethod
    def _before(p: Phase, phase: Phase) -> bool:
        return PHASE_ORDER.index(p) < PHASE_ORDER.index(phase)

    def _eta(self, phase: Phase, in_phase: float) -> float:
        """Expected log seconds left, scaled by how this machine compares with the reference."""
        timed = [p for p in self._finished if p is not Phase.PREPARING and self.expected[p] >= 5]
        pace = 1.0
        if timed:
            actual = sum(self._finished[p] for p in timed)
            pace = min(4.0, max(0.25, actual / sum(self.expected[p] for p in timed)))
        current = max(self.expected[phase] * pace - in_phase, 0.0)
        later = sum(self.expected[p] for p in self.weights if self._before(phase, p))
        return (current + later * pace) / self.time_scale

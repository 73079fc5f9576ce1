"""The progress estimator as it was before it adapted (commit 9216f5f), frozen as the baseline
of bench_progress.py. Not used by mimsetup.

Install progress from the MSI log: phases, time weights, percent and ETA.

Counting actions is a poor measure: most actions finish in the first minute, while the database
work alone takes about six of the reference install's ten minutes. So the bar moves by phases
weighted by how long each one took in a real log (`PHASE_SECONDS`, derived by
`derive_phase_seconds` from the reference log, and checked against it by a test), and inside a
phase by time elapsed against that phase's expected length.

Phase changes come only from the deferred script (the `Action HH:MM:SS: X.` lines while
InstallExecute or InstallFinalize runs): before that, Windows Installer walks the same action
names once in a few milliseconds to *generate* the script, which must not move the bar.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from tui.engine.msilog import ClockUnwrapper, LineKind, LogLine, classify


class Phase(StrEnum):
    PREPARING = "preparing"
    FILES = "files"
    DATABASE = "database"
    SERVICES = "services"
    SHAREPOINT = "sharepoint"
    FIREWALL = "firewall"
    FINISHING = "finishing"


PHASE_ORDER: tuple[Phase, ...] = tuple(Phase)

PHASE_TITLES: Mapping[Phase, str] = {
    Phase.PREPARING: "Preparing",
    Phase.FILES: "Copying files",
    Phase.DATABASE: "Creating the MIM Service database",
    Phase.SERVICES: "Starting the MIM Service",
    Phase.SHAREPOINT: "Deploying the SharePoint solution packs",
    Phase.FIREWALL: "Configuring the firewall",
    Phase.FINISHING: "Finishing",
}

# Deferred actions of the reference log, by the phase they belong to. An action missing here
# (a newer release may add some) leaves the phase as it is.
_PHASE_ACTIONS: Mapping[Phase, str] = {
    Phase.PREPARING: """
        SetPolicyforServiceAccount ProcessComponents MsiUnpublishAssemblies UnpublishFeatures
        StopServices DeleteServices RemoveRegistryValues UnregisterClassInfo
        RemoveEnvironmentStrings UninstallCertificates RemoveFiles RemoveFolders
    """,
    Phase.FILES: """
        CreateFolders InstallFiles PatchFiles DuplicateFiles MoveFiles
        DeleteResourceEndpointAcl RollbackAclResourceEndpoint AclResourceEndpoint
        DeleteSecurityEndpointAcl RollbackAclSecurityEndpoint AclSecurityEndpoint
        RollbackAddServiceToPerformanceMonitors AddServiceToPerformanceMonitors
        DeleteCerts RollbackCerts InstallCerts RollbackAclCertificates AclCertificates
        RollbackAppConfigSettings UpdateAppConfigSettings RollbackDatabase RegisterClassInfo
        WriteRegistryValues GetCertThumbprintFromName WriteEnvironmentStrings InstallServices
        RollbackPSExtension InstallPSExtension SchedXmlConfig XmlConfig
    """,
    Phase.DATABASE: "DeployAndPopulateDatabase SetDatabaseConnectionString UpgradeDatabase",
    Phase.SERVICES: "SetServiceRecoveryActions StartServices",
    Phase.SHAREPOINT: """
        RollbackInstallCommonPortal InstallCommonPortal RollbackInstallFIMPortal InstallFIMPortal
        FIMPortalConfigReadAccess
    """,
    Phase.FIREWALL: "RollbackWindowsFirewall ConfigureWindowsFirewall",
    Phase.FINISHING: """
        RegisterUser RegisterProduct MsiPublishAssemblies PublishFeatures PublishProduct
        InstallFinalize RollbackCleanup
    """,
}

ACTION_PHASES: Mapping[str, Phase] = {
    action: phase for phase, actions in _PHASE_ACTIONS.items() for action in actions.split()
}

# Actions that run the deferred script; inside them an `Action HH:MM:SS: X.` line is real work.
SCRIPT_RUNNERS = frozenset({"InstallExecute", "InstallExecuteAgain", "InstallFinalize"})

# Seconds each phase took in the reference log (fim2010r2-service-and-portal-install.log), as
# `derive_phase_seconds` computes them; tests/engine/test_progress.py fails if they drift.
# Preparing and finishing include the interactive wizard's dialogs (about 57 s and 27 s): a silent
# install spends less there, which only makes the bar step forward at those phases' ends.
PHASE_SECONDS: Mapping[Phase, float] = {
    Phase.PREPARING: 70.0,
    Phase.FILES: 39.0,
    Phase.DATABASE: 416.0,
    Phase.SERVICES: 15.0,
    Phase.SHAREPOINT: 74.0,
    Phase.FIREWALL: 3.0,
    Phase.FINISHING: 29.9,
}

# ADDLOCAL features and the phases they bring; the rest run for every selection.
FEATURE_PHASES: Mapping[str, tuple[Phase, ...]] = {
    "CommonServices": (Phase.DATABASE, Phase.SERVICES),
    "WebPortals": (Phase.SHAREPOINT,),
}
ALWAYS = (Phase.PREPARING, Phase.FILES, Phase.FIREWALL, Phase.FINISHING)


def phases_for(features: Iterable[str]) -> tuple[Phase, ...]:
    """The phases an install of these ADDLOCAL features goes through, in order."""
    chosen = set(ALWAYS)
    for feature in features:
        if feature == "ALL":
            chosen.update(PHASE_ORDER)
        chosen.update(FEATURE_PHASES.get(feature, ()))
    return tuple(p for p in PHASE_ORDER if p in chosen)


def phase_weights(
    phases: Iterable[Phase] = PHASE_ORDER, seconds: Mapping[Phase, float] = PHASE_SECONDS
) -> dict[Phase, float]:
    """Each selected phase's share of the bar (sums to 1): its expected time, renormalised."""
    chosen = [p for p in PHASE_ORDER if p in set(phases)]
    total = sum(seconds[p] for p in chosen)
    return {p: seconds[p] / total for p in chosen}


def phase_of(action: str | None) -> Phase | None:
    return ACTION_PHASES.get(action) if action else None


class PhaseTracker:
    """Follows the deferred script to tell which phase the install is in; never goes back."""

    def __init__(self, phases: Iterable[Phase] = PHASE_ORDER) -> None:
        self.selected = frozenset(phases)
        self.phase: Phase | None = None
        self._in_script = False

    def feed(self, line: LogLine) -> Phase | None:
        """The phase this line starts, or None when the phase stays the same."""
        if line.kind is LineKind.ACTION_END and line.action in SCRIPT_RUNNERS:
            self._in_script = False
            return None
        if line.kind is LineKind.ACTION_START:
            if line.action in SCRIPT_RUNNERS:
                self._in_script = True
                return self._enter(ACTION_PHASES.get(line.action))
            if self.phase is None:
                return self._enter(Phase.PREPARING)
            return None
        if line.kind is LineKind.ACTION_DEFERRED:
            if self.phase is None:
                return self._enter(Phase.PREPARING)
            if self._in_script:
                return self._enter(ACTION_PHASES.get(line.action or ""))
        return None

    def _enter(self, phase: Phase | None) -> Phase | None:
        if phase is None or phase not in self.selected:
            return None
        if self.phase is not None and PHASE_ORDER.index(phase) <= PHASE_ORDER.index(self.phase):
            return None
        self.phase = phase
        return phase


def derive_phase_seconds(lines: Iterable[LogLine | str]) -> dict[Phase, float]:
    """How long each phase took in a log: from its first action to the next phase's first.

    The install starts at the first action line and ends at the first product-result line.
    Rounded to 0.1 s; this is what `PHASE_SECONDS` holds for the reference log.
    """
    tracker = PhaseTracker()
    clock = ClockUnwrapper()
    starts: list[tuple[Phase, float]] = []
    end: float | None = None
    for raw in lines:
        line = raw if isinstance(raw, LogLine) else classify(raw)
        if line.seconds is None:
            continue
        t = clock(line.seconds)
        if line.kind is LineKind.PRODUCT_RESULT:
            end = t
            break
        if (phase := tracker.feed(line)) is not None:
            starts.append((phase, t))
    if end is None or not starts:
        raise ValueError("the log has no actions or no product result line")
    bounds = [t for _, t in starts[1:]] + [end]
    return {phase: round(stop - t, 1) for (phase, t), stop in zip(starts, bounds, strict=True)}


@dataclass(frozen=True, slots=True)
class Progress:
    """What the install screen shows."""

    phase: Phase | None
    title: str
    percent: float  # 0..100, never decreasing, 100 only once the product result says success
    eta_seconds: float | None  # wall-clock seconds left; None before the start and once done
    elapsed_seconds: float  # log time since the first action
    done: bool
    succeeded: bool | None  # None while running
    exit_code: int | None


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


def naive_percent(done_actions: int, total_actions: int) -> float:
    """Action counting, the measure this module replaces; tests show how far off it is."""
    return 100.0 * done_actions / total_actions if total_actions else 0.0

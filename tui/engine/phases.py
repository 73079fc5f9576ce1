"""The phases of an install of MIM Service and Portal, as the MSI log shows them, and what the
reference log (fim2010r2-service-and-portal-install.log) says of each: how long it took and when,
inside it, each deferred action began (its milestones).

Phase changes come only from the deferred script (the `Action HH:MM:SS: X.` lines while
InstallExecute or InstallFinalize runs): before that, Windows Installer walks the same action
names once in a few milliseconds to *generate* the script, which must not move the bar.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

from tui.engine.logfilter import probe_actions
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

# The installer's own checks that open the SharePoint farm (SPFarm.Local, the web application,
# the farm's solution packs): immediate actions of the execute sequence, run minutes before the
# portal phase does the same kind of work at length. How long they take against the reference
# tells how fast this farm answers before its phase starts (progress.py). The checks of SharePoint's
# Windows services (SPAdminV4, SPTimerV4) read the service controller, not the farm, and SQL
# Server's checks take under a second in the reference log: too short to read a pace from
# (PROBE_MIN), so neither is listed.
# Their names live in log-filter.json (probe_actions), which also makes the tail send them.
PROBE_ACTIONS: Mapping[str, Phase] = dict.fromkeys(probe_actions(), Phase.SHAREPOINT)
EXECUTE_SEQUENCE = "INSTALL"  # the top action of the execute sequence (both UI levels run it)
PROBE_MIN = 3.0  # reference seconds of a phase's checks below which they say nothing of its pace

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


# Seconds each check of PROBE_ACTIONS took in the reference log's execute sequence, as
# `derive_probe_seconds` computes them (a test fails if they drift).
PROBE_SECONDS: Mapping[str, float] = {
    "CheckSharepointFarmAdministratorWithOpenPermission": 2.0,
    "CheckSharepointWebApporSiteExisting": 1.0,
    "CheckFIMWebSiteorSolutionPackExisting": 0.0,
}


class ProbeTimer:
    """Times the checks of PROBE_ACTIONS from their start and end lines; those of the execute
    sequence replace those of the wizard's (an interactive install runs some twice)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._open: dict[str, float] = {}

    def feed(self, line: LogLine, now: float) -> None:
        if line.kind is LineKind.ACTION_START and line.action == EXECUTE_SEQUENCE:
            self.seconds.clear()
        elif line.action in PROBE_ACTIONS:
            if line.kind is LineKind.ACTION_START:
                self._open[line.action] = now
            elif line.kind is LineKind.ACTION_END and line.action in self._open:
                self.seconds[line.action] = now - self._open.pop(line.action)

    def pace(self, phase: Phase, reference: Mapping[str, float] = PROBE_SECONDS) -> float | None:
        """This install's checks of `phase` against the reference's same checks, or None when
        they are too few or too short to tell."""
        seen = [a for a in self.seconds if PROBE_ACTIONS[a] is phase and a in reference]
        expected = sum(reference[a] for a in seen)
        if expected < PROBE_MIN:
            return None
        return sum(self.seconds[a] for a in seen) / expected


def derive_probe_seconds(lines: Iterable[LogLine | str]) -> dict[str, float]:
    """How long each check of PROBE_ACTIONS took in a log (the execute sequence's, when it ran
    twice), rounded to 0.1 s; this is what `PROBE_SECONDS` holds for the reference log."""
    timer = ProbeTimer()
    clock = ClockUnwrapper()
    for raw in lines:
        line = raw if isinstance(raw, LogLine) else classify(raw)
        if line.seconds is None:
            continue
        if line.kind is LineKind.PRODUCT_RESULT:
            break
        timer.feed(line, clock(line.seconds))
    return {a: round(s, 1) for a, s in timer.seconds.items()}


# Seconds from the start of its phase to each deferred action's first line in the reference log,
# as `derive_milestones` computes them (a test fails if they drift). A milestone reached later
# or earlier than this tells how fast this install runs the phase; only those at least
# MILESTONE_MIN seconds in are worth reading (the others are noise of a second's resolution).
MILESTONES: Mapping[str, float] = {
    "SetPolicyforServiceAccount": 68.0, "ProcessComponents": 70.0,
    "DeleteResourceEndpointAcl": 22.0, "RollbackAclResourceEndpoint": 27.0, "DeleteCerts": 35.0,
    "RollbackAclCertificates": 36.0, "RollbackAppConfigSettings": 37.0,
    "RollbackDatabase": 38.0, "RollbackPSExtension": 39.0,
    "UpgradeDatabase": 52.0,
    "RollbackInstallFIMPortal": 40.0, "FIMPortalConfigReadAccess": 69.0,
}
MILESTONE_MIN = 5.0


def derive_milestones(lines: Iterable[LogLine | str]) -> dict[str, float]:
    """Each deferred action's first line, in seconds from its phase's start (>= MILESTONE_MIN,
    and only the first action of each distinct second)."""
    tracker = PhaseTracker()
    clock = ClockUnwrapper()
    start = 0.0
    out: dict[str, float] = {}
    seen: set[tuple[Phase, float]] = set()
    for raw in lines:
        line = raw if isinstance(raw, LogLine) else classify(raw)
        if line.seconds is None:
            continue
        t = clock(line.seconds)
        if line.kind is LineKind.PRODUCT_RESULT:
            break
        if tracker.feed(line) is not None:
            start = t
        offset = round(t - start, 1)
        phase = tracker.phase
        if (line.kind is LineKind.ACTION_DEFERRED and phase is not None and line.action
                and ACTION_PHASES.get(line.action) is phase and offset >= MILESTONE_MIN
                and (phase, offset) not in seen and line.action not in out):
            seen.add((phase, offset))
            out[line.action] = offset
    return out


# Seconds the reference install spent showing the wizard's dialogs, by phase, as
# `derive_dialog_seconds` computes them: the reference was installed interactively, and a silent
# install (mimsetup's, /qn) has no dialogs, so it expects each phase that much shorter.
DIALOG_SECONDS: Mapping[Phase, float] = {Phase.PREPARING: 49.0, Phase.FINISHING: 27.0}
DIALOG = "Dialog created"  # the detail of the line Windows Installer logs as a dialog opens


def is_dialog(line: LogLine) -> bool:
    return line.kind is LineKind.ACTION_DEFERRED and line.detail == DIALOG


def derive_dialog_seconds(lines: Iterable[LogLine | str]) -> dict[Phase, float]:
    """Per phase, the time from each dialog's opening to the next timestamped line (the user
    reading it and pressing Next), rounded to the second."""
    tracker = PhaseTracker()
    clock = ClockUnwrapper()
    out: dict[Phase, float] = {}
    opened: float | None = None
    for raw in lines:
        line = raw if isinstance(raw, LogLine) else classify(raw)
        if line.seconds is None:
            continue
        t = clock(line.seconds)
        if opened is not None and tracker.phase is not None:
            out[tracker.phase] = out.get(tracker.phase, 0.0) + t - opened
        opened = t if is_dialog(line) else None
        if line.kind is LineKind.PRODUCT_RESULT:
            break
        tracker.feed(line)
    return {p: float(round(s)) for p, s in out.items() if round(s)}

"""What the engine tells its listeners while it works. The CLI prints these as lines, a progress
bar or JSON lines; the wizard shows the same events. Nothing here holds a secret."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from tui.engine.knownfailures import Diagnosis

Status = Literal["pass", "warn", "fail", "skip"]


@dataclass(frozen=True)
class Event:
    def to_json(self) -> dict:
        return {"event": type(self).__name__, **asdict(self)}


@dataclass(frozen=True)
class StepStarted(Event):
    """A step of the flow: connect, preflight, install, follow, checklist."""

    step: str
    message: str


@dataclass(frozen=True)
class CheckResult(Event):
    id: str
    status: Status
    message: str
    remedy: str = ""
    evidence: str = ""


@dataclass(frozen=True)
class PhaseStarted(Event):
    phase: str
    title: str


@dataclass(frozen=True)
class Progress(Event):
    percent: float
    phase: str
    eta_seconds: float | None
    elapsed_seconds: float


@dataclass(frozen=True)
class LogLines(Event):
    """A batch of log lines that matter, and the byte offset the log has been read to."""

    lines: tuple[str, ...]
    offset: int


@dataclass(frozen=True)
class Notice(Event):
    """Something the admin should read: a retry, a reconnect, a detach."""

    message: str
    level: Literal["info", "warning", "error"] = "info"


@dataclass(frozen=True)
class Finished(Event):
    """The end of an install: its outcome in plain words and what to do next."""

    outcome: Literal["success", "reboot", "failed", "already-installed", "cancelled", "detached"]
    exit_code: int | None
    message: str
    next_steps: str = ""
    failing_action: str | None = None
    error_lines: tuple[str, ...] = field(default_factory=tuple)
    log_path: str = ""
    duration_seconds: float | None = None
    cause: Diagnosis | None = None  # a known failure the log shows (tui/engine/knownfailures.py)
    rolled_back: bool = False  # Windows Installer undid the changes (its Rollback action ran)

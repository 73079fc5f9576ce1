"""Installing MIM Service and Portal on the target: msiexec is started outside the WinRM shell,
its log is followed by byte offset, and the result is reported in plain words.

`install()` starts and follows; `attach()` follows an install started earlier (from its local
state file). Both emit typed events and return a `Finished` event; neither raises for what can
go wrong on the target or the network."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager

from tui.engine import knownfailures, msilog
from tui.engine.cancelling import CancelResult, cancel, cancel_on  # noqa: F401 (the install's API)
from tui.engine.errors import EngineError, LogonRefused, ReplyLost
from tui.engine.events import Event, Finished, LogLines, Notice, PhaseStarted, Progress
from tui.engine.progress import Phase, ProgressEstimator, Ticker, serialised
from tui.engine.results import interpret
from tui.engine.runner import (  # noqa: F401 (the install's API)
    InstallRequest,
    cleanup,
    property_text,
    start,
)
from tui.engine.runner import plain as plain_text
from tui.engine.state import InstallState

Emit = Callable[[Event], None]
ShellFactory = Callable[[], AbstractContextManager]

TAIL_SECONDS = 600  # one tail command's life; the client runs it again from the last offset
POLL_MS = 250  # how often the tail looks at the log
BATCH_SECONDS = 0.5  # lines found within this wait for each other: a line arrives within ~0.75 s
# With nothing to send, an offset checkpoint this often: below WinRM's 20 s operation timeout
# (no TimedOut faults), and rare enough that a 10-minute install's keep-alives cost little.
CHECKPOINT_SECONDS = 15.0
CONTEXT_LINES = 40  # lines kept before "Return value 3" for the failure report
KEEP_LINES = 5000  # lines kept for the failure context; the log on the target has the rest


class Detached(Exception):
    """The admin asked to stop following; the install goes on."""


class _Gap(Exception):
    """The tail's output has a hole; it is read again from the last offset taken."""


GAPS_WITHOUT_PROGRESS = 3


def tail_params(state: InstallState) -> dict:
    rules = msilog.filter_rules()
    return {
        "log_path": state.log_path,
        "status_path": state.status_path,
        "task_name": state.task_name,
        "offset": state.offset,
        "in_script": state.in_script,
        "include": rules["include"],
        "exclude": rules["exclude"],
        "context_patterns": rules["context_triggers"],
        "script_start": rules["script_start"],
        "script_end": rules["script_end"],
        "include_in_script": rules["include_in_script"],
        "context_lines": CONTEXT_LINES,
        "poll_ms": POLL_MS,
        "checkpoint_seconds": CHECKPOINT_SECONDS,
        "batch_seconds": BATCH_SECONDS,
        "max_seconds": TAIL_SECONDS,
    }


class Follower:
    """Turns the tail script's batches into events and keeps the offset checkpoint."""

    def __init__(
        self,
        state: InstallState,
        emit: Emit,
        stop: threading.Event | None = None,
        time_scale: float = 1.0,
    ) -> None:
        self.state = state
        self.emit = emit
        self.stop = stop or threading.Event()
        phases = [Phase(p) for p in state.phases] or None
        self.estimator = ProgressEstimator(*([phases] if phases else []), time_scale=time_scale)
        self.lines: list[str] = []
        self.exit_code: int | None = None
        self.error: str | None = None  # the runner's own words, when it failed or is gone
        self.runner_gone = False
        self.done = False
        self.batches = 0
        self.gaps = 0  # holes in the tail's output, each read again from the last offset
        self._buffer = ""
        self._phase: Phase | None = None
        self._saved_at = 0.0
        self._lock = threading.Lock()  # the batches and the ticker share the estimator

    def run(self, shell) -> None:
        """Follow until the install ends; raises Detached when asked to stop.

        A gap (a reply lost on the way, whose output WinRS never sends again, or a line that
        is not a whole batch) is never skipped: the tail runs again from the offset of the last
        batch taken, so each line arrives once. Gaps with no progress in between are given up
        on after GAPS_WITHOUT_PROGRESS, as an outage (`follow` reconnects or detaches)."""
        gaps, gap_offset = 0, -1
        while not self.done:
            if self.stop.is_set():
                raise Detached
            self._buffer = ""
            try:
                shell.run_script("install-tail", tail_params(self.state),
                                 on_stdout=self._on_output, if_lost="stop")
            except (ReplyLost, _Gap) as exc:  # output, or the start of the tail, lost
                gaps = gaps + 1 if self.state.offset == gap_offset else 1
                gap_offset = self.state.offset
                why = exc.message if isinstance(exc, ReplyLost) else str(exc)
                if gaps > GAPS_WITHOUT_PROGRESS:
                    raise EngineError(why, "Run `mimsetup attach` again later.") from None
                self.gaps += 1
                self.emit(Notice(f"{why} Reading the log again from byte {self.state.offset}.",
                                 "info"))

    def _on_output(self, chunk: str) -> None:
        self._buffer += chunk
        *complete, self._buffer = self._buffer.split("\n")
        for text in complete:
            if text.strip():
                try:
                    batch = json.loads(text)
                except ValueError:
                    batch = None
                if not isinstance(batch, dict):
                    raise _Gap(f"The log follower sent a line that is not a whole batch "
                               f"after byte {self.state.offset}.")
                self._batch(batch)
        if self.stop.is_set():
            raise Detached

    def tick(self) -> None:
        """Between batches (from the ticker's thread): the bar and the ETA move with time."""
        with self._lock:
            if not self.done:
                self._report(time.monotonic())

    def _report(self, now: float) -> None:
        report = self.estimator.report(wall=now)
        if report.phase is not None and report.phase != self._phase:
            self._phase = report.phase
            self.emit(PhaseStarted(str(report.phase), report.title))
        self.emit(Progress(report.percent, str(report.phase or ""), report.eta_seconds,
                           time.time() - self.state.started_at))

    def _batch(self, batch: dict) -> None:
        with self._lock:
            self._batch_locked(batch)

    def _batch_locked(self, batch: dict) -> None:
        self.batches += 1
        if batch.get("log_restarted"):
            self.emit(Notice(f"The log {self.state.log_path} on the target is shorter than the "
                             f"{self.state.offset} bytes read so far: a new log replaced it; "
                             "following the new one from its start.", "warning"))
        # The tail already leaves out what may hold a value in clear; checked again here, so
        # that no such line is shown or stored whatever the target sent.
        rules = msilog.log_filter()
        lines = tuple(ln for ln in batch.get("lines") or () if not rules.excluded(ln))
        self.state.in_script = bool(batch.get("in_script", self.state.in_script))
        now = time.monotonic()
        for line in lines:
            self.estimator.feed(line, wall=now)
        self.lines.extend(lines)
        del self.lines[:-KEEP_LINES]
        self.state.offset = int(batch.get("offset", self.state.offset))
        if lines:
            # Saved before shown: after a detach, attach resumes past every line shown.
            self.state.save()
            self._saved_at = now
            self.emit(LogLines(lines, self.state.offset))
        self._report(now)
        if batch.get("done"):
            self.done = True
            code = batch.get("exit_code")
            self.exit_code = int(code) if code is not None else None
            self.error = plain_text(batch.get("error"))
            self.runner_gone = bool(batch.get("runner_gone"))
        if self.done or now - self._saved_at > CHECKPOINT_SECONDS:
            self.state.save()
            self._saved_at = now


def _finished(state: InstallState, follower: Follower) -> Finished:
    outcome = interpret(follower.exit_code)
    failure = msilog.failure_context(follower.lines) if outcome.outcome == "failed" else None
    state.finished, state.exit_code = True, follower.exit_code
    state.save()
    message = failure.summary if failure and failure.action else outcome.message
    next_steps = outcome.next_steps
    cause = knownfailures.diagnose(follower.lines, failure.action) if failure else None
    if cause is not None:
        next_steps = cause.remedy
    if follower.error and outcome.outcome == "failed" and not (failure and failure.action):
        # The runner's own words say more than a code it never got (-1) or never reported.
        message = follower.error
    if follower.runner_gone:
        next_steps = (f"Read the log on the target ({state.log_path}) to see how far the install "
                      "got, then run the install again.")
    return Finished(
        outcome=outcome.outcome if outcome.outcome != "busy" else "failed",
        exit_code=follower.exit_code,
        message=message,
        next_steps=next_steps,
        failing_action=failure.action if failure else None,
        error_lines=_error_lines(failure),
        log_path=state.log_path,
        duration_seconds=round(time.time() - state.started_at, 1),
        cause=cause,
        rolled_back=outcome.outcome == "failed" and knownfailures.rolled_back(follower.lines),
    )


def _error_lines(failure: msilog.Failure | None) -> tuple[str, ...]:
    """The error lines first, then the failing action's lines around them, each once."""
    if failure is None:
        return ()
    return tuple(dict.fromkeys(failure.errors + failure.context))[:60]


def follow(
    open_shell: ShellFactory,
    state: InstallState,
    emit: Emit,
    *,
    shell=None,
    stop: threading.Event | None = None,
    time_scale: float = 1.0,
    reconnect_for: float = 300.0,
) -> Finished:
    """Follow an install to its end, reconnecting (from the last offset) when the connection
    drops; after `reconnect_for` seconds without a connection, detach."""
    emit = serialised(emit)  # the ticker emits too
    follower = Follower(state, emit, stop, time_scale)
    with Ticker(follower.tick):
        return _follow(open_shell, state, emit, follower, shell, stop, reconnect_for)


def _follow(open_shell: ShellFactory, state: InstallState, emit: Emit, follower: Follower,
            shell, stop: threading.Event | None, reconnect_for: float) -> Finished:
    lost_since: float | None = None
    batches_then = 0
    while True:
        try:
            if shell is not None:
                follower.run(shell)
                _cleanup_quietly(shell, state, emit)
            else:
                with open_shell() as fresh:
                    follower.run(fresh)
                    _cleanup_quietly(fresh, state, emit)
            return _finished(state, follower)
        except Detached:
            state.save()
            return detached_result(state, "You stopped following.")
        except LogonRefused as exc:
            # Never tried again: each refused logon counts towards the account's lockout.
            state.save()
            return detached_result(state, f"{exc.message} {exc.remedy}")
        except EngineError as exc:
            shell = None
            now = time.monotonic()
            if lost_since is None or follower.batches > batches_then:
                lost_since, batches_then = now, follower.batches  # a new outage
            if now - lost_since > reconnect_for:
                state.save()
                return detached_result(state, f"The connection was lost: {exc.message}")
            emit(Notice(f"{exc.message} Reconnecting and resuming the log at byte "
                        f"{state.offset}.", "warning"))
            if (stop or threading.Event()).wait(min(10.0, 1.0 + (now - lost_since) / 4)):
                state.save()
                return detached_result(state, "You stopped following.")


def _cleanup_quietly(shell, state: InstallState, emit: Emit) -> None:
    """The install's result stands even when its task and work folder cannot be removed."""
    try:
        cleanup(shell, state)
    except EngineError as exc:
        emit(Notice(f"The scheduled task {state.task_name} and the folder {state.work_dir} could "
                    f"not be removed ({exc.message}); remove them by hand.", "warning"))


def detached_result(state: InstallState, why: str) -> Finished:
    return Finished(
        outcome="detached",
        exit_code=None,
        message=f"{why} The install goes on on the target.",
        next_steps=f"Follow it again with: mimsetup attach {state.install_id}",
        log_path=state.log_path,
    )


def install(
    open_shell: ShellFactory,
    request: InstallRequest,
    emit: Emit,
    **options: object,
) -> Finished:
    """Start the install and follow it to the end; emits every event, the Finished one last."""
    result = _install(open_shell, request, emit, **options)
    emit(result)
    return result


def _install(
    open_shell: ShellFactory,
    request: InstallRequest,
    emit: Emit,
    *,
    stop: threading.Event | None = None,
    time_scale: float = 1.0,
    busy_retries: int = 3,
    busy_wait: float = 30.0,
    reconnect_for: float = 300.0,
    on_started: Callable[[InstallState], None] | None = None,
) -> Finished:
    """Start the install and follow it to the end; another install running (1618) is waited
    for and retried `busy_retries` times. `on_started` gets each started install's state (its
    id for `attach`, its task for `cancel`), from the calling thread, before it is followed."""
    attempt = 0
    while True:
        try:
            with open_shell() as shell:
                state = start(shell, request)
                if on_started is not None:
                    on_started(state)
                result = follow(open_shell, state, emit, shell=shell, stop=stop,
                                time_scale=time_scale, reconnect_for=reconnect_for)
        except EngineError as exc:
            return Finished("failed", None, exc.message, exc.remedy)
        if result.exit_code != 1618 or attempt >= busy_retries:
            return result
        attempt += 1
        emit(Notice(f"Another installation is running on the target (1618); waiting "
                    f"{busy_wait:.0f} s before try {attempt + 1} of {busy_retries + 1}."))
        if (stop or threading.Event()).wait(busy_wait):
            return Finished("cancelled", 1618, "Stopped while waiting for the other install.")


def attach(
    open_shell: ShellFactory,
    state: InstallState,
    emit: Emit,
    *,
    stop: threading.Event | None = None,
    time_scale: float = 1.0,
    reconnect_for: float = 300.0,
) -> Finished:
    """Follow again an install started earlier, from the offset its state file remembers."""
    emit(Notice(f"Following install {state.install_id} on {state.target.get('host', '?')} "
                f"from byte {state.offset} of {state.log_path}."))
    result = follow(open_shell, state, emit, stop=stop, time_scale=time_scale,
                    reconnect_for=reconnect_for)
    emit(result)
    return result

"""The install, live: the phases with their state, a progress bar with percent and ETA, the time
elapsed, and the log lines the engine sends.

The engine (`tui.engine.install.install`, or `attach` to follow an install again) blocks, so it
runs in a thread, watched by a thread worker. Its events never touch a widget from that thread:
they go into an inbox, and one message wakes the screen, which takes everything waiting at once
(log lines joined into one `Log.write_lines`, only the newest progress). However fast the lines
come, the screen handles at most one wake-up at a time, and a key press waits behind none.

Keys: l the full log, d detach (the install goes on; the screen says how to follow it again),
x cancel (after saying what cancelling an MSI install means, and a yes)."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Footer, Log, ProgressBar, Static
from textual.worker import get_current_worker

from screens.flow import FlowHeader, FlowScreen, duration
from screens.prompts import Choice
from tui.engine.events import Finished, LogLines, Notice, PhaseStarted, Progress
from tui.engine.progress import PHASE_TITLES, Phase
from tui.engine.state import InstallState

LOG_TITLES = {False: "Log: the lines that matter (l: full screen)",
              True: "Log: the lines that matter (l: back to the phases)"}
RESULT_DELAY = 0.4  # seconds the finished progress shows before the result
MAX_LOG_LINES = 20_000  # the log on the target keeps every line
PHASE_MARKS = {"pending": ("·", "dim"), "running": ("▶", "bold"), "done": ("✓", "green"),
               "failed": ("✗", "red"), "stopped": ("■", "yellow")}

CANCEL_TEXT = (
    "Cancelling stops msiexec on the target. Windows Installer then rolls back everything this "
    "install has done so far (files, services, the database it created, the SharePoint solution "
    "packs, the firewall rules), and the server returns to its state before the install; the "
    "installer ends with code 1602. Rolling back can take a few minutes.\n\n"
    "To stop watching without stopping the install, detach (d) instead."
)


def settle_garbage_collector() -> None:
    """Collect once, then freeze what is alive (the app, its screens, the model): Python's
    full collections then skip those objects, and no longer pause the screen for 100 ms or more
    while the log streams (tests/bench/bench_ui_latency.py: the worst redraw after a key went
    from ~130 ms to ~50 ms)."""
    gc.collect()
    gc.freeze()  # undone when the screen goes (on_unmount): the app's garbage is its own again


def phase_title(phase: str) -> str:
    try:
        return PHASE_TITLES[Phase(phase)]
    except ValueError:
        return phase


class ProgressScreen(FlowScreen):
    STEP = "Install"
    BINDINGS = [
        Binding("l", "toggle_log", "Full log"),
        Binding("d", "detach", "Detach"),
        Binding("x", "cancel_install", "Cancel install"),
        Binding("escape", "back", "Back", show=False),
    ]
    DEFAULT_CSS = """
    ProgressScreen #phases { height: auto; padding: 0 1; }
    ProgressScreen #bar-row { height: 1; padding: 0 1; }
    ProgressScreen #bar-row ProgressBar { width: auto; }
    ProgressScreen #times { width: 1fr; padding-left: 2; }
    ProgressScreen #notice { color: $text-warning; }
    ProgressScreen #log {
        height: 1fr; border: round $panel-lighten-2; border-title-color: $text-muted;
    }
    ProgressScreen.-full-log #phases, ProgressScreen.-full-log .flow-title { display: none; }
    """

    class _Wake(Message):
        """Events are waiting in the inbox."""

    def __init__(self, session, *, attach_state: InstallState | None = None,
                 run: bool = True, clock: Callable[[], float] = time.monotonic) -> None:
        """attach_state: follow that install again instead of starting one. run=False: start
        nothing and wait for `feed(events)` (tests drive the screen with fixed events); `clock`
        measures the elapsed time between events."""
        super().__init__(session)
        self._attach_state = attach_state
        self._run_on_mount = run
        self._clock = clock
        self._lock = threading.Lock()
        self._inbox: list[Any] = []
        self._wake_posted = False
        self._stop = threading.Event()
        self._phases = list(attach_state.phases if attach_state else session.phases())
        self._phase_state = {p: "pending" for p in self._phases}
        self._current: str | None = None
        self._elapsed = 0.0
        self._elapsed_at = clock()
        self._ticking = False
        self.done = False  # a result is shown (or on its way): the keys do nothing more
        self.cancelling = False
        self.lines_shown = 0

    # --- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield FlowHeader(icon="≡")
        verb = "Following" if self._attach_state else "Installing"
        yield Static(f"{verb} MIM Service and Portal on {self.session.where}",
                     classes="flow-title")
        yield Static("Starting msiexec on the target …", id="install-id", classes="flow-status")
        with Vertical(id="phases"):
            for p in self._phases:
                yield Static(self._phase_text(p), id=f"phase-{p}")
        with Horizontal(id="bar-row"):
            yield ProgressBar(total=100, show_eta=False, id="bar")
            yield Static("", id="times")
        yield Static("", id="notice", classes="flow-status")
        log = Log(id="log", max_lines=MAX_LOG_LINES)
        log.border_title = LOG_TITLES[False]
        yield log
        yield Footer()

    def on_mount(self) -> None:
        self._show_times(None)
        self.set_interval(1.0, self._tick)
        if self._attach_state is not None:
            self._show_started(self._attach_state)
        if self._run_on_mount:
            self._ticking = True
            self._run_engine()
            self.call_after_refresh(settle_garbage_collector)

    def on_unmount(self) -> None:
        gc.unfreeze()

    def _phase_text(self, phase: str) -> Text:
        glyph, style = PHASE_MARKS[self._phase_state[phase]]
        text = Text.assemble((glyph, style), " ", phase_title(phase))
        if self._phase_state[phase] == "running":
            text.stylize("bold")
        return text

    # --- the engine, in a thread ----------------------------------------------------------------

    @work(thread=True, exclusive=True, group="install")
    def _run_engine(self) -> None:
        """Run the engine in a daemon thread and wait for it here: when the app quits, this
        worker is cancelled and sets `stop` (detach), and nothing waits for a follower that is
        blocked on the target's next answer."""
        worker = get_current_worker()
        done = threading.Event()
        session = self.session
        previous = session.engine_done

        def started(state: InstallState) -> None:
            session.state = state  # at once, so that detach and cancel know the install
            self._emit(state)

        def run() -> None:
            from tui.engine.install import attach, install

            try:
                if self._attach_state is not None:
                    if previous is not None:  # the follower that was detached lets go first
                        previous.wait(30)
                    attach(session.open_shell(), self._attach_state, self._emit,
                           stop=self._stop, time_scale=session.time_scale)
                else:
                    install(session.open_shell(), session.request(), self._emit,
                            stop=self._stop, time_scale=session.time_scale,
                            on_started=started)
            except Exception as exc:  # a bug; the admin still gets a sentence, not a traceback
                self._emit(Finished("failed", None, f"mimsetup failed: {type(exc).__name__}: "
                                    f"{exc}", "Report it; `mimsetup attach` may follow the "
                                    "install if it started."))
            finally:
                done.set()

        session.engine_done = done
        threading.Thread(target=run, daemon=True, name="mimsetup-install").start()
        while not done.wait(0.25):
            if worker.is_cancelled:
                self._stop.set()
                return

    def _emit(self, event: object) -> None:
        """Called from the engine's thread: queue the event; wake the screen once."""
        with self._lock:
            self._inbox.append(event)
            if self._wake_posted:
                return
            self._wake_posted = True
        self.post_message(self._Wake())

    @on(_Wake)
    def _woken(self) -> None:
        with self._lock:
            events, self._inbox = self._inbox, []
            self._wake_posted = False
        self.feed(events)

    # --- showing events -------------------------------------------------------------------------

    def feed(self, events: list[Any]) -> None:
        """Show a batch of engine events: log lines in one write, the newest progress only."""
        lines: list[str] = []
        progress: Progress | None = None
        finished: Finished | None = None
        for e in events:
            if isinstance(e, LogLines):
                lines.extend(e.lines)
            elif isinstance(e, Progress):
                progress = e
            elif isinstance(e, PhaseStarted):
                self._set_phase(e.phase)
            elif isinstance(e, Notice):
                lines.append(("! " if e.level != "info" else "* ") + e.message)
                self._notice(e.message)
            elif isinstance(e, InstallState):
                self._show_started(e)
            elif isinstance(e, Finished):
                finished = e
        if lines:
            self.query_one(Log).write_lines(lines)
            self.lines_shown += len(lines)
        if progress is not None:
            self.query_one(ProgressBar).update(progress=progress.percent)
            self._elapsed, self._elapsed_at = progress.elapsed_seconds, self._clock()
            self._show_times(progress.eta_seconds)
        if finished is not None:
            self._finish(finished)

    def _show_started(self, state: InstallState) -> None:
        self.session.state = state
        self.query_one("#install-id", Static).update(Text.assemble(
            "Install ", (state.install_id, "bold"), f": msiexec runs on the target; its log is "
            f"{state.log_path}"))

    def _set_phase(self, phase: str) -> None:
        if phase not in self._phase_state:  # a phase the plan did not expect: show it too
            self._phases.append(phase)
            self._phase_state[phase] = "pending"
            self.query_one("#phases").mount(Static(self._phase_text(phase), id=f"phase-{phase}"))
        for p in self._phases:
            if p == phase:
                break
            if self._phase_state[p] in ("pending", "running"):
                self._set_phase_state(p, "done")
        self._set_phase_state(phase, "running")
        self._current = phase

    def _set_phase_state(self, phase: str, state: str) -> None:
        self._phase_state[phase] = state
        self.query_one(f"#phase-{phase}", Static).update(self._phase_text(phase))

    def _notice(self, message: str) -> None:
        self.query_one("#notice", Static).update(Text(message))

    def _show_times(self, eta: float | None) -> None:
        self._eta = eta
        eta_text = f"ETA {duration(eta)}" if eta is not None else "ETA —"
        self.query_one("#times", Static).update(
            f"{eta_text}   elapsed {duration(self._elapsed_now())}")

    def _elapsed_now(self) -> float:
        if not self._ticking or self.done:
            return self._elapsed
        return self._elapsed + (self._clock() - self._elapsed_at)

    def _tick(self) -> None:
        if self._ticking and not self.done:
            self._show_times(getattr(self, "_eta", None))

    def _finish(self, finished: Finished) -> None:
        if self.done:
            return
        self.done = True
        self._ticking = False
        self.session.finished = finished
        self.session.forget_install_secrets()
        outcome = finished.outcome
        if outcome in ("success", "reboot"):
            for p in self._phases:
                self._set_phase_state(p, "done")
            self.query_one(ProgressBar).update(progress=100)
        elif self._current is not None and outcome in ("failed", "cancelled"):
            self._set_phase_state(self._current, "failed" if outcome == "failed" else "stopped")
        self.refresh_bindings()
        # the final state stays a moment (and a screen removed as soon as it is mounted trips
        # its Header, whose first title update is still pending)
        self.call_after_refresh(self.set_timer, RESULT_DELAY, self._show_result)

    def _show_result(self) -> None:
        if self.is_current:
            self.move_on("result")
        # else: a dialog is open over this screen; the result follows when it closes

    def on_screen_resume(self) -> None:
        if self.done and self.session.finished is not None:
            self.call_later(self._show_result)

    # --- keys -----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("detach", "cancel_install"):
            return None if self.done or self.cancelling and action == "cancel_install" else True
        return True

    def action_toggle_log(self) -> None:
        # The key's label stays (relabelling the footer would recompose it, doubling the
        # redraw: tests/bench/bench_ui_latency.py); the log's title says what l does next.
        full = not self.has_class("-full-log")
        log = self.query_one(Log)
        at_end = log.is_vertical_scroll_end
        self.set_class(full, "-full-log")
        log.border_title = LOG_TITLES[full]
        if at_end:  # the log follows the newest lines at its new height too (Log scrolls on a
            # write only when it is at the end, and a shorter log is no longer there)
            self.call_after_refresh(self._follow_log)

    def _follow_log(self) -> None:
        if self.is_attached and self.is_current:
            self.query_one(Log).scroll_end(animate=False, immediate=True)

    def action_back(self) -> None:
        self.notify("The install is running: d detaches (the install goes on), x cancels it.")

    def action_detach(self) -> None:
        if self.done:
            return
        self._stop.set()
        state = self.session.state
        if state is None:  # not started yet: the engine detaches as soon as it has
            self._notice("Detaching as soon as msiexec has started …")
            return
        from tui.engine.install import detached_result

        self._finish(detached_result(state, "You detached."))

    def action_cancel_install(self) -> None:
        self._confirm_cancel()

    @work(exclusive=True, group="cancel")
    async def _confirm_cancel(self) -> None:
        if self.done or self.cancelling:
            return
        choice = await self.app.push_screen_wait(Choice(
            "Cancel the install?", CANCEL_TEXT,
            [("cancel-install", "Cancel the install", "y"), ("keep", "Keep installing", "n")],
            cancel="keep",
        ))
        if choice != "cancel-install" or self.done:
            return
        state = self.session.state
        if state is None:
            self.notify("msiexec has not started yet: try again in a moment.", severity="warning")
            return
        self.cancelling = True
        self.refresh_bindings()
        self._notice("Cancelling: Windows Installer is rolling back what the install did …")
        self._send_cancel(state)

    @work(thread=True, group="cancel-send")
    def _send_cancel(self, state: InstallState) -> None:
        from tui.engine.install import cancel_on

        said = cancel_on(self.session.shell, state)
        self._emit(Notice(said.text(), said.level))
        if not said.stopped:  # the install goes on: x may be pressed again
            self.from_thread(self._cancel_over)

    def _cancel_over(self) -> None:
        self.cancelling = False
        self.refresh_bindings()

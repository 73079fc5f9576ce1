"""Installing a fleet, host by host in the order its rules require: the host that creates the
database first and alone, then every other host, in parallel up to a bound. A host whose
database creator failed is not installed (it would fail the same way, or worse, half-install
against no database); a host that does not run the MIM Service does not depend on it and goes
on. Every host ends with a result, installed or not, and the summary reports them all.

`run_fleet` is independent of how one host is installed: `run_host(name, emit, stop)` does it
(for `mimsetup apply` on a fleet file: pre-flight, install, follow) and returns the `Finished`
event; events are passed on tagged with the host's name. A host that raises is reported as
failed with the exception's sentence: a traceback is a bug, never the summary.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from tui.engine.errors import EngineError
from tui.engine.events import Event, Finished
from tui.model.fleet import Fleet

DEFAULT_PARALLEL = 4
OK_OUTCOMES = ("success", "reboot")

HostEmit = Callable[[str, Event], None]
RunHost = Callable[[str, Callable[[Event], None], threading.Event], Finished]


@dataclass(frozen=True)
class Step:
    """One host of the run: its wave (0 runs before 1) and the hosts it needs to have worked."""

    host: str
    wave: int
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class HostResult:
    host: str
    outcome: str  # a Finished outcome, or "skipped" (not started: a host it needs failed)
    message: str
    finished: Finished | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in OK_OUTCOMES


@dataclass
class FleetResult:
    results: list[HostResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    def get(self, host: str) -> HostResult:
        return next(r for r in self.results if r.host == host)

    def summary(self) -> list[str]:
        """One line per host, in the order they ran, then the count."""
        width = max((len(r.host) for r in self.results), default=4)
        lines = [f"{r.host:<{width}}  {r.outcome:<17}  {r.message}" for r in self.results]
        worked = sum(r.ok for r in self.results)
        lines.append(f"{worked} of {len(self.results)} host(s) installed.")
        return lines


def steps_for(fleet: Fleet) -> list[Step]:
    """The run order of a valid fleet: its waves, and who needs the database creator."""
    waves = fleet.waves()
    creator = next((h.name for h in waves[0] if h.creates_database), None) if waves else None
    out = []
    for index, wave in enumerate(waves):
        for h in wave:
            needs = (creator,) if creator and h.name != creator and h.runs_service else ()
            out.append(Step(h.name, index, needs))
    order = [h.name for h in fleet.hosts]
    return sorted(out, key=lambda s: (s.wave, order.index(s.host)))


def run_fleet(
    steps: list[Step],
    run_host: RunHost,
    emit: HostEmit,
    *,
    parallel: int = DEFAULT_PARALLEL,
    stop: threading.Event | None = None,
) -> FleetResult:
    """Run every step, wave by wave, at most `parallel` hosts at a time within a wave."""
    if parallel < 1:
        raise ValueError("parallel must be 1 or more")
    stop = stop or threading.Event()
    done: dict[str, HostResult] = {}
    lock = threading.Lock()

    def one(step: Step) -> HostResult:
        def tagged(event: Event) -> None:
            with lock:  # listeners see one event at a time, whichever host sends it
                emit(step.host, event)

        try:
            finished = run_host(step.host, tagged, stop)
        except EngineError as exc:
            finished = Finished("failed", None, exc.message, exc.remedy)
        except Exception as exc:  # reported, never raised: the other hosts' results stand
            finished = Finished("failed", None, f"{type(exc).__name__}: {exc}",
                                "This is a bug in mimsetup; report it with this message.")
        tagged(finished)
        return HostResult(step.host, finished.outcome, finished.message, finished)

    for wave in sorted({s.wave for s in steps}):
        runnable: list[Step] = []
        for step in (s for s in steps if s.wave == wave):
            failed = [n for n in step.needs if not (n in done and done[n].ok)]
            if stop.is_set():
                done[step.host] = HostResult(step.host, "skipped", "Not started: stopped.")
            elif failed:
                done[step.host] = HostResult(
                    step.host, "skipped",
                    f"Not installed: it reuses the database of {', '.join(failed)}, whose "
                    "install did not succeed.")
            else:
                runnable.append(step)
        if not runnable:
            continue
        with ThreadPoolExecutor(max_workers=min(parallel, len(runnable)),
                                thread_name_prefix="mimsetup-host") as pool:
            for step, result in zip(runnable, pool.map(one, runnable), strict=True):
                done[step.host] = result
    return FleetResult([done[s.host] for s in steps])

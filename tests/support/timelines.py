"""The reference log as other installs would write it: without the wizard's dialogs (a silent
install), and with each phase taking a chosen multiple of its reference length. For
tests/engine/test_progress.py and tests/bench/bench_progress.py."""

from __future__ import annotations

import dataclasses

from tui.engine import progress
from tui.engine.msilog import ClockUnwrapper, LineKind, LogLine


def silent(lines: tuple[LogLine, ...]) -> tuple[LogLine, ...]:
    """The log without its dialogs: each dialog line goes, and so does the time until the next
    timestamped line (the user reading it)."""
    clock = ClockUnwrapper()
    out: list[LogLine] = []
    cut = 0.0
    opened: float | None = None
    for ln in lines:
        if ln.seconds is None:
            out.append(ln)
            continue
        t = clock(ln.seconds)
        if opened is not None:
            cut += t - opened
            opened = None
        if progress.is_dialog(ln):
            opened = t
            continue
        out.append(dataclasses.replace(ln, seconds=(t - cut) % 86400.0))
    return tuple(out)


@dataclasses.dataclass
class Timeline:
    lines: list[tuple[float, LogLine]]  # (rewritten time, line with its clock rewritten)
    start: float
    end: float


def rewrite(lines: tuple[LogLine, ...], factors: dict[str, float]) -> Timeline:
    """The log with each phase's stretch of time scaled by its factor."""
    clock = ClockUnwrapper()
    times = [clock(ln.seconds) if ln.seconds is not None else None for ln in lines]
    tracker = progress.PhaseTracker()
    starts: list[tuple[float, float]] = []  # (original start, factor) per phase
    end = None
    for ln, t in zip(lines, times, strict=True):
        if t is None:
            continue
        if ln.kind is LineKind.PRODUCT_RESULT:
            end = t
            break
        if (phase := tracker.feed(ln)) is not None:
            starts.append((t, factors.get(phase, 1.0)))
    assert end is not None and starts
    bounds = [s for s, _ in starts[1:]] + [end]
    new_starts, acc = [], starts[0][0]
    for (s, f), b in zip(starts, bounds, strict=True):
        new_starts.append(acc)
        acc += (b - s) * f
    new_end = acc

    def new_time(t: float) -> float:
        if t < starts[0][0]:
            return t
        if t >= end:
            return new_end + (t - end)
        for (s, f), b, ns in zip(starts, bounds, new_starts, strict=True):
            if s <= t < b:
                return ns + (t - s) * f
        raise AssertionError(t)

    out, last = [], None
    for ln, t in zip(lines, times, strict=True):
        if t is None:
            if last is not None:
                out.append((last, ln))
            continue
        last = new_time(t)
        out.append((last, dataclasses.replace(ln, seconds=last % 86400.0)))
    return Timeline(out, starts[0][0], new_end)

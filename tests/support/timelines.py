"""The reference log as other installs would write it: without the wizard's dialogs (a silent
install), and with each phase taking a chosen multiple of its reference length. For
tests/engine/test_progress.py and tests/bench/bench_progress.py."""

from __future__ import annotations

import dataclasses
import math

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


def rewrite(
    lines: tuple[LogLine, ...], factors: dict[str, float], *, probes: bool = True
) -> Timeline:
    """The log with each phase's stretch of time scaled by its factor. A phase's server is slower
    or faster as a whole: the installer's checks of it that run before the script
    (phases.PROBE_ACTIONS: SharePoint's farm) take their phase's factor too, unless `probes` is
    False (a phase slower for a reason its checks do not meet)."""
    clock = ClockUnwrapper()
    times = [clock(ln.seconds) if ln.seconds is not None else None for ln in lines]
    tracker = progress.PhaseTracker()
    starts: list[tuple[float, float]] = []  # (original start, factor) per phase
    checks: list[tuple[float, float, float]] = []  # (original start, end, factor) per check
    opened: dict[str, float] = {}
    end = None
    for ln, t in zip(lines, times, strict=True):
        if t is None:
            continue
        if ln.kind is LineKind.PRODUCT_RESULT:
            end = t
            break
        if (phase := tracker.feed(ln)) is not None:
            starts.append((t, factors.get(phase, 1.0)))
        probed = progress.PROBE_ACTIONS.get(ln.action or "")
        if probed is not None and ln.kind is LineKind.ACTION_START:
            opened[ln.action] = t
        elif probed is not None and ln.kind is LineKind.ACTION_END and ln.action in opened:
            factor = factors.get(probed, 1.0) if probes else 1.0
            checks.append((opened.pop(ln.action), t, factor))
    assert end is not None and starts
    # Pieces of the original timeline, each with its factor: the phases, cut where a check is.
    bounds = [s for s, _ in starts[1:]] + [end]
    pieces: list[tuple[float, float, float]] = []
    for (s, f), b in zip(starts, bounds, strict=True):
        cuts = sorted((ps, pe, pf) for ps, pe, pf in checks if s <= ps and pe <= b)
        at = s
        for ps, pe, pf in cuts:
            pieces += [(at, ps, f), (ps, pe, pf)]
            at = pe
        pieces.append((at, b, f))
    new_starts, acc = [], pieces[0][0]
    for s, b, f in pieces:
        new_starts.append(acc)
        acc += (b - s) * f
    new_end = acc

    def new_time(t: float) -> float:
        if t < pieces[0][0]:
            return t
        if t >= end:
            return new_end + (t - end)
        for (s, b, f), ns in zip(pieces, new_starts, strict=True):
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
    return Timeline(out, pieces[0][0], new_end)


def as_logged(timeline: Timeline) -> Timeline:
    """The timeline as Windows Installer would log it: each line's time stamp cut to the whole
    second (the times the lines arrive at stay exact: the follower's clock runs between them)."""
    lines = [(t, dataclasses.replace(ln, seconds=float(math.floor(ln.seconds)))
              if ln.seconds is not None else ln) for t, ln in timeline.lines]
    return Timeline(lines, timeline.start, timeline.end)

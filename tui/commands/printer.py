"""Engine events on a terminal: a progress bar on a TTY, plain lines otherwise, or JSON lines."""

from __future__ import annotations

import json
import shutil
import sys
from typing import TextIO

from tui.engine.events import (
    CheckResult,
    Event,
    Finished,
    LogLines,
    Notice,
    PhaseStarted,
    Progress,
    StepStarted,
)

_MARK = {"pass": "ok  ", "warn": "WARN", "fail": "FAIL", "skip": "skip"}


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return ""
    m, s = divmod(int(seconds), 60)
    return f"ETA {m}m{s:02d}s" if m else f"ETA {s}s"


class EventPrinter:
    def __init__(self, stream: TextIO = sys.stdout, mode: str | None = None,
                 host: str | None = None) -> None:
        self.stream = stream
        self.mode = mode or ("bar" if stream.isatty() and host is None else "lines")
        self.host = host  # several hosts print into one stream: each line says whose it is
        self._bar_shown = False
        self._last_decile = -1

    def __call__(self, event: Event) -> None:
        if self.mode == "json":
            data = event.to_json() | ({"host": self.host} if self.host else {})
            self.stream.write(json.dumps(data, ensure_ascii=False) + "\n")
            self.stream.flush()
            return
        if isinstance(event, Progress):
            self._progress(event)
            return
        self._clear_bar()
        text = self._text(event)
        if text and self.host:
            text = "\n".join(f"[{self.host}] {line}" for line in text.splitlines())
        if text:
            self.stream.write(text + "\n")
        self.stream.flush()

    def _text(self, event: Event) -> str:
        match event:
            case StepStarted(message=m):
                return f"== {m}"
            case CheckResult(id=i, status=s, message=m, remedy=r):
                remedy = f"\n         -> {r}" if r and s in ("warn", "fail") else ""
                return f"  [{_MARK.get(s, s)}] {i}: {m}{remedy}"
            case PhaseStarted(title=t):
                return f"-- {t}"
            case LogLines(lines=lines):
                return "\n".join(f"   {line}" for line in lines)
            case Notice(message=m, level=level):
                return f"{'!' if level != 'info' else '*'} {m}"
            case Finished():
                return self._finished(event)
        return ""

    def _finished(self, f: Finished) -> str:
        out = [f"== {f.message}"]
        if f.failing_action:
            out.append(f"   failing action: {f.failing_action}")
        out += [f"   | {line}" for line in f.error_lines]
        if f.log_path:
            out.append(f"   log on the target: {f.log_path}")
        if f.duration_seconds is not None:
            out.append(f"   duration: {f.duration_seconds:.0f} s")
        if f.next_steps:
            out.append(f"   next: {f.next_steps}")
        return "\n".join(out)

    def _progress(self, p: Progress) -> None:
        if self.mode == "lines":
            decile = int(p.percent // 10)
            if decile != self._last_decile:
                self._last_decile = decile
                who = f"[{self.host}] " if self.host else ""
                self.stream.write(f"{who}   {p.percent:5.1f}% {p.phase} {_eta(p.eta_seconds)}\n")
                self.stream.flush()
            return
        width = max(10, min(40, shutil.get_terminal_size((80, 24)).columns - 40))
        filled = int(width * p.percent / 100)
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r[{bar}] {p.percent:5.1f}% {p.phase:<10} {_eta(p.eta_seconds):<12}")
        self.stream.flush()
        self._bar_shown = True

    def _clear_bar(self) -> None:
        if self._bar_shown:
            self.stream.write("\r\x1b[2K")
            self._bar_shown = False

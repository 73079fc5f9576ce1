"""The engine's results on a terminal: events as a progress bar on a TTY, plain lines otherwise,
or JSON lines; the pre-flight as a table; the checklist as a list."""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
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
from tui.flags import FIX
from tui.model.printable import visible

_MARK = {"pass": "ok  ", "warn": "WARN", "fail": "FAIL", "skip": "skip"}


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return ""
    m, s = divmod(int(seconds), 60)
    return f"ETA {m}m{s:02d}s" if m else f"ETA {s}s"


class EventPrinter:
    def __init__(self, stream: TextIO | None = None, mode: str | None = None,
                 host: str | None = None) -> None:
        # sys.stdout when called, not when imported (a caller may have replaced it)
        stream = stream or sys.stdout
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
        # What the target sends (MSI log lines, check findings) may hold escape sequences: shown
        # escaped, line by line
        text = "\n".join(visible(line) for line in self._text(event).split("\n"))
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
        if f.rolled_back:
            out.append("   Windows Installer rolled back the changes it had made.")
        if f.failing_action:
            out.append(f"   failing action: {f.failing_action}")
        if f.cause:
            out += [f"   cause: {f.cause.title}. {f.cause.cause}",
                    f"   seen in the log: {f.cause.evidence}",
                    f"   source: {'; '.join(f.cause.sources)}"]
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


MARK = {"pass": "pass", "warn": "WARN", "fail": "FAIL", "skip": "skip"}


def print_preflight(report, where: str, stream=None) -> None:
    stream = stream or sys.stdout
    width = max(60, min(shutil.get_terminal_size((100, 24)).columns, 140))
    title_w = max(len(c.id) for c in report.checks) if report.checks else 10
    title_w = min(title_w, 34)
    indent = 7 + title_w + 2
    text_w = max(30, width - indent)
    rounds = (f", {report.requests} HTTP requests, {report.logons} logon(s), "
              f"{report.shells} shell(s)" if report.requests is not None else "")
    computer = f" on {report.computer}" if report.computer else ""
    print(f"Pre-flight{computer} ({where}): {len(report.checks)} checks in "
          f"{report.seconds:.2f} s{rounds}", file=stream)
    print(f"{'STATUS':<7}{'CHECK':<{title_w + 2}}MESSAGE / REMEDY", file=stream)
    for c in report.checks:
        lines = textwrap.wrap(c.message, text_w) or [""]
        if c.remedy and c.status in ("fail", "warn"):
            lines += textwrap.wrap("remedy: " + c.remedy, text_w, subsequent_indent="  ")
        title = c.id if len(c.id) <= title_w else c.id[: title_w - 1] + "…"
        print(f"{MARK.get(c.status, c.status):<7}{title:<{title_w + 2}}{lines[0]}", file=stream)
        for line in lines[1:]:
            print(" " * indent + line, file=stream)
    counts = {s: len(report.by_status(s)) for s in ("pass", "warn", "fail", "skip")}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    verdict = {
        "pass": "nothing stands in the installer's way.",
        "warn": "the installer should succeed; read the warnings.",
        "fail": "the installer would fail: fix the FAIL lines and run the pre-flight again.",
    }[report.status]
    print(f"\n{summary}: {verdict}", file=stream)
    for note in report.notes:
        print(f"note: {note}", file=stream)


def print_checklist(items, stream=None) -> None:
    stream = stream or sys.stdout
    print("Post-install checklist:", file=stream)
    for i in items:
        mark = {"pass": "pass", "fail": "FAIL", "unknown": "????", "manual": "todo"}.get(
            i.status, i.status)
        fixed = " (fixed)" if i.fixed else ""
        print(f"  [{mark}] {i.title}{fixed}", file=stream)
        if i.evidence and i.status != "manual":
            print(f"         {i.evidence}", file=stream)
        if i.status in ("fail", "unknown") and i.remedy:
            print(f"         -> {i.remedy}" + (f" (fixable: {FIX} " + i.id + ")" if i.fixable
                                              else ""), file=stream)

"""The simulated target's `install-tail`: the same algorithm as install-tail.ps1, in Python, on
the simulated server's files. Both read the same filter rules (log-filter.json, sent as params),
so what the simulated target sends is what a Windows server would send.

Decoding is done here as .NET does it on the target, not with the client's decoder: a BOM says
UTF-16LE or UTF-8; NULs in every other byte mean BOM-less UTF-16; anything else is
`Encoding.Default`, the machine's ANSI code page. Whether the runner is still there is asked of
the machine's process table and Task Scheduler (`RunnerView`); a runner ended by install-cancel
(its marker `status.json.cancel` there, within its limit) is not gone: the cancel's 1602 is to
come once Windows Installer has rolled back."""

from __future__ import annotations

import json
import os
import re
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Protocol

from tui.engine.sim.process import OutputSink

TASK_QUEUED, TASK_RUNNING = 2, 4
TASK_HAS_NOT_RUN = 267011  # SCHED_S_TASK_HAS_NOT_RUN (0x41303)
CANCEL_MARGIN_SECONDS = 60  # beyond a cancel's own wait, before its marker no longer holds


class RunnerView(Protocol):
    code_page: str

    def process_alive(self, pid: int, started: str | None) -> bool: ...

    def task(self, name: str) -> tuple[int, int] | None:
        """(State, LastTaskResult) of a registered task, or None when there is none."""


def _compile(patterns: list[str] | None) -> list[re.Pattern]:
    return [re.compile(p) for p in patterns or ()]


def _any(regexes: list[re.Pattern], line: str) -> bool:
    return any(r.search(line) for r in regexes)


def tail(params: dict, resolve: Callable[[str], Path], out: OutputSink,
         windows: RunnerView | None = None) -> int:
    include = _compile(params.get("include"))
    exclude = _compile(params.get("exclude"))
    triggers = _compile(params.get("context_patterns"))
    script_start = _compile(params.get("script_start"))
    script_end = _compile(params.get("script_end"))
    in_script_include = _compile(params.get("include_in_script"))
    context: deque[str] = deque(maxlen=max(1, int(params.get("context_lines", 20))))
    st = {"offset": int(params.get("offset", 0)), "in_script": bool(params.get("in_script")),
          "restarted": False}
    log_path = resolve(params["log_path"])
    status_path = resolve(params["status_path"])
    began = time.monotonic()
    deadline = began + float(params.get("max_seconds", 45))
    checkpoint = float(params.get("checkpoint_seconds", 15))
    batch = float(params.get("batch_seconds", 0.5))
    pending: list[str] = []
    poll = int(params.get("poll_ms", 250)) / 1000
    last_sent = time.monotonic()
    dead_since: float | None = None
    code_page = windows.code_page if windows is not None else "cp1252"

    def send(lines: list[str], final: dict | None = None) -> None:
        doc: dict = {"lines": lines, "offset": st["offset"], "in_script": st["in_script"]}
        if st["restarted"]:
            doc["log_restarted"], st["restarted"] = True, False
        if final is not None:
            doc.update(done=True, exit_code=final.get("exit_code"))
            if final.get("error"):
                doc["error"] = str(final["error"])
            if final.get("runner_gone"):
                doc["runner_gone"] = True
        out.stdout(json.dumps(doc, separators=(",", ":")) + "\n")

    def read_new(lines: list[str]) -> bool:
        try:
            with log_path.open("rb") as f:
                head = f.read(4)
                size = os.fstat(f.fileno()).st_size
                bom, encoding, utf16 = 0, code_page, False
                if head[:2] == b"\xff\xfe":
                    bom, utf16 = 2, True
                elif head[:3] == b"\xef\xbb\xbf":
                    bom, encoding = 3, "utf-8"
                elif len(head) >= 2 and head[1] == 0 and head[0] != 0:
                    utf16 = True
                if utf16:
                    encoding = "utf-16-le"
                if size < st["offset"]:  # shorter than what was read: a new log
                    st.update(offset=0, restarted=True, in_script=False)
                    context.clear()
                st["offset"] = max(st["offset"], bom)
                if utf16 and (st["offset"] - bom) % 2:
                    st["offset"] -= 1
                f.seek(st["offset"])
                chunk = f.read(max(0, size - st["offset"]))
        except OSError:
            return False
        if not chunk:
            return False
        end = -1
        if utf16:
            for i in range(len(chunk) - 2 - len(chunk) % 2, -1, -2):
                if chunk[i] == 0x0A and chunk[i + 1] == 0:
                    end = i + 2
                    break
        else:
            end = chunk.rfind(b"\n") + 1
        if end <= 0:
            return False
        text = chunk[:end].decode(encoding, errors="replace")
        st["offset"] += end
        for line in text.split("\n"):
            line = line.removesuffix("\r")
            if not line or _any(exclude, line):
                continue  # excluded lines are never sent, not even as context
            if _any(script_start, line):
                st["in_script"] = True
            elif _any(script_end, line):
                st["in_script"] = False
            if _any(triggers, line):
                lines.extend(context)
                context.clear()
                lines.append(line)
            elif _any(include, line) or (st["in_script"] and _any(in_script_include, line)):
                context.clear()
                lines.append(line)
            else:
                context.append(line)
        return True

    def runner_gone(status: dict | None) -> str | None:
        if windows is None:
            return None
        task_name = params.get("task_name", "")
        if status is not None and status.get("state") == "running" and status.get("pid"):
            if windows.process_alive(int(status["pid"]), status.get("process_started")):
                return None
            cancel = cancel_under_way(status_path.with_name(status_path.name + ".cancel"), status)
            if cancel is True:
                return None  # ended by install-cancel, whose result comes after the rollback
            if cancel is False:
                return (f"The install runner (PID {status['pid']}) was ended by a mimsetup "
                        "cancel whose result was never written; whether Windows Installer "
                        "rolled back is unknown: the log on the target shows how far it got.")
            return (f"The install runner (PID {status['pid']}, scheduled task {task_name}) ended "
                    "without reporting a result: it was stopped (Stop-ScheduledTask, the task's "
                    "time limit or a restart of the server). Windows Installer rolls back an "
                    "install whose runner is gone; the log on the target shows how far it got.")
        if status is not None:
            return None
        task = windows.task(task_name)
        if _status(status_path) is not None:
            return None
        if task is None:
            return (f"The install runner never reported and its scheduled task {task_name} is "
                    "gone: the install did not start.")
        state, result = task
        if state in (TASK_QUEUED, TASK_RUNNING):
            return None
        if result == TASK_HAS_NOT_RUN:
            if time.monotonic() - began < 60:
                return None
            return (f"The scheduled task {task_name} that runs the install never started "
                    "(Task Scheduler: it has not run).")
        return (f"The install runner (scheduled task {task_name}) ended without starting the "
                f"install (task result 0x{result & 0xFFFFFFFF:08X}).")

    while not out.terminated:
        status = _status(status_path)
        lines: list[str] = []
        grew = read_new(lines)
        now = time.monotonic()
        pending += lines
        if not grew:
            if status and status.get("state") == "done":
                send(pending, status)
                return 0
            gone = runner_gone(status)
            if gone is not None:
                if dead_since is not None:  # seen twice, a poll apart
                    send(pending, {"exit_code": None, "error": gone, "runner_gone": True})
                    return 0
                dead_since = now
            else:
                dead_since = None
        # A burst travels in one answer; with nothing to send, a checkpoint now and then.
        since = now - last_sent
        if (pending and since >= batch) or since >= checkpoint:
            send(pending)
            pending, last_sent = [], now
        if now > deadline:
            if pending:
                send(pending)
            return 0
        out.sleep(poll) if hasattr(out, "sleep") else time.sleep(poll)
    return 0


def cancel_under_way(marker_path: Path, status: dict) -> bool | None:
    """install-cancel's marker for this runner: True within its wait's limit and 60 s more (the
    runner's exit, the writes), its result still to come; False past that (a cancel that ended
    the runner and never wrote its result); None when there is no marker for this runner."""
    marker = _status(marker_path)
    if not isinstance(marker, dict) or str(marker.get("pid")) != str(status.get("pid")):
        return None
    try:
        requested = datetime.fromisoformat(str(marker["requested"]))
        until = requested.timestamp() + float(marker["wait_seconds"]) + CANCEL_MARGIN_SECONDS
    except (KeyError, TypeError, ValueError):
        return None
    return time.time() < until


def _status(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        return None

"""The simulated target's `install-tail`: the same algorithm as install-tail.ps1, in Python, on
the simulated server's files. Both read the same filter rules (log-filter.json, sent as params),
so what the simulated target sends is what a Windows server would send."""

from __future__ import annotations

import json
import re
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

from tui.engine.msilog import LogDecoder
from tui.engine.sim.process import OutputSink


def _compile(patterns: list[str] | None) -> list[re.Pattern]:
    return [re.compile(p) for p in patterns or ()]


def tail(params: dict, resolve: Callable[[str], Path], out: OutputSink) -> int:
    include = _compile(params.get("include"))
    exclude = _compile(params.get("exclude"))
    triggers = _compile(params.get("context_patterns"))
    context: deque[str] = deque(maxlen=max(1, int(params.get("context_lines", 20))))
    offset = int(params.get("offset", 0))
    log_path = resolve(params["log_path"])
    status_path = resolve(params["status_path"])
    deadline = time.monotonic() + float(params.get("max_seconds", 45))
    checkpoint = float(params.get("checkpoint_seconds", 15))
    batch = float(params.get("batch_seconds", 0.5))
    pending: list[str] = []
    poll = int(params.get("poll_ms", 250)) / 1000
    last_sent = time.monotonic()
    decoder: LogDecoder | None = None

    def send(lines: list[str], done: bool = False, exit_code: int | None = None) -> None:
        batch: dict = {"lines": lines, "offset": offset}
        if done:
            batch.update(done=True, exit_code=exit_code)
        out.stdout(json.dumps(batch, separators=(",", ":")) + "\n")

    while not out.terminated:
        status = _status(status_path)
        lines: list[str] = []
        grew = False
        if log_path.exists():
            with log_path.open("rb") as f:
                if decoder is None:
                    # Detect the encoding from the file's start, then read from the offset.
                    probe = LogDecoder()
                    probe.feed(f.read(4))
                    if probe.encoding:
                        decoder = LogDecoder(probe.encoding, max(offset, probe.offset))
                if decoder is not None:
                    f.seek(decoder.offset)
                    spans = decoder.feed_spans(f.read())
                    if spans:
                        grew = True
                        offset = decoder.offset
                    for line, _end in spans:
                        if not line or any(r.search(line) for r in exclude):
                            continue  # excluded lines are never sent, not even as context
                        if any(r.search(line) for r in triggers):
                            lines.extend(context)
                            context.clear()
                            lines.append(line)
                        elif any(r.search(line) for r in include):
                            context.clear()
                            lines.append(line)
                        else:
                            context.append(line)
                    # Bytes of a partial line are read again next time, from the offset.
                    decoder = LogDecoder(decoder.encoding, decoder.offset)
        now = time.monotonic()
        pending += lines
        if status and status.get("state") == "done" and not grew:
            send(pending, True, status.get("exit_code"))
            return 0
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


def _status(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        return None

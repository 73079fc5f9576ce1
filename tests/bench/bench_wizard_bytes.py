"""Benchmark (a script, not a test): bytes the wizard writes to the terminal per character typed
into an Input, in a real pty at 80x24. Target: <= 4 KB for every character (the largest one
counts, not only the mean), so that typing over a slow SSH link stays smooth.

Every character counts, the first one too (it also marks the answers unsaved in the title).
What is typed makes the field's error message come, go and change its length, and the page's
state in the page list flip; see FIELDS.

    PYTHONPATH=. python tests/bench/bench_wizard_bytes.py [characters per field]
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QUIET = 0.25  # seconds without output: the app has finished answering a key
TARGET = 4096
ANSI = re.compile(rb"\x1b\[[0-9;?<>=$ ]*[A-Za-z~]|\x1b[()][A-Z0-9]|\x1b[=>78]|\x1b\][^\x07]*\x07")


class Pty:
    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     cwd=ROOT, start_new_session=True)
        os.close(slave)

    def settle(self, timeout: float = 20.0, marker: str | None = None) -> int:
        """Read until the app is quiet (and, with `marker`, has shown it); the number of bytes
        read."""
        out = b""
        deadline = time.monotonic() + timeout
        last = time.monotonic()
        seen = marker is None
        while time.monotonic() < deadline and (not seen or time.monotonic() - last < QUIET):
            ready, _, _ = select.select([self.master], [], [], 0.02)
            if ready:
                out += os.read(self.master, 65536)
                last = time.monotonic()
                seen = seen or marker.encode() in ANSI.sub(b"", out)  # type: ignore[union-attr]
        if not seen:
            raise RuntimeError(f"{marker!r} never shown")
        return len(out)

    def send(self, data: str) -> None:
        os.write(self.master, data.encode())

    def close(self) -> None:
        self.proc.send_signal(signal.SIGHUP)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.close(self.master)


# (keys to reach the field, what the page shows then, text typed into the field)
FIELDS = [
    # Ctrl+N from Components: the Database page, focus in "SQL Server". A trailing hyphen is an
    # error, a name of several labels gets another message, the page flips between errors and
    # complete in the page list; the first key also marks the answers unsaved in the title.
    (["\x0e"], "SQL Server", "corpsql-cluster-listener-corps"),
    # F2, three pages down, Enter: the Service account page (fields with lists below), focus in
    # "Service account name"; a backslash is an error with a message of three lines.
    (["\x1bOQ", "\x1b[B", "\x1b[B", "\x1b[B", "\r"], "Service account name",
     "corp\\mim-svc-$"),
]


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 0  # 0: each field's whole text
    typed: list[tuple[str, int]] = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "TERM": "xterm-256color", "PYTHONPATH": str(ROOT),
               "MIMSETUP_STATE_DIR": str(Path(tmp) / "state")}
        env.pop("NO_COLOR", None)
        term = Pty([sys.executable, "-m", "tui"], env)
        try:
            # each step waits for what it shows, so that a slow start on a busy machine does not
            # leave its output to be counted against a typed character
            term.settle(timeout=30, marker="Choose what to install")
            for keys, marker, text in FIELDS:
                for i, key in enumerate(keys):
                    term.send(key)
                    term.settle(marker=marker if i == len(keys) - 1 else None)
                for char in text[:count] if count else text:
                    term.send(char)
                    typed.append((char, term.settle()))
        finally:
            term.close()
    sizes = [n for _, n in typed]
    mean = sum(sizes) / len(sizes)
    ordered = sorted(sizes)
    worst = max(range(len(sizes)), key=sizes.__getitem__)
    print(f"bytes per typed character at 80x24 ({len(sizes)} characters in {len(FIELDS)} "
          f"fields): mean {mean:.0f}, median {ordered[len(ordered) // 2]}, max {ordered[-1]} "
          f"(character {worst + 1}, {typed[worst][0]!r})")
    print(f"in order: {' '.join(map(str, sizes))}")
    met = ordered[-1] <= TARGET
    print(f"target <= {TARGET} for every character: max {ordered[-1]} / {TARGET} = "
          f"{ordered[-1] / TARGET:.2f}, mean {mean:.0f} / {TARGET} = {mean / TARGET:.2f}: "
          f"{'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())

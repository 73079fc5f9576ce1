"""Benchmark (a script, not a test): bytes the wizard writes to the terminal per character typed
into an Input, in a real pty at 80x24. Target: <= 4 KB a character, so that typing over a slow
SSH link stays smooth.

    PYTHONPATH=. python tests/bench/bench_wizard_bytes.py [characters]
"""

from __future__ import annotations

import fcntl
import os
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


class Pty:
    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     cwd=ROOT, start_new_session=True)
        os.close(slave)

    def settle(self, timeout: float = 20.0) -> int:
        """Read until the app is quiet; the number of bytes read."""
        total = 0
        deadline = time.monotonic() + timeout
        last = time.monotonic()
        while time.monotonic() < deadline and time.monotonic() - last < QUIET:
            ready, _, _ = select.select([self.master], [], [], 0.02)
            if ready:
                total += len(os.read(self.master, 65536))
                last = time.monotonic()
        return total

    def send(self, data: str) -> None:
        os.write(self.master, data.encode())

    def close(self) -> None:
        self.proc.send_signal(signal.SIGHUP)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.close(self.master)


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    text = ("corpsql-cluster-listener-" * 4)[:count]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "TERM": "xterm-256color", "PYTHONPATH": str(ROOT),
               "MIMSETUP_STATE_DIR": str(Path(tmp) / "state")}
        env.pop("NO_COLOR", None)
        term = Pty([sys.executable, "-m", "tui"], env)
        try:
            term.settle(timeout=30)
            term.send("\x0e")  # Ctrl+N: the Database page, focus in "SQL Server"
            term.settle()
            term.send("x\x7f")  # the first edit marks the answers unsaved (title): not counted
            term.settle()
            sizes = []
            for char in text:
                term.send(char)
                sizes.append(term.settle())
        finally:
            term.close()
    sizes.sort()
    mean = sum(sizes) / len(sizes)
    print(f"bytes per typed character at 80x24: mean {mean:.0f}, median "
          f"{sizes[len(sizes) // 2]}, max {sizes[-1]} ({len(sizes)} characters)")
    print("target: <= 4096 per character")
    return 0 if mean <= 4096 else 1


if __name__ == "__main__":
    raise SystemExit(main())

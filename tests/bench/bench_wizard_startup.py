"""Benchmark (a script, not a test): time from process start to the first page painted, in a
real pty at 80x24, for the wizard and for a minimal Textual app (Header, Label, Input, Footer)
started the same way in the same run. Target: ratio <= 1.3.

    PYTHONPATH=. python tests/bench/bench_wizard_startup.py [runs]
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ANSI = re.compile(rb"\x1b\[[0-9;?<>=$ ]*[A-Za-z~]|\x1b[()][A-Z0-9]|\x1b[=>78]|\x1b\][^\x07]*\x07")

MINIMAL = '''
from textual.app import App
from textual.widgets import Footer, Header, Input, Label

class Minimal(App):
    def compose(self):
        yield Header()
        yield Label("Minimal app painted")
        yield Input(placeholder="type here")
        yield Footer()

Minimal().run()
'''


def first_paint(argv: list[str], marker: str, env: dict[str, str]) -> float:
    """Seconds from spawning `argv` in an 80x24 pty until `marker` is on the screen."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT,
                            start_new_session=True)
    os.close(slave)
    out = b""
    try:
        while time.perf_counter() - start < 30:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                out += os.read(master, 65536)
                if marker.encode() in ANSI.sub(b"", out):
                    return time.perf_counter() - start
        raise RuntimeError(f"{marker!r} never painted")
    finally:
        proc.send_signal(signal.SIGHUP)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        os.close(master)


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    # Byte-compile the app as an install does (pip writes .pyc files): with
    # PYTHONDONTWRITEBYTECODE set, the wizard would otherwise compile its sources on every start
    # while the minimal app's Textual is precompiled.
    import compileall

    for package in ("tui", "screens"):
        compileall.compile_dir(ROOT / package, quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        minimal = Path(tmp) / "minimal.py"
        minimal.write_text(MINIMAL)
        env = {**os.environ, "TERM": "xterm-256color", "PYTHONPATH": str(ROOT),
               "MIMSETUP_STATE_DIR": str(Path(tmp) / "state")}
        env.pop("NO_COLOR", None)
        cases = {
            "minimal": ([sys.executable, str(minimal)], "Minimal app painted"),
            "wizard": ([sys.executable, "-m", "tui"], "Choose what to install"),
        }
        for argv, marker in cases.values():  # warm the file cache and .pyc files
            first_paint(argv, marker, env)
        # The wizard draws its first page from a cache of the model's field declarations, which
        # it writes once the first frame is out; the warm-up start, hung up at its first frame,
        # must have written it, or every start below would load the model first.
        if not list((Path(tmp) / "state" / "cache").glob("uimeta-*")):
            print("the warm-up start left no spec cache: every start would load the model "
                  "before its first frame; not measured")
            return 2
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(runs):
            for name, (argv, marker) in cases.items():
                times[name].append(first_paint(argv, marker, env))
    med = {name: statistics.median(t) for name, t in times.items()}
    for name, t in times.items():
        print(f"{name:8s} median {med[name] * 1000:7.1f} ms  "
              f"(min {min(t) * 1000:.1f}, max {max(t) * 1000:.1f}, runs {len(t)})")
    ratio = med["wizard"] / med["minimal"]
    met = ratio <= 1.3
    print(f"ratio wizard/minimal: {ratio:.2f} (target <= 1.3: {'met' if met else 'NOT met'})")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())

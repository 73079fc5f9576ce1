"""Benchmark (not a test): `mimsetup import`'s command-line recogniser on long lines. Each shape
is timed at 250 KB (the baseline, measured in the same run) and at 1 MB: a linear recogniser
takes about four times as long on four times the text, a quadratic one sixteen times (the old
one took 48 s on 200 KB of blank-separated words). Targets: growth <= 8 (between the two) for
every shape, and a 1 MB line under 1 s. The garbage collector is off while timing.

    python tests/bench/bench_import.py [--runs 5]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tui.model.importer import ImportProblem, from_command_line  # noqa: E402

GROWTH_TARGET = 8.0
SECONDS_TARGET = 1.0
MSI = "msiexec /i C:\\x.msi "

SHAPES = {  # size in characters -> a line of about that length
    "blank-separated words": lambda n: "a " * (n // 2),
    "words after msiexec": lambda n: MSI + "a " * (n // 2),
    "many properties": lambda n: MSI + "A=1 " * (n // 4),
    "separators in quotes": lambda n: MSI + 'A="1 | 2" ' * (n // 10),
    "one long quoted value": lambda n: MSI + 'A="' + 'b""' * (n // 3) + '"',
    "folders before msiexec": lambda n: "$a\\msiexec " * (n // 11) + MSI + "A=1",
    "PowerShell list": lambda n: "Start-Process msiexec -ArgumentList " + "'A=1', " * (n // 7)
    + "'B=2'",
    "wrapped lines": lambda n: MSI + "\n" + "  A=1\n" * (n // 6),
}


def once(text: str) -> float:
    gc.collect()
    gc.disable()
    start = time.perf_counter()
    try:
        from_command_line(text)
    except ImportProblem:
        pass
    elapsed = time.perf_counter() - start
    gc.enable()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    met = True
    print(f"{'shape':<24} {'250 KB':>8} {'1 MB':>8} {'growth':>7}")
    for name, make in SHAPES.items():
        small, large = make(250_000), make(1_000_000)
        t_small = min(once(small) for _ in range(args.runs))
        t_large = min(once(large) for _ in range(args.runs))
        growth = t_large / max(t_small, 1e-6)
        ok = growth <= GROWTH_TARGET and t_large < SECONDS_TARGET
        met &= ok
        verdict = '' if ok else 'NOT met'
        print(f"{name:<24} {t_small:7.3f}s {t_large:7.3f}s {growth:6.1f}x {verdict}")
    print(f"target: growth <= {GROWTH_TARGET:.0f}x and 1 MB < {SECONDS_TARGET:.0f} s: "
          + ("met" if met else "NOT met"))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark (not a test): start-up of `mimsetup validate` and `mimsetup plan` against the bare
cost of `python -c "import pydantic, tomllib"`, measured in the same run, interleaved so that
machine noise hits all of them alike. Target: each ratio <= 1.5.

Both commands check with the compiled model (tui/model/twin.py, chosen by
`validation.quick()`). To tell whether it earns its weight, the same run also times `validate`
with the pydantic model instead ("validate-pydantic"). For reference the benchmark also times
`validate` on a fleet file (two hosts, each validated) and a one-field pydantic model alone:
what any command would cost that built a pydantic model class.

    python tests/bench/bench_cli_startup.py [--runs 15]

When a ratio is above the target, look at what costs time with
`python -X importtime -m tui validate answers/contoso.toml 2>&1 | sort -t'|' -k2 -n | tail`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = 1.5

COMMANDS = {
    "baseline": [sys.executable, "-c", "import pydantic, tomllib"],
    "validate": [sys.executable, "-m", "tui", "validate", "answers/contoso.toml"],
    "plan": [sys.executable, "-m", "tui", "plan", "answers/contoso.toml"],
    "fleet": [sys.executable, "-m", "tui", "validate", "answers/fleet-contoso.toml"],
    # `validate` as it would be without the compiled model: the pydantic model's validator.
    "validate-pydantic": [sys.executable, "-c",
                          "import sys\nfrom tui.model import validation\n"
                          "validation.quick = validation.pydantic\n"
                          "from tui.cli import main\n"
                          "sys.exit(main(['validate', 'answers/contoso.toml']))"],
    # For reference, not the target: what any use of a pydantic model costs. `import pydantic`
    # is lazy; the first BaseModel subclass loads pydantic.main and its schema machinery.
    "one-model": [sys.executable, "-c",
                  "import tomllib\nfrom pydantic import BaseModel\n"
                  "class A(BaseModel):\n    x: int"],
}


def run_once(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    r = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr.decode()[-500:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for cmd in COMMANDS.values():  # warm the bytecode caches and the OS file cache
        run_once(cmd, env)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.runs):
        for name, cmd in COMMANDS.items():
            times[name].append(run_once(cmd, env))
    median = {name: statistics.median(t) for name, t in times.items()}
    print(f"python: {sys.executable} ({sys.version.split()[0]}), {args.runs} runs each, median")
    for name, t in times.items():
        print(f"  {name:17s} median {median[name] * 1000:7.1f} ms  "
              f"(min {min(t) * 1000:6.1f}, max {max(t) * 1000:6.1f})")
    worst = 0.0
    for name in ("validate", "plan"):
        ratio = median[name] / median["baseline"]
        worst = max(worst, ratio)
        verdict = "ok" if ratio <= TARGET else f"ABOVE the {TARGET} target"
        print(f"  ratio {name}/baseline = {ratio:.2f}  {verdict}")
    pyd = median["validate-pydantic"] / median["baseline"]
    print(f"  without the compiled model: validate-pydantic/baseline = {pyd:.2f}  "
          + ("ok" if pyd <= TARGET else f"ABOVE the {TARGET} target: the compiled model is needed"))
    print(f"  (for reference: validating a fleet file {median['fleet'] / median['baseline']:.2f}x; "
          f"one pydantic model alone {median['one-model'] / median['baseline']:.2f}x, the floor "
          "had validate used the pydantic model)")
    if worst > TARGET:
        print("  where validate's time goes (-X importtime, self time, top 12):")
        for us, name in importtime(COMMANDS["validate"], env)[:12]:
            print(f"    {us / 1000:6.1f} ms  {name}")
    return 0 if worst <= TARGET else 1


def importtime(cmd: list[str], env: dict[str, str]) -> list[tuple[int, str]]:
    r = subprocess.run([cmd[0], "-X", "importtime", *cmd[1:]], cwd=ROOT, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    rows = []
    for line in r.stderr.splitlines():
        if line.startswith("import time:") and "self [us]" not in line:
            _, self_us, _, name = (part.strip() for part in line.replace(":", "|", 1).split("|"))
            rows.append((int(self_us), name))
    return sorted(rows, reverse=True)


if __name__ == "__main__":
    raise SystemExit(main())

"""Following the install log: mimsetup's tail (by byte offset, only the lines that matter,
one long-running command) beside the naive way (the whole log read again at every poll), against
the simulated target, for the reference log and one ten times its size, in one run.

Targets: mimsetup transfers at most 10% of the log's bytes; its request count grows with time,
not with the log's size; a log line reaches the client within 1 s of being written. And with
replies lost on the way (the simulated target hands a Receive's output out, then drops the
connection, as a read timeout or a reset does; WinRS never sends that output again), no line is
lost or repeated: 0 lines lost.

Run: python tests/bench/bench_follow.py [--seconds 12]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tui.engine import scripts  # noqa: E402
from tui.engine.events import LogLines  # noqa: E402
from tui.engine.install import InstallRequest, follow, start  # noqa: E402
from tui.engine.progress import phases_for  # noqa: E402
from tui.engine.shell import RemoteShell  # noqa: E402
from tui.engine.sim.install_script import installer_of  # noqa: E402
from tui.engine.sim.machine import ScriptRun, WindowsMachine  # noqa: E402
from tui.engine.sim.target import SimTarget  # noqa: E402
from tui.model.msi import build_plan  # noqa: E402
from tui.model.validation import read_file  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
POLL = 0.5
NAIVE = "# mimsetup-script: naive-read-log\n# the naive way: send the whole log every time\n"


def naive_read(run: ScriptRun) -> int:
    """What a naive follower runs at every poll: Get-Content of the whole log, and the status."""
    log = run.state.path(run.params["log_path"])
    status = run.state.path(run.params["status_path"])
    data = log.read_bytes() if log.exists() else b""
    done = json.loads(status.read_text()) if status.exists() else {}
    run.out.stdout(json.dumps({"log": base64.b64encode(data).decode(), "status": done}) + "\n")
    return 0


def _request(a, target) -> InstallRequest:
    plan = build_plan(a)
    ep = target.endpoint
    return InstallRequest(plan, {k: "bench-pw" for k in plan.secret_properties()}, ep.user,
                          ep.password, target={"host": ep.host},
                          phases=[str(p) for p in phases_for(a.components.features())])


def _latencies(replayer, received: list[tuple[float, str]]) -> list[float]:
    """For each received line, seconds from its scheduled write to its arrival."""
    out, i = [], 0
    script = replayer.script
    for when, line in received:
        while i < len(script) and script[i].text != line:
            i += 1
        if i == len(script):
            break
        out.append(when - (replayer.started_at + replayer.due(i)))
        i += 1
    return out


def run_once(method: str, scale: int, seconds: float) -> dict:
    a = read_file(ROOT / "answers" / "contoso.toml").answers
    machine = WindowsMachine(answers=a, scripts={"naive-read-log": naive_read})
    inst = installer_of(machine)
    inst.scale = scale
    with SimTarget(machine=machine) as target:
        ep = target.endpoint.client_endpoint()
        # The same wall time whatever the size: a bigger log is written faster.
        from tui.engine.sim.logreplay import build_script

        inst.speed = build_script(0, scale=scale)[-1].at / seconds
        received: list[tuple[float, str]] = []
        with RemoteShell(ep) as shell:
            state = start(shell, _request(a, target))
            before_bytes = target.counters.receive_bytes
            before_requests = target.counters.http_requests
            t0 = time.monotonic()
            if method == "mimsetup":
                def emit(event):
                    if isinstance(event, LogLines):
                        now = time.monotonic()
                        received.extend((now, line) for line in event.lines)

                follow(lambda: RemoteShell(ep), state, emit, shell=shell)
            else:
                while True:
                    payload = {"script": NAIVE, "params": {"log_path": state.log_path,
                                                           "status_path": state.status_path}}
                    result = shell.run(scripts.POWERSHELL, scripts.bootstrap_args(),
                                       stdin=(json.dumps(payload) + "\n").encode())
                    doc = json.loads(result.stdout.strip().splitlines()[-1])
                    if doc["status"].get("state") == "done":
                        break
                    time.sleep(POLL)
            elapsed = time.monotonic() - t0
            transferred = target.counters.receive_bytes - before_bytes
            requests = target.counters.http_requests - before_requests
        inst.wait(30)
        log_bytes = inst.replayer.bytes_written
        lat = _latencies(inst.replayer, received) if received else []
    machine.close()
    return {"method": method, "scale": scale, "log_bytes": log_bytes,
            "transferred": transferred, "requests": requests, "seconds": elapsed,
            "lat_p50": statistics.median(lat) if lat else None,
            "lat_max": max(lat) if lat else None, "lines": len(received)}


def run_with_losses(seconds: float, every: int = 2) -> dict:
    """Follow the reference install while every `every`th batch of lines arms one lost reply."""
    from tests.support.sim import expected_lines

    a = read_file(ROOT / "answers" / "contoso.toml").answers
    machine = WindowsMachine(answers=a)
    inst = installer_of(machine)
    from tui.engine.sim.logreplay import build_script

    inst.speed = build_script(0, scale=1)[-1].at / seconds
    received: list[str] = []
    with SimTarget(machine=machine) as target:
        ep = target.endpoint.client_endpoint()
        batches = 0

        def emit(event):
            nonlocal batches
            if isinstance(event, LogLines):
                received.extend(event.lines)
                batches += 1
                if batches % every == 0:
                    target.faults.lose_reply("Receive")

        with RemoteShell(ep) as shell:
            state = start(shell, _request(a, target))
            follow(lambda: RemoteShell(ep), state, emit, shell=shell)
        losses = target.counters.faults_fired["lose"]
    inst.wait(30)
    expected = expected_lines(machine, state.log_path)
    machine.close()
    lost = sum(1 for line in set(expected) if received.count(line) < expected.count(line))
    repeated = sum(1 for line in set(received) if received.count(line) > expected.count(line))
    return {"losses": losses, "expected": len(expected), "received": len(received),
            "lost": lost, "repeated": repeated}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=12.0, help="wall time of each replay")
    args = p.parse_args()
    os.environ.setdefault("MIMSETUP_STATE_DIR", tempfile.mkdtemp(prefix="mimsetup-bench-"))
    rows = [run_once(m, s, args.seconds) for s in (1, 10) for m in ("mimsetup", "naive")]
    print(f"{'log':<8}{'method':<10}{'log bytes':>12}{'transferred':>13}{'share':>8}"
          f"{'requests':>10}{'seconds':>9}{'latency p50/max (s)':>22}")
    for r in rows:
        lat = (f"{r['lat_p50']:.2f} / {r['lat_max']:.2f}" if r["lat_p50"] is not None
               else "(whole log)")
        print(f"x{r['scale']:<7}{r['method']:<10}{r['log_bytes']:>12,}{r['transferred']:>13,}"
              f"{r['transferred'] / r['log_bytes']:>8.1%}{r['requests']:>10}"
              f"{r['seconds']:>9.1f}{lat:>22}")
    ours = {r["scale"]: r for r in rows if r["method"] == "mimsetup"}
    naive = {r["scale"]: r for r in rows if r["method"] == "naive"}
    print()
    for s in (1, 10):
        print(f"x{s}: mimsetup transfers {ours[s]['transferred'] / naive[s]['transferred']:.1%} "
              f"of the naive way's bytes")
    print(f"requests x10/x1: mimsetup {ours[10]['requests'] / ours[1]['requests']:.2f}, "
          f"naive {naive[10]['requests'] / naive[1]['requests']:.2f} (same wall time)")
    worst = max(ours[s]["lat_max"] for s in (1, 10))
    ok = all(ours[s]["transferred"] <= 0.10 * ours[s]["log_bytes"] for s in (1, 10)) and worst < 1
    print(f"targets (<= 10% of the log's bytes, latency < 1 s): {'met' if ok else 'NOT met'}")
    lossy = run_with_losses(args.seconds)
    print()
    print(f"with {lossy['losses']} replies lost on the way: {lossy['received']} of "
          f"{lossy['expected']} lines received, {lossy['lost']} lost, {lossy['repeated']} "
          "repeated")
    whole = lossy["losses"] > 0 and lossy["lost"] == 0 and lossy["repeated"] == 0
    print(f"target (0 lines lost or repeated under reply losses): {'met' if whole else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

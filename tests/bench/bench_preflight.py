"""Benchmark (a script, not a test): the pre-flight's cost against the simulated target, beside the
naive way of asking the same questions.

  pre-flight  one RemoteShell, one command (preflight.ps1 through the bootstrap, params on stdin),
              whatever the number of checks;
  naive       `winrm.Session.run_ps` once per check: a new HTTP session (NTLM logon), a new shell,
              one command and its deletion for every check. Each check is its own small script:
              a `# mimsetup-check: <id>` header, the parameters inlined, and that check's block
              cut from preflight.ps1 (the simulated target recognises the header and runs that one
              check's emulation).

Both talk to the same simulated Windows server over loopback with the real pywinrm client, NTLM
with message encryption over HTTP (or HTTPS with --https). Round trips are HTTP requests as the
server counted them (logon handshakes included), so the columns compare what a network would see;
the pre-flight's own report of its cost must say the same. Last, one run with its first Receive
reply lost on the way (WinRS does not send output twice): the pre-flight only reads, so it is run
again and reports every check.

    PYTHONPATH=. python tests/bench/bench_preflight.py [--https] [--repeat 3] [--scenario NAME]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import winrm  # noqa: E402

from tui.engine import outcomes, scripts  # noqa: E402
from tui.engine.preflight import (  # noqa: E402
    CHECKS,
    count_connection,
    preflight_params,
    run_preflight,
)
from tui.engine.shell import RemoteShell  # noqa: E402
from tui.engine.sim.machine import WindowsMachine  # noqa: E402
from tui.engine.sim.target import SimTarget  # noqa: E402
from tui.model.validation import read_file  # noqa: E402


def check_block(check_id: str, text: str) -> str:
    """The `Test-Step '<id>' { ... }` block of preflight.ps1, or a stand-in line for the checks
    written in a loop."""
    start = text.find(f"Test-Step '{check_id}' {{")
    if start < 0:
        return f"# the '{check_id}' check of preflight.ps1 (written in a loop there)\n"
    depth = 0
    for i in range(text.index("{", start), len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[start : i + 1] + "\n"
    return text[start:] + "\n"


def check_script(check_id: str, params: dict, text: str) -> str:
    inline = json.dumps(params, separators=(",", ":")).replace("'", "''")
    return (
        f"# mimsetup-check: {check_id}\n"
        f"$Params = '{inline}' | ConvertFrom-Json\n"
        + check_block(check_id, text)
    )


def counted(target: SimTarget) -> tuple[int, int, int]:
    c = target.counters
    return c.http_requests, sum(c.requests.values()), c.ntlm_handshakes


def bench_preflight(target: SimTarget, answers) -> dict:
    before = counted(target)
    commands = target.counters.commands_started
    t0 = time.perf_counter()
    with RemoteShell(target.endpoint.client_endpoint()) as shell:
        report = run_preflight(shell, answers)
    wall = time.perf_counter() - t0
    count_connection(report, shell)
    after = counted(target)
    return {
        "wall": wall,
        "http": after[0] - before[0],
        "wsman": after[1] - before[1],
        "logons": after[2] - before[2],
        "commands": target.counters.commands_started - commands,
        "shells": 1,
        "statuses": {c.id: c.status for c in report.checks},
        # What the pre-flight itself reports (the CLI prints it): must equal the server's.
        "reported": (report.requests, report.logons, report.shells),
    }


def bench_lost_reply(target: SimTarget, answers) -> dict:
    """The pre-flight with its first Receive reply lost on the way (output handed out, gone)."""
    commands = target.counters.commands_started
    target.faults.lose_reply("Receive")
    with RemoteShell(target.endpoint.client_endpoint()) as shell:
        report = run_preflight(shell, answers)
    return {"checks": len(report.checks), "reruns": shell.reruns,
            "commands": target.counters.commands_started - commands,
            "statuses": {c.id: c.status for c in report.checks}}


def bench_naive(target: SimTarget, answers) -> dict:
    ep = target.endpoint
    # The checks of other computers run as the install account with its password, as in the
    # pre-flight; done naively, that password rides on every check's command line (simulated).
    params = {**preflight_params(answers), "run_as_user": ep.user, "run_as_password": ep.password}
    text = scripts.text("preflight")
    before = counted(target)
    commands = target.counters.commands_started
    statuses: dict[str, str] = {}
    sizes = []
    t0 = time.perf_counter()
    for check_id in CHECKS:
        session = winrm.Session(
            ep.url,
            auth=(ep.user, ep.password),
            transport="ntlm",
            server_cert_validation="validate",
            ca_trust_path=str(ep.ca_path) if ep.ca_path else None,
        )
        body = check_script(check_id, params, text)
        sizes.append(len(body))
        result = session.run_ps(body)
        found = json.loads(result.std_out)
        statuses[check_id] = outcomes.word("preflight", check_id, found["reason"],
                                           found["values"]).status
    wall = time.perf_counter() - t0
    after = counted(target)
    return {
        "wall": wall,
        "http": after[0] - before[0],
        "wsman": after[1] - before[1],
        "logons": after[2] - before[2],
        "commands": target.counters.commands_started - commands,
        "shells": len(CHECKS),
        "statuses": statuses,
        "script_chars": statistics.mean(sizes),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--https", action="store_true", help="HTTPS instead of sealed HTTP")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each; the median is shown")
    ap.add_argument("--scenario", default="healthy")
    ap.add_argument("--answers", default=str(ROOT / "answers" / "contoso.toml"))
    args = ap.parse_args(argv)

    answers = read_file(args.answers).answers
    if answers is None:
        print(f"{args.answers} is not a valid answer file", file=sys.stderr)
        return 2
    with WindowsMachine(args.scenario, answers=answers) as machine, SimTarget(
        machine=machine, https=args.https
    ) as target:
        pre = [bench_preflight(target, answers) for _ in range(args.repeat)]
        naive = [bench_naive(target, answers) for _ in range(args.repeat)]
        lossy = bench_lost_reply(target, answers)

    def med(runs: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in runs)

    same = pre[0]["statuses"] == naive[0]["statuses"]
    transport = "HTTPS" if args.https else "HTTP + NTLM message encryption"
    print(f"Pre-flight against the simulated target ({transport}, scenario {args.scenario}), "
          f"{len(CHECKS)} checks, median of {args.repeat} runs")
    rows = [
        ("HTTP requests", "http", "{:.0f}"),
        ("  of which WS-Man messages", "wsman", "{:.0f}"),
        ("NTLM logons", "logons", "{:.0f}"),
        ("shells opened", "shells", "{:.0f}"),
        ("commands run", "commands", "{:.0f}"),
        ("wall time (ms)", "wall", "{:.1f}"),
    ]
    print(f"{'':30}{'pre-flight':>12}{'naive':>12}{'naive / pre-flight':>20}")
    for label, key, fmt in rows:
        a, b = med(pre, key), med(naive, key)
        if key == "wall":
            a, b = a * 1000, b * 1000
        ratio = f"{b / a:.1f}x" if a else "-"
        print(f"{label:30}{fmt.format(a):>12}{fmt.format(b):>12}{ratio:>20}")
    print(f"naive check script: {naive[0]['script_chars']:.0f} characters on average, sent on the "
          "command line (base64 UTF-16: x2.7)")
    print(f"same statuses from both ways: {'yes' if same else 'NO'}")
    if not same:
        diff = {k: (pre[0]["statuses"].get(k), v) for k, v in naive[0]["statuses"].items()
                if pre[0]["statuses"].get(k) != v}
        print(f"  differences: {diff}")
    honest = all(r["reported"] == (r["http"], r["logons"], r["shells"]) for r in pre)
    requests, logons, shells = pre[0]["reported"]
    print(f"the pre-flight reports {requests} HTTP requests, {logons} logon(s), {shells} "
          f"shell(s); the server counted the same: {'met' if honest else 'NOT met'}")
    rerun_ok = lossy["statuses"] == pre[0]["statuses"] and lossy["reruns"] == 1
    print(f"with its report lost on the way: run {lossy['commands']} times, "
          f"{lossy['checks']} checks, same statuses: {'met' if rerun_ok else 'NOT met'}")
    # Anything naming the check count in the pre-flight's column would be a regression.
    assert all(r["commands"] == 1 for r in pre), "the pre-flight must be one command"
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())

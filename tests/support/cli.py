"""The command line as the tests run it."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.support.paths import ROOT


def cli_env() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("MIMSETUP_DEBUG", None)
    return env


# What a command may take over for its run (apply's Ctrl+C detaches, for example).
_SIGNALS = [getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)]


@dataclass
class Ran:
    """What a command did: its exit status and what it printed (like a CompletedProcess)."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, input: str | None = None, cwd: Path | None = None,
            env: dict[str, str] | None = None, timeout: float | None = None) -> Ran:
    """`mimsetup ARGS` in this process: tui.cli.main with its own standard input (`input`, never
    a terminal), output, working folder and environment, restored afterwards. A real process
    adds nothing for most commands (tests that need one use run_cli_process); `timeout` is the
    per-test timeout's job here and is accepted for the callers' symmetry."""
    from tui.cli import main

    saved_env, saved_cwd = dict(os.environ), Path.cwd()
    saved_streams = sys.stdin, sys.stdout, sys.stderr
    saved_signals = {s: signal.getsignal(s) for s in _SIGNALS}
    out, err = io.StringIO(), io.StringIO()
    os.environ.pop("MIMSETUP_DEBUG", None)
    os.environ.update(env or {})
    try:
        os.chdir(cwd or ROOT)
        sys.stdin, sys.stdout, sys.stderr = io.StringIO(input or ""), out, err
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        for s, handler in saved_signals.items():
            signal.signal(s, handler)
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    return Ran(list(args), code, out.getvalue(), err.getvalue())


def run_cli_process(
    *args: str, input: str | None = None, cwd: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    """`mimsetup ARGS` through the console script pip installed beside this interpreter, in a
    real process: for what only a process shows (its exit status, the modules it loads)."""
    script = Path(sys.executable).with_name("mimsetup.exe" if os.name == "nt" else "mimsetup")
    return subprocess.run(
        [str(script), *args],
        input=input,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        cwd=cwd or ROOT,
        env=cli_env(),
        timeout=timeout,
        check=False,
    )


def mimsetup_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """What a command run in `tmp_path` finds in its environment besides the test's: its own
    state folder, and the sentinel in $MIM_PW (the answers of sim.answers_for read every
    password from there)."""
    from tests.support.answers import SENTINEL

    return {"MIMSETUP_STATE_DIR": str(tmp_path / "state"), "MIM_PW": SENTINEL, **extra}


def mimsetup(args: list[str], tmp_path: Path, timeout: float | None = None, **env: str) -> Ran:
    """`mimsetup ARGS` in this process, in `tmp_path`, with mimsetup_env (and `env`)."""
    return run_cli(*args, cwd=tmp_path, env=mimsetup_env(tmp_path, **env))


# A user's Ctrl+C interrupts: SIGINT as an interactive terminal has it, whatever the test run
# inherited (a shell's background job, for one, starts with SIGINT ignored, and Python then
# never raises KeyboardInterrupt).
_INTERACTIVE = ("import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
                "from tui.cli import main; sys.exit(main(sys.argv[1:]))")


def popen_mimsetup(args: list[str], tmp_path: Path, **env: str) -> subprocess.Popen:
    """`mimsetup ARGS` started in a real process in `tmp_path` (for signals: Ctrl+C), its output
    piped as text, no standard input."""
    return subprocess.Popen([sys.executable, "-c", _INTERACTIVE, *args], cwd=tmp_path,
                            env={**cli_env(), **mimsetup_env(tmp_path, **env)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL)

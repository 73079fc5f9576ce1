"""The runner's scenarios as an admin meets them: `mimsetup demo --headless --scenario NAME`, the
real CLI (in process) against the simulated target."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.support.cli import mimsetup
from tests.support.paths import CONTOSO
from tui.model.tomlio import dump_data

SENTINEL = "S3ntinel-Verb0se!"


def _demo(tmp_path: Path, scenario: str, *extra: str, **env: str):
    # In process; the install replayed fast where its pace does not matter (the runner dies
    # partway through an install at the simulated server's own pace).
    fast = {} if scenario == "runner-dies" else {"MIMSETUP_DEMO_SPEED": "1000"}
    return mimsetup(["demo", "--headless", "--scenario", scenario, *extra], tmp_path,
                    **fast, **env)


@pytest.mark.parametrize(("scenario", "code", "words"), [
    ("runner-dies", 1, "install runner"),
    ("execution-policy-allsigned", 0, "installed successfully"),
    ("stale-log", 0, "installed successfully"),
    ("localized-log", 0, "installed successfully"),
    ("ansi-log", 0, "Rückgabewert"),
])
def test_runner_scenarios(tmp_path, scenario, code, words):
    r = _demo(tmp_path, scenario)
    out = r.stdout + r.stderr
    assert r.returncode == code, out[-3000:]
    assert words in out and "Traceback" not in out
    if scenario == "stale-log":
        assert "Return value 3" not in out and "DEVELOP" not in out
    if scenario == "ansi-log":
        assert "R\ufffdckgabewert" not in out and "RÃ¼ck" not in out


def test_verbose_log_with_passwords_from_the_environment(tmp_path):
    data = tomllib.loads(CONTOSO.read_text(encoding="utf-8"))
    for section in ("service_account", "registration_portal", "reset_portal"):
        data[section]["password"] = {"env": "MIM_VERBOSE_PW"}
    answers = tmp_path / "mim.toml"
    answers.write_text(dump_data(data), encoding="utf-8")
    r = _demo(tmp_path, "verbose-log", str(answers), "--report", str(tmp_path / "report.md"),
              MIM_VERBOSE_PW=SENTINEL)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-3000:]
    assert SENTINEL not in out
    for path in tmp_path.rglob("*"):
        if path.is_file() and path != answers:
            blob = path.read_bytes()
            assert SENTINEL.encode() not in blob and SENTINEL.encode("utf-16-le") not in blob, path

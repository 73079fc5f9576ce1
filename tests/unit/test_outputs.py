"""Outputs never replace a file without --force, never the answer file in use (#12.8), and a
write that cannot be done is one sentence naming the path and the cause, exit 2, with nothing
half-written left behind (#12.11)."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import cli_env, run_cli
from tests.support.paths import CONTOSO, ROOT

IMPORT_LINE = ('msiexec /i "Service and Portal.msi" /qn ADDLOCAL=CommonServices '
               "SQLSERVER_SERVER=corpsql SERVICE_ACCOUNT_NAME=MIMService "
               "SERVICE_ACCOUNT_DOMAIN=contoso SERVICE_ACCOUNT_PASSWORD=Secret-1 "
               "SERVICE_ACCOUNT_EMAIL=MIMService@contoso.local MAIL_SERVER=localhost")


def _one_sentence(r, *says: str) -> str:
    err = r.stderr
    assert r.returncode == 2, r.stdout + err
    assert "internal error" not in err and "Traceback" not in err, err
    for s in says:
        assert s in err, err
    return err


def test_schema_does_not_replace_a_file_without_force(tmp_path):
    out = tmp_path / "mine.json"
    out.write_text("mine", encoding="utf-8")
    _one_sentence(run_cli("schema", "-o", str(out)), str(out), "exists", "--force")
    assert out.read_text(encoding="utf-8") == "mine"
    assert run_cli("schema", "-o", str(out), "--force").returncode == 0
    assert out.read_text(encoding="utf-8").startswith("{")


def test_a_report_never_replaces_the_answer_file(tmp_path):
    answers = tmp_path / "mine.toml"
    answers.write_bytes(CONTOSO.read_bytes())
    for force in ([], ["--force"]):
        r = run_cli("demo", "--headless", "--report", str(answers), str(answers), *force,
                    cwd=tmp_path)
        _one_sentence(r, "answer file in use")
    assert answers.read_bytes() == CONTOSO.read_bytes()


def test_an_existing_report_is_refused_before_anything_runs(tmp_path):
    (tmp_path / "out.json").write_text("{}", encoding="utf-8")
    r = run_cli("apply", str(CONTOSO), "--yes", "--report", str(tmp_path / "out.md"),
                cwd=tmp_path)
    _one_sentence(r, "out.json exists", "--force")  # not a connection attempt first
    assert (tmp_path / "out.json").read_text(encoding="utf-8") == "{}"


def test_import_into_a_folder_leaves_nothing(tmp_path):
    folder = tmp_path / "DIR"
    folder.mkdir()
    r = run_cli("import", IMPORT_LINE, "-o", str(folder), "--force")
    _one_sentence(r, str(folder), "it is a folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["DIR"]


@pytest.mark.parametrize("args", [
    ["schema", "-o", "{missing}/x.json"],
    ["import", IMPORT_LINE, "-o", "{missing}/mim.toml"],
    ["export", "powershell", str(CONTOSO), "-o", "{missing}/install.ps1"],
])
def test_a_missing_folder_is_named(tmp_path, args):
    missing = tmp_path / "no" / "such"
    r = run_cli(*[a.replace("{missing}", str(missing)) for a in args])
    _one_sentence(r, str(missing), "does not exist")
    assert not (tmp_path / "no").exists()


def _read_only_folder(tmp_path: Path) -> Path:
    """A folder this process cannot create files in: a 0500 folder, or (as root, whom modes do
    not stop) /sys, where the kernel refuses new files."""
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    if os.geteuid() == 0:
        return Path("/sys")
    return folder


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes and /sys")
def test_a_read_only_place_is_named(tmp_path):
    folder = _read_only_folder(tmp_path)
    r = run_cli("schema", "-o", str(folder / "x.json"))
    _one_sentence(r, str(folder / "x.json"), "permission denied")


def _limited(limit: int):
    def start() -> None:  # the file size limit makes a write fail as a full disk would
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return start


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file size limit")
def test_a_failed_write_leaves_no_file_behind(tmp_path):
    """The secrets file (small) is written, the answer file (larger) fails: neither stays."""
    out = tmp_path / "mim.toml"
    r = subprocess.run([sys.executable, "-m", "tui", "import", IMPORT_LINE, "-o", str(out)],
                       cwd=ROOT, env=cli_env(), capture_output=True, text=True, timeout=60,
                       preexec_fn=_limited(600), check=False)
    _one_sentence(r, str(out), "file size limit")
    assert list(tmp_path.iterdir()) == []

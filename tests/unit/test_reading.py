"""Files the user names are read with a size limit that holds for devices and FIFOs too
(#12.10): /dev/zero would be read until memory ran out, a FIFO would wait forever for a
writer. Each is refused at once with a sentence."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tui.model.reading import ReadRefused, read_limited
from tui.model.secrets import SecretRef, SecretUnavailable, resolve

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="/dev/zero and mkfifo")


@pytest.fixture
def fifo(tmp_path) -> Path:
    path = tmp_path / "answers.toml"
    os.mkfifo(path)
    return path


def test_read_limited_refuses_what_is_no_regular_file(tmp_path, fifo):
    for path, says in ((Path("/dev/zero"), "a device"), (fifo, "a pipe"),
                       (tmp_path, "a directory")):
        with pytest.raises(ReadRefused) as exc:
            read_limited(path)
        assert says in exc.value.strerror
    big = tmp_path / "big"
    big.write_bytes(b"a" * 2048)
    with pytest.raises(ReadRefused, match="larger than 1 KiB"):
        read_limited(big, limit=1024)
    assert read_limited(big, limit=2048) == b"a" * 2048


@pytest.mark.parametrize("command", [["validate"], ["plan"], ["import", "--from-file"],
                                     ["export", "powershell"]])
@pytest.mark.parametrize("which", ["/dev/zero", "fifo"])
def test_commands_refuse_devices_and_fifos_at_once(command, which, fifo):
    path = str(fifo) if which == "fifo" else which
    r = run_cli(*command, path, timeout=30)
    assert r.returncode == 2, r.stdout + r.stderr
    out = r.stdout + r.stderr
    assert ("a device" if which == "/dev/zero" else "a pipe") in out, out
    assert "internal error" not in out


def test_a_fleet_base_that_is_a_device_or_fifo(tmp_path, fifo):
    for base in ("/dev/zero", fifo.name):
        fleet = tmp_path / "fleet.toml"
        fleet.write_text(f'schema_version = 1\nkind = "fleet"\nbase = "{base}"\n'
                         '[hosts.one.target]\nhost = "one"\n', encoding="utf-8")
        r = run_cli("validate", str(fleet), timeout=30)
        assert r.returncode in (1, 2) and ("a device" in r.stdout or "a pipe" in r.stdout), (
            r.stdout + r.stderr)


def test_a_password_file_that_is_a_fifo_or_device(fifo):
    for path in (str(fifo), "/dev/zero"):
        outcome: list[BaseException] = []

        def run(path=path, outcome=outcome) -> None:
            try:
                resolve(SecretRef(file=path), "the password")
            except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
                outcome.append(exc)

        t = threading.Thread(target=run, daemon=True)
        t.start()
        t.join(20)
        assert not t.is_alive(), f"reading {path} did not return"
        assert outcome and isinstance(outcome[0], SecretUnavailable), outcome


def test_edit_refuses_a_fifo(fifo):
    from tui.commands import wizard

    app = wizard.build(str(fifo))
    assert isinstance(app, str) and "a pipe" in app

"""The real ansible.windows collection, for the tests of `mimsetup export ansible`.

Ansible Galaxy is unreachable here, PyPI is not: the pinned community bundle (`ansible`, see
ansible-bundle.txt beside this file) ships the collection. pip downloads that one wheel
(`--require-hashes`: pip refuses any other file), the hash is checked again here, and only
`ansible_collections/ansible/windows/` is unpacked, into the virtual environment (`make test`
does it once, before the workers start; a test that finds it missing does it itself). Nothing
stands in for a module: a module the collection does not have fails `--syntax-check`.

    python -m tests.support.ansible_windows     # unpack it (idempotent), print its path
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PIN = Path(__file__).with_name("ansible-bundle.txt")
COLLECTION = "ansible.windows"
COLLECTION_VERSION = "3.3.0"  # what the pinned bundle ships (its MANIFEST.json, checked)
_MEMBERS = "ansible_collections/ansible/windows/"


def pinned() -> tuple[str, str]:
    """(name==version, sha256) of the bundle wheel, read from ansible-bundle.txt."""
    for line in PIN.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            req, _, digest = line.partition(" --hash=sha256:")
            return req.strip(), digest.strip()
    raise RuntimeError(f"{PIN}: no requirement line")


def tool(name: str) -> str:
    """An Ansible command of the test environment (ansible-core is in the test extra)."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    assert found is not None, f"{name} is missing: ansible-core is in the test extra"
    return found


def ansible_env(tmp: Path, collections: Path | None = None) -> dict[str, str]:
    """The environment for an Ansible command: no ANSIBLE_* of this machine, a HOME of its own,
    and only `collections` (default: the real ansible.windows) as collections: not those of
    site-packages (an `ansible` bundle installed there would hide the pinned one)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update(ANSIBLE_COLLECTIONS_PATH=str(collections or collections_path()),
               ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
               ANSIBLE_LOCAL_TEMP=str(tmp / "ansible-tmp"), HOME=str(tmp),
               ANSIBLE_NOCOLOR="1")
    return env


def collections_path() -> Path:
    """A folder for ANSIBLE_COLLECTIONS_PATH holding the real ansible.windows (unpacked once)."""
    req, digest = pinned()
    name = f"{req.replace('==', '-')}-{digest[:12]}"
    root = Path(sys.prefix) / "mimsetup-test-collections" / name
    if _version(root) == COLLECTION_VERSION:
        return root
    root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root.parent) as tmp:
        wheel = _download(req, Path(tmp) / "wheel")
        got = hashlib.sha256(wheel.read_bytes()).hexdigest()
        if got != digest:
            raise RuntimeError(f"{wheel.name}: sha256 {got}, {PIN.name} pins {digest}")
        staged = Path(tmp) / "staged"
        with zipfile.ZipFile(wheel) as z:
            names = [n for n in z.namelist() if n.startswith(_MEMBERS)]
            if not names:
                raise RuntimeError(f"{wheel.name} holds no {_MEMBERS}")
            z.extractall(staged, names)
        if _version(staged) != COLLECTION_VERSION:
            raise RuntimeError(f"{wheel.name} ships {COLLECTION} {_version(staged)}, the tests "
                               f"expect {COLLECTION_VERSION}: update COLLECTION_VERSION")
        try:
            os.replace(staged, root)  # atomic: a parallel worker may have done it first
        except OSError:
            if _version(root) != COLLECTION_VERSION:
                raise
    return root


def _version(root: Path) -> str | None:
    manifest = root / _MEMBERS / "MANIFEST.json"
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))["collection_info"]["version"]
    except (OSError, ValueError, KeyError):
        return None


def _download(req: str, dest: Path) -> Path:
    # pip checks the hash too (a requirements file with --hash implies --require-hashes)
    r = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--only-binary=:all:", "--disable-pip-version-check", "-d", str(dest),
                        "-r", str(PIN)],
                       capture_output=True, text=True, check=False, timeout=900)
    wheels = sorted(dest.glob("*.whl"))
    if r.returncode != 0 or len(wheels) != 1:
        raise RuntimeError(f"pip could not download {req} ({PIN}):\n{r.stdout}{r.stderr}")
    return wheels[0]


if __name__ == "__main__":
    print(collections_path())

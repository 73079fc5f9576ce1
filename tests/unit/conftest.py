"""Fixtures of the answer-file unit tests (helpers are in tests/support/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.answers import contoso_data
from tests.support.cli import run_cli
from tests.support.paths import ANSWERS


@pytest.fixture
def data() -> dict[str, Any]:
    return contoso_data()


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """answers/fleet-contoso.toml exported as an Ansible project (once per test module)."""
    out = tmp_path_factory.mktemp("export") / "mim-ansible"
    r = run_cli("export", "ansible", str(ANSWERS / "fleet-contoso.toml"), "-o", str(out))
    assert r.returncode == 0, r.stderr
    return out

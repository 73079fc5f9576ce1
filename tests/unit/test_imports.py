"""`validate` and `plan` never load the terminal UI or the WinRM stack, nor pydantic's model
machinery (they use the compiled model), nor what only other commands need (LAZY): checked in a
fresh interpreter, on sys.modules after the command ran, and with -X importtime."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.cli import cli_env
from tests.support.paths import ROOT

FORBIDDEN = ("textual", "winrm", "requests", "requests_ntlm", "spnego")
# pydantic's model machinery: what the compiled model spares these commands
MODEL_MACHINERY = ("pydantic.main", "pydantic.fields", "tui.model.answers")
# What only other commands need, imported where it is used (a start-up cost otherwise: #11.5's
# target is `validate` and `plan` <= 1.5x `import pydantic, tomllib`): threads (following an
# install), writing TOML (import, the wizard), writing outputs (reports, schema -o, exports).
LAZY = ("threading", "tomli_w", "tui.model.outputs", "tui.model.atomic",
        "shutil", "bz2", "lzma")  # shutil: argparse's default width (tui.cli._formatter)
# `validate` reads answer and fleet files alone; `plan` also picks a fleet's hosts
NOT_FOR_VALIDATE = ("tui.commands.hosts",)

WRAPPER = """
import json, sys
from tui.cli import main
code = main(sys.argv[2:])
with open(sys.argv[1], "w") as f:
    json.dump(sorted(sys.modules), f)
sys.exit(code)
"""


def _loaded(tmp_path, *args: str) -> list[str]:
    out = tmp_path / "modules.json"
    r = subprocess.run([sys.executable, "-c", WRAPPER, str(out), *args], capture_output=True,
                       text=True, cwd=ROOT, env=cli_env(), timeout=60, check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def _forbidden(modules) -> list[str]:
    return [m for m in modules if m.split(".")[0] in FORBIDDEN]


@pytest.mark.parametrize(
    "args",
    [
        ("validate", "answers/contoso.toml"),
        ("validate", "--json", "answers/contoso.toml", "answers/portal-sspr.toml"),
        ("plan", "answers/contoso.toml"),
        ("plan", "--format", "json", "answers/exchange-online.toml"),
    ],
)
def test_validate_and_plan_import_no_ui_and_no_winrm(tmp_path, args):
    modules = _loaded(tmp_path, *args)
    assert "tui.model.crossfield" in modules  # the command really ran
    assert _forbidden(modules) == []
    assert [m for m in MODEL_MACHINERY if m in modules] == []
    assert [m for m in LAZY if m in modules] == []
    if args[0] == "validate":
        assert [m for m in NOT_FOR_VALIDATE if m in modules] == []


def test_validate_with_a_fleet_file_uses_the_compiled_model_too(tmp_path):
    modules = _loaded(tmp_path, "validate", "answers/fleet-contoso.toml")
    assert "tui.model.fleet" in modules
    assert [m for m in MODEL_MACHINERY if m in modules] == []
    assert [m for m in (*LAZY, *NOT_FOR_VALIDATE) if m in modules] == []


def test_importtime_agrees():
    for args in (("validate", "answers/contoso.toml"), ("plan", "answers/contoso.toml")):
        r = subprocess.run([sys.executable, "-X", "importtime", "-m", "tui", *args],
                           capture_output=True, text=True, cwd=ROOT, env=cli_env(), timeout=60,
                           check=False)
        assert r.returncode == 0, r.stderr
        imported = [line.rsplit("|", 1)[-1].strip() for line in r.stderr.splitlines()
                    if line.startswith("import time:")]
        assert "pydantic_core" in imported
        assert _forbidden(imported) == []
        assert [m for m in MODEL_MACHINERY if m in imported] == []
        assert [m for m in LAZY if m in imported] == []


def test_the_check_can_fail(tmp_path):
    """The same probe sees textual when something imports it."""
    out = tmp_path / "m.json"
    code = WRAPPER.replace("code = main(", "import textual\ncode = main(")
    r = subprocess.run([sys.executable, "-c", code, str(out), "validate", "answers/contoso.toml"],
                       capture_output=True, text=True, cwd=ROOT, env=cli_env(), timeout=60,
                       check=False)
    assert r.returncode == 0, r.stderr
    assert "textual" in _forbidden(json.loads(out.read_text(encoding="utf-8")))


def test_the_lazy_check_can_fail(tmp_path):
    """The same probe sees a lazily imported module when the command path imports it."""
    out = tmp_path / "m.json"
    code = WRAPPER.replace("code = main(", "import threading, tui.commands.hosts\ncode = main(")
    r = subprocess.run([sys.executable, "-c", code, str(out), "validate", "answers/contoso.toml"],
                       capture_output=True, text=True, cwd=ROOT, env=cli_env(), timeout=60,
                       check=False)
    assert r.returncode == 0, r.stderr
    loaded = json.loads(out.read_text(encoding="utf-8"))
    assert "threading" in loaded and "tui.commands.hosts" in loaded

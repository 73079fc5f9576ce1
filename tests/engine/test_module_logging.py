"""No password reaches a cmdlet's parameters in any shipped script: Module Logging (event 4103)
would record it. The simulated target's reading of a script (tui/engine/sim/modulelog.py) is run
over every script's real text with sentinel secrets in its parameters and on stdin."""

from __future__ import annotations

import json

import pytest

from tui.engine import scripts
from tui.engine.sim import modulelog

SECRET = "Zz-sentinel-9"
PARAMS = {"run_as_password": SECRET, "secret_properties": {"SERVICE_ACCOUNT_PASSWORD": SECRET},
          "password": SECRET, "sql_password": SECRET}


@pytest.mark.parametrize("name", scripts.names())
def test_no_cmdlet_is_handed_a_secret(name):
    stdin = json.dumps({"script": "", "params": PARAMS})
    found = [(cmd, text) for cmd, text in modulelog.records(scripts.text(name), PARAMS, stdin)
             if SECRET in text]
    assert found == []


def test_the_reading_sees_what_the_old_scripts_did():
    """ConvertFrom-Json of stdin and Register-ScheduledTask -Password, as the scripts once had."""
    old = ("$raw = [Console]::In.ReadToEnd()\n$doc = $raw | ConvertFrom-Json\n"
           "Register-ScheduledTask -TaskName x `\n    -Password $Params.run_as_password\n")
    cmds = [cmd for cmd, text in modulelog.records(old, PARAMS, f'"{SECRET}"') if SECRET in text]
    assert cmds == ["ConvertFrom-Json", "Register-ScheduledTask"]

"""The install start recognises the bootstrap's refusal (Constrained Language Mode, issue 15
item 16) as the pre-flight does: one sentence naming the language mode, a non-zero exit, nothing
started on the target and no local record left. The sentence is the catalog's (outcomes.json),
never the simulated target's wording."""

from __future__ import annotations

import pytest

from tests.support.paths import CONTOSO
from tests.support.sim import answers_for, rig
from tui.cli import main
from tui.engine import outcomes
from tui.engine.install import install
from tui.engine.sim.install_script import installer_of
from tui.engine.sim.machine import ScriptRun, WindowsMachine, registered_scripts
from tui.engine.sim.target import SimTarget
from tui.model.validation import read_file

WORDED = outcomes.word("bootstrap", "language-mode", "not-full", {"mode": "ConstrainedLanguage"})


@pytest.fixture
def state_dir(tmp_path, monkeypatch):
    folder = tmp_path / "state"
    monkeypatch.setenv("MIMSETUP_STATE_DIR", str(folder))
    return folder


def test_the_install_start_says_the_language_mode_and_starts_nothing(state_dir):
    with rig("constrained-language") as r:
        result = install(r.shell, r.request(), r.events.append)
        assert (result.outcome, result.message) == ("failed", WORDED.message)
        assert result.next_steps == WORDED.remedy
        assert r.finished() == [result]
        assert r.machine.scripts_run() == []  # refused before any script ran: no task, no cleanup
        assert r.installer.runs == []
    assert not list(state_dir.rglob("*.json"))  # no record of an install that never started


def test_apply_ends_with_the_language_mode_when_it_changes_after_the_preflight(
        tmp_path, state_dir, monkeypatch, capsys):
    """A Group Policy refresh between the pre-flight and the install puts PowerShell in
    Constrained Language Mode: the pre-flight passed, the install start is refused."""
    preflight = registered_scripts()["preflight"]

    def preflight_then_policy(run: ScriptRun) -> int:
        code = preflight(run)
        run.state.language_mode = "ConstrainedLanguage"
        return code

    machine = WindowsMachine(answers=read_file(CONTOSO).answers,
                             scripts={"preflight": preflight_then_policy})
    with machine, SimTarget(machine=machine, https=True) as target:
        monkeypatch.setenv("MIM_PW", "Pa55-w0rd")
        monkeypatch.setenv("SIM_ADMIN_PW", target.endpoint.password)
        code = main(["apply", str(answers_for(target, tmp_path)), "--yes"])
        out, err = capsys.readouterr()
        assert code != 0
        assert WORDED.message in out + err
        assert "could not be started" not in out + err
        assert machine.scripts_run() == ["preflight"]
        assert installer_of(machine).runs == []

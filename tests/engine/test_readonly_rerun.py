"""#13.1: the pre-flight and the checklist only read, so a run whose reply was lost on the way
(its report printed and gone: WinRS does not send output twice) is run again, never reported as
"printed nothing"."""

from __future__ import annotations

from tests.support.answers import contoso
from tui.engine.checklist import run_checklist
from tui.engine.preflight import CHECKS, run_preflight
from tui.engine.shell import RemoteShell
from tui.engine.sim.machine import WindowsMachine
from tui.engine.sim.target import SimTarget


def _shell(target: SimTarget) -> RemoteShell:
    return RemoteShell(target.endpoint.client_endpoint(operation_timeout=2, read_timeout=4))


def test_preflight_whose_report_came_too_late_is_run_again():
    answers = contoso()
    with WindowsMachine("healthy", answers=answers) as machine, SimTarget(
        machine=machine, operation_timeout_cap=0.5
    ) as target:
        # The first run's first Receive answer arrives after the read timeout (2 + 2 s).
        target.faults.late_reply(4.5, "Receive")
        with _shell(target) as shell:
            report = run_preflight(shell, answers)
            assert shell.reruns == 1
        assert target.counters.commands_started == 2
    assert [c.id for c in report.checks] == list(CHECKS)
    assert report.ok, [(c.id, c.message) for c in report.by_status("fail")]


def test_checklist_whose_reply_was_lost_is_run_again():
    answers = contoso()
    with WindowsMachine("healthy", answers=answers) as machine, SimTarget(
        machine=machine, operation_timeout_cap=0.5
    ) as target:
        target.faults.lose_reply("Receive")
        with _shell(target) as shell:
            items = run_checklist(shell, answers)
            assert shell.reruns == 1
        assert target.counters.commands_started == 2
    assert items and all(i.status != "unknown" or i.message for i in items)

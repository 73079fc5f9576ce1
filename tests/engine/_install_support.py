"""Shared by the install tests: a simulated target with contoso's answers, an install request
and the lines the tail filter should deliver for a finished log."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from tests.engine._preflight_support import contoso
from tui.engine.events import Event, Finished, LogLines
from tui.engine.install import InstallRequest, tail_params
from tui.engine.progress import phases_for
from tui.engine.shell import RemoteShell
from tui.engine.sim.install_script import Installer, installer_of
from tui.engine.sim.machine import WindowsMachine
from tui.engine.sim.tailer import tail
from tui.engine.sim.target import SimTarget
from tui.engine.state import InstallState
from tui.model.msi import build_plan

PASSWORD = 'Pa$$ "w0rd" `x` 100% ;é'


@dataclass
class Rig:
    target: SimTarget
    machine: WindowsMachine
    installer: Installer
    events: list[Event] = field(default_factory=list)

    def shell(self) -> RemoteShell:
        return RemoteShell(self.target.endpoint.client_endpoint(operation_timeout=2,
                                                                 read_timeout=10))

    def request(self, answers=None) -> InstallRequest:
        a = answers or contoso()
        plan = build_plan(a)
        ep = self.target.endpoint
        return InstallRequest(plan, {k: PASSWORD for k in plan.secret_properties()}, ep.user,
                              ep.password, target={"host": ep.host, "port": ep.port},
                              phases=[str(p) for p in phases_for(a.components.features())])

    def lines(self) -> list[str]:
        return [line for e in self.events if isinstance(e, LogLines) for line in e.lines]

    def finished(self) -> list[Finished]:
        return [e for e in self.events if isinstance(e, Finished)]


@contextlib.contextmanager
def rig(scenario: str = "healthy", speed: float = 150.0, **installer: object) -> Iterator[Rig]:
    machine = WindowsMachine(scenario, answers=contoso())
    inst = installer_of(machine)
    inst.speed = speed
    for k, v in installer.items():
        setattr(inst, k, v)
    try:
        with SimTarget(machine=machine, operation_timeout_cap=1.0) as target:
            yield Rig(target, machine, inst)
    finally:
        inst.wait(30)
        machine.close()


class _Sink:
    """An OutputSink for running the tail emulation once over a finished log."""

    terminated = False

    def __init__(self) -> None:
        self.text = ""

    def stdout(self, data) -> None:
        self.text += data if isinstance(data, str) else data.decode()

    def sleep(self, seconds: float) -> None:
        pass


def expected_lines(machine: WindowsMachine, log_path: str) -> list[str]:
    """Every line the filter keeps, from one uninterrupted pass over the finished log."""
    import json

    state = InstallState("x", {}, "t", "C:\\w", "C:\\w\\status.json", log_path, 0.0)
    machine.state.write_file("C:\\w\\status.json", json.dumps({"state": "done", "exit_code": 0}))
    sink = _Sink()
    tail(tail_params(state), machine.state.path, sink)
    return [line for b in sink.text.splitlines() for line in json.loads(b)["lines"]]

"""A simulated Windows server ready for a demo: the machine, its WinRS endpoint, and the answers
pointed at it. `mimsetup demo` (headless or in the wizard) and the tests start it the same way."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from tui.engine.endpoint import Endpoint
from tui.engine.sim import scenarios
from tui.engine.sim.install_script import installer_of
from tui.engine.sim.machine import WindowsMachine
from tui.engine.sim.target import SimTarget
from tui.model.answers import AnswerFile
from tui.model.secrets import SecretRef
from tui.model.target import Target


@dataclass
class Demo:
    machine: WindowsMachine
    target: SimTarget
    answers: AnswerFile  # the given answers, with [target] pointing at the simulated server
    endpoint: Endpoint
    time_scale: float  # how much faster than real time the simulated install runs

    @property
    def label(self) -> str:
        return f"simulated, scenario {self.machine.scenario}, {self.target.endpoint.url}"

    @property
    def scenario(self) -> scenarios.Scenario:
        return scenarios.scenario_named(self.machine.scenario)


@contextlib.contextmanager
def demo_target(answers: AnswerFile, scenario: str = "healthy", *, https: bool = True,
                speed: float | None = None) -> Iterator[Demo]:
    """Start a simulated server in `scenario` that matches `answers`; stop it on exit."""
    scenarios.scenario_named(scenario)  # an unknown name fails before anything starts
    with WindowsMachine(scenario, answers=answers) as machine, SimTarget(
        machine=machine, https=https
    ) as target:
        inst = installer_of(machine)
        if speed is not None:
            inst.speed = speed
        ep = target.endpoint
        pointed = answers.model_copy(deep=True)
        # The simulated server's own password: a demo needs no prompt for it.
        pointed.target = Target(
            host=ep.host, port=ep.port, https=ep.https,
            ca_bundle=str(ep.ca_path) if ep.ca_path else None, transport="ntlm", user=ep.user,
            password=SecretRef(value=ep.password),
        )
        try:
            yield Demo(machine, target, pointed, ep.client_endpoint(), inst.speed)
        finally:
            inst.wait(30)

"""Driving the wizard under Pilot: the app on given answers, typing, waiting, reading the screen."""

from __future__ import annotations

import contextlib

from tests.support.answers import contoso_data
from tests.support.paths import CONTOSO
from tui.app import WizardApp
from tui.widgets.field import FieldRow


def app_with(changes: dict | None = None, drop: tuple[str, ...] = (), **kwargs) -> WizardApp:
    """The app on the contoso answers with some sections changed (merged) or dropped."""
    data = contoso_data()
    for section, table in (changes or {}).items():
        data.setdefault(section, {}).update(table)
    for section in drop:
        data.pop(section, None)
    return WizardApp(data=data, from_file=True, **kwargs)


def row(app: WizardApp, section: str, name: str) -> FieldRow:
    return app.query_one(f"#field-{section}-{name}", FieldRow)


def message(app: WizardApp, section: str, name: str) -> tuple[str, str] | None:
    return row(app, section, name).message


def screen_text(app) -> str:
    """What the terminal shows, as plain text (the same render as a screenshot)."""
    import io

    from rich.console import Console

    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False,
                      safe_box=False)
    console.print(app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens))
    return console.export_text()


async def until(pilot, predicate, timeout: float = 30.0, what: str = "") -> None:
    """Let the app run until `predicate()` holds (the install runs in real time on the sim)."""
    import time

    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}; screen:\n"
                                 + screen_text(pilot.app))
        await pilot.pause(0.05)
    await pilot.pause()  # and what it shows is drawn


def on_screen(app, name: str) -> bool:
    return type(app.screen).__name__ == name


def demo_wizard(d, data: dict | None = None, **kwargs) -> WizardApp:
    """The wizard on the contoso answers (or `data`), its Install pointed at the simulated
    server `d` (a tui.engine.sim.demo.Demo), as `mimsetup demo` opens it."""
    from tui.commands.common import remote_shell
    from tui.commands.demo import demo_secrets
    from tui.session import DemoTarget

    secrets = demo_secrets(d.answers, CONTOSO.parent)
    demo = DemoTarget(d.endpoint, d.label, secrets, d.time_scale, d.scenario.name)
    return WizardApp(data=data if data is not None else contoso_data(), from_file=True,
                     start_page="review", demo=demo, remote_shell=remote_shell, **kwargs)


@contextlib.contextmanager
def sim_server(password: str = "Sim-Passw0rd!", scenario: str = "healthy", speed: float = 300.0):
    """A simulated Windows server (HTTPS, NTLM) whose administrator has `password`, and the
    contoso answers pointed at it through [target] (the password asked at install time): the
    wizard connects to it as to any server, with no demo shortcut. Yields (machine, data)."""
    from tui.engine.sim.install_script import installer_of
    from tui.engine.sim.machine import WindowsMachine
    from tui.engine.sim.target import SimTarget
    from tui.model.validation import read_file

    answers = read_file(CONTOSO).answers
    machine = WindowsMachine(scenario, answers=answers)
    installer_of(machine).speed = speed
    try:
        with SimTarget(machine=machine, https=True,
                       users={"CONTOSO\\Administrator": password}) as target:
            ep = target.endpoint
            data = contoso_data()
            data["target"] = {"host": ep.host, "port": ep.port, "https": True,
                              "ca_bundle": str(ep.ca_path), "transport": "ntlm",
                              "user": ep.user, "password": {"prompt": True}}
            yield machine, data
    finally:
        installer_of(machine).wait(30)
        machine.close()


async def save_report(pilot, app, path) -> None:
    """From a flow screen: s, the path, Enter, and wait for the report's JSON half."""
    await pilot.press("s")
    await until(pilot, lambda: on_screen(app, "PathPrompt"), what="the path prompt")
    await pilot.press("ctrl+u")
    await type_text(pilot, str(path))
    await pilot.press("enter")
    await until(pilot, lambda: path.with_suffix(".json").exists(), what="the report")


async def type_text(pilot, text: str) -> None:
    """Type `text` as key presses, as a fast typist would: the same Key events `pilot.press`
    sends, without waiting for the app to be idle after each one (which costs ~70 ms a key).
    Then it waits once, as pilot.press does after each key, for the app to be idle: the keys
    hop from the app to the focused field and its messages back to the app, and one pause
    alone returned before the last hops on a busy machine."""
    from textual import events
    from textual._wait import wait_for_idle
    from textual.keys import _character_to_key

    app = pilot.app
    for char in text:
        key = char if char.isalnum() else _character_to_key(char)
        event = events.Key(key, char)
        event.set_sender(app)
        app._driver.send_message(event)
    await wait_for_idle(0)
    await pilot.pause()

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


def no_shell(endpoint):
    """A session's shell factory for screens that must never connect."""
    raise AssertionError("this screen must not connect")


def offline_session():
    """An install session on the contoso answers whose shell must never be opened (flow screens
    shown with a report, a result or a checklist given to them)."""
    from tui.engine.endpoint import Endpoint
    from tui.model.validation import validate_data
    from tui.session import InstallSession

    answers = validate_data(contoso_data()).answers
    endpoint = Endpoint("CORPIDM.contoso.local", user="contoso\\Administrator")
    return InstallSession(answers, endpoint, no_shell, endpoint.url)


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


async def settle(pilot, node=None, timeout: float = 30.0) -> None:
    """Let the app run until `node` (default: the focused widget), its ancestors and the app have
    nothing left in their message queues. One `pilot.pause()` waits for what each widget had
    queued when it began, but a key hops from the app to the focused field, and what the field
    posts bubbles up one queue at a time: on a busy machine one pause returned before the
    last hops."""
    import time

    app = pilot.app
    deadline = time.monotonic() + timeout
    while True:
        await pilot.pause()
        target = node if node is not None else app.focused or app.screen
        busy = [n for n in (app, *target.ancestors_with_self) if n.message_queue_size]
        if not busy:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s: still handling messages in "
                                 f"{busy}; screen:\n" + screen_text(app))


async def type_text(pilot, text: str, timeout: float = 30.0) -> None:
    """Type `text` as key presses, as a fast typist would: the same Key events `pilot.press`
    sends, without waiting for the app to be idle after each one (which costs ~70 ms a key).
    Then it waits until the focused field holds what was typed (the keys pass through the app's
    queue, then the field's), and until what the field posted about it was handled."""
    from textual import events
    from textual.keys import _character_to_key
    from textual.widgets import Input

    app = pilot.app
    await settle(pilot)  # a focus or an earlier key still on its way would change the result
    field = app.focused
    expected = None
    if isinstance(field, Input):  # typing replaces the selection (a cursor is an empty one)
        start, end = sorted(field.selection)
        expected = field.value[:start] + text + field.value[end:]
    for char in text:
        key = char if char.isalnum() else _character_to_key(char)
        event = events.Key(key, char)
        event.set_sender(app)
        app._driver.send_message(event)
    if expected is not None:
        await until(pilot, lambda: field.value == expected, timeout,
                    what=f"the field to hold {expected!r}")
    await settle(pilot, field, timeout)

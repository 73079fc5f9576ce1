"""Install from the wizard: the passwords kept as "ask at install time" in a masked dialog, the
connection, then the install flow's screens (screens/preflight.py, install.py, result.py,
checklist.py), which share a `tui.session.InstallSession`. The flow's screens never import one
another: each asks for the next step with a `FlowScreen.MoveOn` message, and `move_on` here
makes that step's screen."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from screens.flow import FlowScreen
    from tui.wizard.host import Wizard


async def launch(app: Wizard) -> None:
    """Passwords, connection, then the pre-flight screen (the flow goes on from there). Runs in
    a worker (the dialogs wait for answers)."""
    from screens import prompts  # loaded when first needed: a faster start
    from tui.engine.errors import ConnectionProblem
    from tui.engine.job import by_prop, connection_endpoint, resolve_known, secret_needs
    from tui.session import InstallSession

    if app.in_install_flow():
        return
    answers = app.answers()
    if answers is None:
        app.revalidate()
        app.notify("The answers have errors: fix them first (the Review page lists them).",
                   severity="error")
        return
    if app.remote_shell is None:
        await app.push_screen_wait(prompts.MessageDialog(
            "Install", "This wizard was started without the WinRM engine.",
            "Start it with `mimsetup edit FILE` (or `mimsetup FILE`)."))
        return
    base = app.path.resolve().parent if app.path else Path.cwd()
    answers_file = str(app.path.resolve()) if app.path else None
    if app.demo is not None:
        session = InstallSession.for_demo(answers, app.demo, base, answers_file,
                                          app.remote_shell)
    else:
        try:
            connection_endpoint(answers, base)  # what cannot work, before asking
        except ConnectionProblem as exc:
            await app.push_screen_wait(
                prompts.MessageDialog("Cannot connect", exc.message, exc.remedy))
            return
        needed = secret_needs(answers)
        known, problems = resolve_known(needed, base)
        values = by_prop(known)
        if problems:
            await app.push_screen_wait(prompts.MessageDialog(
                "Passwords missing", "\n".join(problems),
                "Set them, or keep them as \u201cask at install time\u201d on their pages."))
            return
        asks = [(n.prop, n.label) for n in needed if n.ref.kind == "prompt"]
        if asks:
            answered = await app.push_screen_wait(prompts.SecretsPrompt(
                "Passwords for this install",
                "These passwords are kept as \u201cask at install time\u201d. They are used "
                "for this install only: never saved, logged or shown.", asks))
            if answered is None:
                return
            values |= answered
        try:
            session = InstallSession.connect(answers, values, base, answers_file,
                                             app.remote_shell)
        except ConnectionProblem as exc:
            await app.push_screen_wait(
                prompts.MessageDialog("Cannot connect", exc.message, exc.remedy))
            return
    from screens.preflight import PreflightScreen

    app.install_session = session
    app.clear_notifications()  # the wizard's toasts (the demo's Install hint) stay behind
    await app.push_screen(PreflightScreen(session))


def move_on(app: Wizard, event: FlowScreen.MoveOn) -> None:
    """The flow's next step, in place of the screen that asked for it (while it is on top: a
    screen that went away meanwhile asks for nothing)."""
    if app.screen is not event.screen:
        return
    session = event.screen.session
    if event.step == "progress":
        from screens.install import ProgressScreen

        app.switch_screen(ProgressScreen(session, **event.options))
    elif event.step == "result":
        from screens.result import ResultScreen

        app.switch_screen(ResultScreen(session))
    elif event.step == "checklist":
        from screens.checklist import ChecklistScreen

        app.switch_screen(ChecklistScreen(session))
    else:
        raise ValueError(f"no install step {event.step!r}")


def install_running(app: Wizard) -> bool:
    from screens.install import ProgressScreen

    return any(isinstance(s, ProgressScreen) and not s.done for s in app.screen_stack)

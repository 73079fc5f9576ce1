"""`mimsetup demo [FILE]`: pre-flight, install and checklist against a simulated Windows server
started on this machine, headless or in the wizard. The one command module that uses the
simulated target (`tui.engine.sim`; import-linter keeps every other module but the tests from
it).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from tui.commands.common import (
    UsageProblem,
    load_answers,
    remote_shell,
    report_problem,
    resolve_secrets,
    save_report,
    wizard_exit_code,
)
from tui.commands.steps import (
    CommandJob,
    report_of,
    run_steps,
    step_checklist,
    step_install,
    step_preflight_gate,
)
from tui.packaged import example

CONTOSO = example("contoso.toml")  # the demo's answers, packaged or in the checkout
DEMO_SPEED_ENV = "MIMSETUP_DEMO_SPEED"  # how much faster than real time the demo's install runs
DEMO_STEPS = [step_preflight_gate, step_install, step_checklist]  # the walkthrough, start to end


def scenario_names() -> list[str]:
    """The simulated server's scenarios (for --scenario's help)."""
    from tui.engine.sim import scenarios

    return scenarios.names()


def demo(args: argparse.Namespace) -> int:
    from tui.engine.checklist import fixable_items
    from tui.engine.job import InstallJob
    from tui.engine.sim import scenarios
    from tui.engine.sim.demo import demo_target

    try:
        scenarios.scenario_named(args.scenario)
        path = Path(args.file) if args.file else CONTOSO
        if not path.is_file():
            raise UsageProblem(f"The answer file {path} does not exist.",
                               "Give an answer file: mimsetup demo --headless FILE.")
        answers = load_answers(path)
        secrets = demo_secrets(answers, path.resolve().parent)
        speed = demo_speed()
    except (UsageProblem, ValueError) as exc:
        return report_problem(exc, args.json)
    if not args.headless:
        if sys.stdin.isatty() and sys.stdout.isatty():
            return demo_wizard(args, path, answers, secrets, speed)
        print("mimsetup: no terminal for the wizard; running the headless demo.",
              file=sys.stderr)
    with demo_target(answers, args.scenario, https=not args.http, speed=speed) as d:
        if not args.json:
            print(f"Demo: a simulated Windows server answers WinRM at {d.target.endpoint.url} "
                  f"(scenario {d.scenario.name}: {d.scenario.title}); {path.name} is pointed at "
                  "it.\n")
        job = InstallJob(d.answers, d.endpoint, remote_shell, d.label,
                         str(path.resolve()), secrets, d.time_scale)
        # The demo fixes what the checklist can fix, so a newcomer sees the fixes at work.
        run = CommandJob(job, args.json, yes=True, fix=tuple(fixable_items()))
        code = run_steps(run, DEMO_STEPS)
        save_report(report_of(run), getattr(args, "report", None), args)
        return code


def demo_secrets(answers, base: Path) -> dict[str, str]:
    """The install's passwords for the simulated server, by MSI property: those the file keeps
    in the environment or a file are read as usual; those to be asked get a throwaway value,
    since the simulated server accepts any."""
    import secrets as random

    from tui.engine.job import TARGET, by_prop, secret_needs

    needs = [n for n in secret_needs(answers) if n.prop != TARGET]
    out = by_prop(resolve_secrets([n for n in needs if n.ref.kind != "prompt"], base, True))
    return out | {n.prop: "demo-" + random.token_urlsafe(12)
                  for n in needs if n.ref.kind == "prompt"}


# --- in the wizard ------------------------------------------------------------------------------


@contextlib.contextmanager
def demo_app(path: Path, answers, secrets: dict[str, str], scenario: str = "healthy", *,
             https: bool = True, speed: float | None = None,
             report: str | None = None) -> Iterator:
    """The wizard on `path`'s answers, its Install pointed at a simulated Windows server
    (started here, stopped on leaving) that matches them. No password is asked: the simulated
    server's logon is its own, and `secrets` (MSI property -> value) are throwaway values."""
    from tui.app import WizardApp
    from tui.engine.sim.demo import demo_target
    from tui.model.validation import read_file
    from tui.session import DemoTarget

    loaded = read_file(path)
    with demo_target(answers, scenario, https=https, speed=speed) as d:
        demo = DemoTarget(d.endpoint, d.label, dict(secrets), d.time_scale, d.scenario.name,
                          report)
        notice = (f"Demo: Install (on this Review page) goes to a simulated Windows server at "
                  f"{d.endpoint.url} (scenario {d.scenario.name}); no password is asked. "
                  "F2 lists the pages.")
        yield WizardApp(path=path, data=loaded.data, from_file=True, start_page="review",
                        notice=notice, demo=demo, remote_shell=remote_shell)


def demo_wizard(args: argparse.Namespace, path: Path, answers, secrets: dict[str, str],
                speed: float | None = None) -> int:
    """`mimsetup demo` without --headless: the whole flow in the wizard, against the simulated
    server."""
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    with demo_app(path, answers, secrets, args.scenario, https=not args.http, speed=speed,
                  report=getattr(args, "report", None)) as app:
        code = app.run()
    return wizard_exit_code(app, code)


def demo_speed() -> float | None:
    """MIMSETUP_DEMO_SPEED=N replays the install N times faster than real time (headless or in
    the wizard); unset, the simulated server's own pace."""
    value = os.environ.get(DEMO_SPEED_ENV)
    if not value:
        return None
    try:
        speed = float(value)
    except ValueError:
        speed = 0.0
    if not speed > 0:
        raise UsageProblem(f"{DEMO_SPEED_ENV} is {value!r}: it must be a positive number.",
                           f"For example {DEMO_SPEED_ENV}=40, or unset it.")
    return speed

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
    remote_shell,
    report_problem,
    resolve_secrets,
    save_report,
    wizard_exit_code,
)
from tui.commands.hosts import choose, run_fleet_jobs
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
        chosen = choose(path, getattr(args, "host_name", None))
        speed = demo_speed()
        if chosen.fleet is not None and len(chosen.hosts) > 1:
            return demo_fleet(args, path, chosen, speed)
        ((host, answers),) = chosen.hosts
        secrets = demo_secrets(answers, path.resolve().parent)
    except (UsageProblem, ValueError) as exc:
        return report_problem(exc, args.json)
    if host is not None and not args.headless:
        # the wizard edits an answer file; one host of a fleet is the fleet file and its base
        print(f"mimsetup: {host} of a fleet file runs headless.", file=sys.stderr)
        args.headless = True
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


def demo_fleet(args: argparse.Namespace, path: Path, chosen, speed: float | None) -> int:
    """A fleet file in the demo: one simulated Windows server per host, the hosts installed in
    the fleet's order (the database creator alone first, then the others in parallel), each
    line tagged with its host, then the summary. Headless: the wizard edits one answer file."""
    from tui.engine.job import InstallJob
    from tui.engine.sim.demo import demo_target

    base = path.resolve().parent
    with contextlib.ExitStack() as stack:
        jobs = {}
        for name, answers in chosen.hosts:
            d = stack.enter_context(demo_target(answers, args.scenario, https=not args.http,
                                                speed=speed))
            if answers.database is not None and answers.database.existing:
                # A real fleet shares one SQL Server; each simulated server has its own, where
                # the database the first host creates is put beforehand.
                for instance in d.machine.state.sql.values():
                    instance.databases.add(answers.database.name)
            jobs[name] = InstallJob(d.answers, d.endpoint, remote_shell, f"{name}: {d.label}",
                                    str(path.resolve()), demo_secrets(answers, base),
                                    d.time_scale)
            if not args.json:
                print(f"Demo: host {name} is a simulated Windows server at "
                      f"{d.target.endpoint.url} (scenario {d.scenario.name}).")
        if not args.json:
            order = " then ".join(", ".join(h.name for h in wave)
                                  for wave in chosen.fleet.waves())
            print(f"Order: {order} (at most {args.parallel} at once).\n")
        return run_fleet_jobs(chosen.fleet, jobs, as_json=args.json, yes=True,
                              parallel=args.parallel)


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
             report: str | None = None, example: bool = False) -> Iterator:
    """The wizard on `path`'s answers, its Install pointed at a simulated Windows server
    (started here, stopped on leaving) that matches them. No password is asked: the simulated
    server's logon is its own, and `secrets` (MSI property -> value) are throwaway values.
    `example`: `path` is the built-in example, opened as an unsaved copy."""
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
        # The built-in example is mimsetup's own file (inside the installed package, or the
        # checkout's answers/): the demo edits a copy of it, so Ctrl+S asks where to save
        # instead of writing over it. Its draft keeps the example's key, apart from the
        # admin's own new-file draft.
        app = WizardApp(path=None if example else path, data=loaded.data, from_file=True,
                        start_page="review", notice=notice, demo=demo,
                        remote_shell=remote_shell)
        if example:
            app.lifecycle.draft_key = path
        yield app


def demo_wizard(args: argparse.Namespace, path: Path, answers, secrets: dict[str, str],
                speed: float | None = None) -> int:
    """`mimsetup demo` without --headless: the whole flow in the wizard, against the simulated
    server."""
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    with demo_app(path, answers, secrets, args.scenario, https=not args.http, speed=speed,
                  report=getattr(args, "report", None), example=not args.file) as app:
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

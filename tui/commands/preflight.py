"""Subcommands that talk to a target over WinRM: `preflight`, and `demo` (the same against the
simulated Windows server).

Exit codes: 0 nothing would stop the installer (warnings allowed), 1 a check failed, 2 a usage
problem (unreadable answer file, missing target or secret) or a connection problem, told as one
sentence and a remedy.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tui.cli import EXIT_FAIL, EXIT_OK, EXIT_USAGE
from tui.model.answers import AnswerFile
from tui.model.secrets import SecretRef, SecretUnavailable, resolve
from tui.model.tomlio import read_file

CONTOSO = Path(__file__).resolve().parents[2] / "answers" / "contoso.toml"


class UsageProblem(Exception):
    """Something the user must change before anything can be run (exit 2)."""

    def __init__(self, message: str, remedy: str = "") -> None:
        super().__init__(message)
        self.message, self.remedy = message, remedy


# --- answers, secrets and the endpoint --------------------------------------------------------


def load_answers(path: str | Path, loaded=None) -> AnswerFile:
    """The valid answers of `path` (already read as `loaded`, if given), or UsageProblem."""
    loaded = loaded if loaded is not None else read_file(path)
    if loaded.answers is None or loaded.unreadable or loaded.errors:
        lines = "\n".join(p.format() for p in loaded.problems)
        raise UsageProblem(
            f"{path} is not a valid answer file:\n{lines}",
            f"Fix it (mimsetup validate {path} lists the problems) and run again.",
        )
    return loaded.answers


def asker(yes: bool) -> Callable[[str], str] | None:
    """How to ask for a secret: getpass on a terminal; nobody with --yes or without a terminal
    (stdin is then never read)."""
    if yes or not sys.stdin.isatty():
        return None

    def ask(what: str) -> str:
        import getpass

        return getpass.getpass(f"{what}: ")

    return ask


def resolve_secrets(
    needed: list[tuple[str, SecretRef]], base_dir: Path, yes: bool
) -> dict[str, str]:
    """Every secret in `needed` (name, reference); all that cannot be had are named at once,
    before anything is asked or connected."""
    ask = asker(yes)
    missing: list[str] = []
    for what, ref in needed:
        try:
            if ref.kind != "prompt":
                resolve(ref, what, base_dir=base_dir, ask=None)
            elif ask is None:
                missing.append(f"{what} is set to be asked ({{ prompt = true }})")
        except SecretUnavailable as exc:
            missing.append(str(exc))
    if missing:
        why = "--yes was given" if yes else "there is no terminal to ask on"
        raise UsageProblem(
            f"{len(missing)} password(s) cannot be had without asking, and {why}:\n  "
            + "\n  ".join(missing),
            'Give them with { env = "NAME" } or { file = "path" } in the answer file, or run '
            "without --yes on a terminal.",
        )
    out: dict[str, str] = {}
    for what, ref in needed:
        try:
            out[what] = resolve(ref, what, base_dir=base_dir, ask=ask).get_secret_value()
        except (EOFError, SecretUnavailable) as exc:
            raise UsageProblem(f"{what} could not be read ({exc or 'end of input'}).") from None
    return out


TARGET_SECRET = "target.password (Install account password)"  # noqa: S105  (a field name)


def target_endpoint(a: AnswerFile, args: argparse.Namespace, base_dir: Path, password: str):
    """The WinRM Endpoint: the answer file's [target], overridden by the flags."""
    from tui.engine.connect import endpoint_for

    return endpoint_for(
        a.target, password, base_dir, host=args.host, port=args.port, http=args.http,
        user=args.user, transport=args.transport, ca_bundle=args.ca_bundle,
        no_verify=args.no_verify, insecure=args.insecure,
    )


def needed_for_connection(a: AnswerFile) -> list[tuple[str, SecretRef]]:
    from tui.model.secrets import PROMPT

    return [(TARGET_SECRET, a.target.password if a.target else PROMPT)]


# --- output ---------------------------------------------------------------------------------


MARK = {"pass": "pass", "warn": "WARN", "fail": "FAIL", "skip": "skip"}


def print_report(report, where: str, stream=None) -> None:
    stream = stream or sys.stdout
    width = max(60, min(shutil.get_terminal_size((100, 24)).columns, 140))
    title_w = max(len(c.id) for c in report.checks) if report.checks else 10
    title_w = min(title_w, 34)
    indent = 7 + title_w + 2
    text_w = max(30, width - indent)
    rounds = f", {report.requests} round trips" if report.requests is not None else ""
    computer = f" on {report.computer}" if report.computer else ""
    print(f"Pre-flight{computer} ({where}): {len(report.checks)} checks in "
          f"{report.seconds:.2f} s{rounds}", file=stream)
    print(f"{'STATUS':<7}{'CHECK':<{title_w + 2}}MESSAGE / REMEDY", file=stream)
    for c in report.checks:
        lines = textwrap.wrap(c.message, text_w) or [""]
        if c.remedy and c.status in ("fail", "warn"):
            lines += textwrap.wrap("remedy: " + c.remedy, text_w, subsequent_indent="  ")
        title = c.id if len(c.id) <= title_w else c.id[: title_w - 1] + "…"
        print(f"{MARK.get(c.status, c.status):<7}{title:<{title_w + 2}}{lines[0]}", file=stream)
        for line in lines[1:]:
            print(" " * indent + line, file=stream)
    counts = {s: len(report.by_status(s)) for s in ("pass", "warn", "fail", "skip")}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    verdict = {
        "pass": "nothing stands in the installer's way.",
        "warn": "the installer should succeed; read the warnings.",
        "fail": "the installer would fail: fix the FAIL lines and run the pre-flight again.",
    }[report.status]
    print(f"\n{summary}: {verdict}", file=stream)
    for note in report.notes:
        print(f"note: {note}", file=stream)


def _problem(exc, as_json: bool) -> int:
    message = getattr(exc, "message", str(exc))
    remedy = getattr(exc, "remedy", "")
    print(f"mimsetup: {message}" + (f"\n  {remedy}" if remedy else ""), file=sys.stderr)
    if as_json:
        print(json.dumps({"status": "error", "message": message, "remedy": remedy}, indent=2))
    return EXIT_USAGE


# --- the steps -----------------------------------------------------------------------------------


@dataclass
class Session:
    """What every remote step needs: the answers, where to connect, how to print; and what the
    steps hand on to each other (the report)."""

    answers: AnswerFile
    endpoint: object
    as_json: bool
    label: str
    secrets: dict[str, str] = field(default_factory=dict, repr=False)  # MSI property -> value
    yes: bool = False
    time_scale: float = 1.0  # the simulated target replays the log faster than real time
    answers_file: str | None = None
    fix: tuple[str, ...] = ()
    report: object = None  # tui.engine.report.Report, filled step by step


def show_preflight(session: Session, as_event: bool = False):
    """Run the pre-flight and print it: a table, a JSON document, or (as_event) one JSON line
    among the other events of a run."""
    from tui.engine.preflight import run_preflight
    from tui.engine.shell import RemoteShell

    with RemoteShell(session.endpoint) as shell:
        report = run_preflight(shell, session.answers)
    if not session.as_json:
        print_report(report, session.label)
    elif as_event:
        print(json.dumps({"event": "Preflight"} | report.to_json(), ensure_ascii=False))
    else:
        print(json.dumps(report.to_json() | {"target": session.label}, indent=2,
                         ensure_ascii=False))
    return report


def step_preflight(session: Session) -> int:
    return EXIT_OK if show_preflight(session).ok else EXIT_FAIL


def run_steps(session: Session, steps: list[Callable[[Session], int]]) -> int:
    """Run the steps in order; stop at the first that does not succeed. Engine errors (the
    connection, the remote service) become one sentence and a remedy, exit 2."""
    from tui.engine.errors import EngineError

    for step in steps:
        try:
            code = step(session)
        except EngineError as exc:
            return _problem(exc, session.as_json)
        if code != EXIT_OK:
            return code
    return EXIT_OK


# --- the subcommands ------------------------------------------------------------------------


def preflight(args: argparse.Namespace) -> int:
    from tui.engine.errors import EngineError

    try:
        answers = load_answers(args.file)
        base = Path(args.file).resolve().parent
        secrets = resolve_secrets(needed_for_connection(answers), base, args.yes)
        endpoint = target_endpoint(answers, args, base, secrets[TARGET_SECRET])
    except (UsageProblem, EngineError) as exc:
        return _problem(exc, args.json)
    session = Session(answers, endpoint, args.json, endpoint.url)
    return run_steps(session, [step_preflight])


def demo_steps() -> list[Callable[[Session], int]]:
    """Pre-flight, install, checklist: the walkthrough from start to end."""
    from tui.commands import install

    return [install.step_preflight, install.step_install, install.step_checklist]


def demo(args: argparse.Namespace) -> int:
    from tui.engine.checklist import ITEMS
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
    except (UsageProblem, ValueError) as exc:
        return _problem(exc, args.json)
    if not args.headless:
        from tui.commands import wizard

        if sys.stdin.isatty() and sys.stdout.isatty():
            return wizard.demo(args, path, answers, secrets)
        print("mimsetup: no terminal for the wizard; running the headless demo.",
              file=sys.stderr)
    with demo_target(answers, args.scenario, https=not args.http) as d:
        if not args.json:
            print(f"Demo: a simulated Windows server answers WinRM at {d.target.endpoint.url} "
                  f"(scenario {d.scenario.name}: {d.scenario.title}); {path.name} is pointed at "
                  "it.\n")
        # The demo fixes what the checklist can fix, so a newcomer sees the fixes at work.
        session = Session(d.answers, d.endpoint, args.json, d.label, secrets, yes=True,
                          time_scale=d.time_scale, answers_file=str(path.resolve()),
                          fix=tuple(i for i, (_, fixable) in ITEMS.items() if fixable))
        code = run_steps(session, demo_steps())
        if getattr(args, "report", None) and session.report is not None:
            print(f"report: {', '.join(map(str, session.report.save(args.report)))}",
                  file=sys.stderr)
        return code


def demo_secrets(answers: AnswerFile, base: Path) -> dict[str, str]:
    """The install's passwords for the simulated server: those the file keeps in the
    environment or a file are read as usual; those to be asked get a throwaway value, since the
    simulated server accepts any."""
    import secrets as random

    from tui.commands.install import install_secrets

    needed = install_secrets(answers)
    out = resolve_secrets([(w, r) for w, r in needed if r.kind != "prompt"], base, True)
    out |= {w: "demo-" + random.token_urlsafe(12) for w, r in needed if r.kind == "prompt"}
    return {w.rsplit("(", 1)[1].rstrip(")"): v for w, v in out.items()}

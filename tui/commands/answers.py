"""Subcommands on answer files alone: validate, schema, plan, import."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from tui.commands.common import EXIT_FAIL, EXIT_OK, EXIT_USAGE, UsageProblem, report_problem
from tui.model import validation
from tui.model.fleet import read_any  # validate takes answer files and fleet files alike
from tui.model.printable import visible
from tui.model.validation import Loaded


def _err(message: str) -> None:
    print(f"mimsetup: {visible(message)}", file=sys.stderr)


def _print_problems(loaded: Loaded, stream: TextIO | None = None) -> None:
    for p in loaded.problems:  # sys.stderr as it is when called (a caller may replace it)
        print(p.format(), file=stream or sys.stderr)


def validate(args: argparse.Namespace) -> int:
    worst = EXIT_OK
    report = []
    for name in args.files:
        with validation.using(validation.quick()):  # same results, a fraction of the start-up
            loaded = read_any(name)
        code = EXIT_USAGE if loaded.unreadable else (EXIT_FAIL if loaded.errors else EXIT_OK)
        worst = max(worst, code)
        if args.json:
            report.append({"file": name, "valid": code == EXIT_OK,
                           "problems": [p.to_json() for p in loaded.problems]})
            continue
        _print_problems(loaded, sys.stdout)
        errors = len(loaded.errors)
        warnings = len(loaded.problems) - errors
        state = "valid" if code == EXIT_OK else ("unreadable" if loaded.unreadable else "invalid")
        counts = ", ".join(
            f"{n} {w}{'s' if n != 1 else ''}"
            for n, w in ((errors, "error"), (warnings, "warning"))
            if n
        )
        print(f"{visible(name)}: {state}" + (f" ({counts})" if counts else ""))
    if args.json:
        print(json.dumps(report, indent=2))
    return worst


def schema(args: argparse.Namespace) -> int:
    from tui.model.schema import schema_text

    if args.output:
        from tui.model.outputs import write_outputs

        write_outputs([(args.output, schema_text(), 0o644)], force=args.force)
    else:
        sys.stdout.write(schema_text())
    return EXIT_OK


def plan(args: argparse.Namespace) -> int:
    """The msiexec command line of an answer file, or of each host of a fleet file (or the one
    --host-name names): validity is decided as `validate` decides it, by the same reader."""
    from tui.commands.hosts import pick
    from tui.model.msi import build_plan

    with validation.using(validation.quick()):  # same results, a fraction of the start-up
        loaded = read_any(args.file)
    if loaded.unreadable or loaded.errors:
        _print_problems(loaded)
        return EXIT_USAGE if loaded.unreadable else EXIT_FAIL
    _print_problems(loaded)  # warnings
    try:
        hosts = pick(loaded, args.file, args.host_name)
    except UsageProblem as exc:
        return report_problem(exc, args.format == "json")
    docs = {}
    for name, answers in hosts:
        p = build_plan(answers)
        docs[name] = {"msi": p.msi_path, "log": p.log_path, "options": p.options(),
                      "properties": p.property_map()}
        if args.format != "json":
            print((f"# {visible(name)}\n" if len(hosts) > 1 else "") + visible(p.command_line()))
    if args.format == "json":
        # one host: its plan, as for an answer file; every host of a fleet: {"hosts": {...}}
        doc = docs[hosts[0][0]] if len(hosts) == 1 else {"hosts": docs}
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    return EXIT_OK


def import_(args: argparse.Namespace) -> int:
    from tui.model.importer import ImportProblem, from_command_line
    from tui.model.outputs import write_outputs
    from tui.model.reading import read_limited
    from tui.model.tomlio import dump_data
    from tui.model.validation import validate_data

    if args.from_file:
        source = Path(args.from_file)
        try:
            raw = read_limited(source)
        except OSError as exc:
            _err(f"{source}: cannot be read ({exc.strerror or exc}); check the path")
            return EXIT_USAGE
        text = raw.decode("utf-16") if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else raw.decode(
            "utf-8-sig", errors="replace")
        name = str(source)
    elif args.command_line:
        text, name = args.command_line, "command line"
    elif not sys.stdin.isatty():
        text, name = sys.stdin.read(), "stdin"
    else:
        _err("give the msiexec command line as an argument, with --from-file, or on stdin")
        return EXIT_USAGE
    try:
        imported = from_command_line(text)
    except ImportProblem as exc:
        _err(f"{name}: {exc}; give a line such as msiexec /i \"Service and Portal.msi\" ...")
        return EXIT_FAIL
    out = Path(args.output) if args.output else None
    if imported.secrets and out is None:
        _err(f"{name} holds passwords ({', '.join(imported.secrets)}); give -o FILE so they "
             "can be moved to a secrets file beside it instead of being printed")
        return EXIT_USAGE
    secrets_path = out.with_name(out.stem + ".secrets.toml") if out else None
    files = []
    if imported.secrets and secrets_path is not None:
        import tomli_w

        files.append((secrets_path, "# Passwords imported by mimsetup; keep this file private "
                      "(mode 0600).\n" + tomli_w.dumps(imported.secrets), 0o600))
        imported.refer_to(secrets_path.name)
    text_out = dump_data(imported.data)
    if out is None:
        sys.stdout.write(text_out)
    else:
        # both or neither: a failure on one leaves no other behind
        write_outputs([*files, (out, text_out, 0o600)], force=args.force)
        also = f" and {secrets_path} (passwords, mode 0600)" if imported.secrets else ""
        print(visible(f"wrote {out}{also}"), file=sys.stderr)
    for note in imported.notes:
        print(f"note: {visible(note)}", file=sys.stderr)
    loaded = validate_data(imported.data, str(out or "imported"), text_out)
    _print_problems(loaded)
    return EXIT_OK

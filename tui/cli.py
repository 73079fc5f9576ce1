"""`mimsetup`: the command line. Each subcommand imports what it needs when it runs, so that
`validate` and `plan` start fast and never load the terminal UI or the WinRM stack."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def _lazy(module: str, name: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        import importlib

        return getattr(importlib.import_module(module), name)(args)

    return run


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mimsetup",
        description="Install Microsoft Identity Manager 2016 Service and Portal from a terminal: "
        "a wizard, TOML answer files, and the install itself over WinRM.",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("validate", help="check answer files (exit 0 valid, 1 invalid, 2 unreadable)")
    s.add_argument("files", nargs="+", metavar="FILE")
    s.add_argument("--json", action="store_true", help="print the problems as JSON")
    s.set_defaults(run=_lazy("tui.commands.answers", "validate"))

    s = sub.add_parser("schema", help="print the JSON Schema of answer files")
    s.add_argument("-o", "--output", metavar="FILE", help="write it to FILE instead")
    s.set_defaults(run=_lazy("tui.commands.answers", "schema"))

    s = sub.add_parser("plan", help="print the msiexec command line an answer file stands for")
    s.add_argument("file", metavar="FILE")
    s.add_argument("--format", choices=("text", "json"), default="text")
    s.set_defaults(run=_lazy("tui.commands.answers", "plan"))

    s = sub.add_parser("import", help="turn a silent-install command line into an answer file")
    s.add_argument("command_line", nargs="?", metavar="COMMAND_LINE",
                   help="the msiexec command line (or give --from-file, or pipe it on stdin)")
    s.add_argument("--from-file", metavar="FILE", help="a .cmd, .bat or .ps1 holding the command")
    s.add_argument("-o", "--output", metavar="FILE", help="answer file to write (default: stdout)")
    s.add_argument("--force", action="store_true", help="overwrite existing files")
    s.set_defaults(run=_lazy("tui.commands.answers", "import_"))

    s = sub.add_parser("edit", help="open the wizard on an answer file")
    s.add_argument("file", nargs="?", metavar="FILE")
    s.set_defaults(run=_lazy("tui.commands.wizard", "edit"))
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["edit", *(argv or [])])
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("mimsetup: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_FAIL
    except Exception as exc:  # a traceback is a bug, but the user still gets a sentence
        if os.environ.get("MIMSETUP_DEBUG"):
            raise
        print(
            f"mimsetup: internal error: {type(exc).__name__}: {exc}. Run again with "
            "MIMSETUP_DEBUG=1 for details and report it.",
            file=sys.stderr,
        )
        return 70

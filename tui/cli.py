"""`mimsetup`: the command line. Each subcommand imports what it needs when it runs, so that
`validate` and `plan` start fast and never load the terminal UI or the WinRM stack."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from tui import flags
from tui.commands.common import (
    EXIT_FAIL,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    exit_codes_text,
)


def _lazy(module: str, name: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        import importlib

        return getattr(importlib.import_module(module), name)(args)

    return run


def _apply_file(args: argparse.Namespace) -> int:
    """`apply` on a fleet file (tui.commands.fleet) or an answer file (tui.commands.install)."""
    from tui.model.fleet import Fleet, read_any

    loaded = read_any(args.file)
    if isinstance(loaded, Fleet) and args.host_name is None:
        from tui.commands.fleet import apply_fleet

        return apply_fleet(args, loaded)
    from tui.commands.install import apply

    return apply(args)  # an answer file, or the one host --host-name names


# --- argument types: a bad value is argparse's "error: argument --port: ..." and exit 2 -----------


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"'{_shown(text)}' is not a port: give 1-65535, or leave --port out for the default "
            "(5986 with HTTPS, 5985 without)")
    return port


def _count(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"'{_shown(text)}' is not a number of hosts: give 1 "
                                         "or more")
    return n


def _rule(name: str) -> Callable[[str], str]:
    """A value checked with the model's rule `name` (printable characters, then its own)."""
    def check(text: str) -> str:
        from tui.model import rules

        try:
            return getattr(rules, name)(rules.text(text))
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    check.__name__ = name  # argparse names the type in its messages
    return check


def _shown(text: str) -> str:
    from tui.model.printable import visible

    return visible(text)


def _host_option(s: argparse.ArgumentParser) -> None:
    s.add_argument(flags.HOST_NAME, dest="host_name", metavar="NAME",
                   help="fleet files: only this host (default: every host, in order)")


def _remote_options(s: argparse.ArgumentParser, json_help: str, target: bool = True) -> None:
    s.add_argument("--json", action="store_true", help=json_help)
    s.add_argument(flags.YES, action="store_true",
                   help="never ask: fail at once if a password is set to be asked, accept warnings")
    if not target:
        return
    g = s.add_argument_group("target (overrides the answer file's [target])")
    g.add_argument(flags.HOST, type=_rule("host"), help="the Windows server to connect to")
    g.add_argument("--port", type=_port,
                   help="WinRM port (default 5986 with HTTPS, 5985 without)")
    g.add_argument("--http", action="store_true", help="plain HTTP (NTLM/Kerberos/CredSSP "
                   "encrypt the messages; Basic is refused)")
    g.add_argument(flags.USER, type=_rule("account"), help="account to log on with, DOMAIN\\name")
    g.add_argument("--transport", choices=("ntlm", "kerberos", "credssp", "basic"))
    g.add_argument(flags.CA_BUNDLE, type=_rule("local_path"), metavar="PEM",
                   help="CA certificate(s) to validate HTTPS with")
    g.add_argument(flags.NO_VERIFY, action="store_true",
                   help="do not validate the HTTPS certificate (lab only)")
    g.add_argument(flags.INSECURE, action="store_true",
                   help="allow Basic authentication over plain HTTP (isolated lab only)")


def _validate(s: argparse.ArgumentParser) -> None:
    s.add_argument("files", nargs="+", metavar="FILE")
    s.add_argument("--json", action="store_true", help="print the problems as JSON")
    s.set_defaults(run=_lazy("tui.commands.answers", "validate"))


def _schema(s: argparse.ArgumentParser) -> None:
    s.add_argument("-o", "--output", metavar="FILE", help="write it to FILE instead")
    s.add_argument("--force", action="store_true", help="replace an existing FILE")
    s.set_defaults(run=_lazy("tui.commands.answers", "schema"))


def _plan(s: argparse.ArgumentParser) -> None:
    s.add_argument("file", metavar="FILE")
    s.add_argument("--format", choices=("text", "json"), default="text")
    _host_option(s)
    s.set_defaults(run=_lazy("tui.commands.answers", "plan"))


def _import(s: argparse.ArgumentParser) -> None:
    s.add_argument("command_line", nargs="?", metavar="COMMAND_LINE",
                   help="the msiexec command line (or give --from-file, or pipe it on stdin)")
    s.add_argument("--from-file", metavar="FILE", help="a .cmd, .bat or .ps1 holding the command")
    s.add_argument("-o", "--output", metavar="FILE", help="answer file to write (default: stdout)")
    s.add_argument("--force", action="store_true", help="overwrite existing files")
    s.set_defaults(run=_lazy("tui.commands.answers", "import_"))


def _preflight(s: argparse.ArgumentParser) -> None:
    s.add_argument("file", metavar="FILE")
    _remote_options(s, "print the checks as JSON")
    _host_option(s)
    s.set_defaults(run=_lazy("tui.commands.preflight", "preflight"))


def _apply(s: argparse.ArgumentParser) -> None:
    s.add_argument("file", metavar="FILE")
    _remote_options(s, "print the events as JSON lines")
    s.add_argument("--report", metavar="FILE", help="save a Markdown and JSON report")
    s.add_argument("--force", action="store_true", help="replace an existing report")
    s.add_argument("--parallel", type=_count, default=4, metavar="N",
                   help="fleet files: hosts installed at once after the database creator")
    _host_option(s)
    s.set_defaults(run=_apply_file)


def _attach(s: argparse.ArgumentParser) -> None:
    s.add_argument("install_id", nargs="?", metavar="INSTALL_ID",
                   help="the id `apply` printed (default: the newest unfinished install)")
    _remote_options(s, "print the events as JSON lines", target=False)
    s.set_defaults(run=_lazy("tui.commands.install", "attach"))


def _check(s: argparse.ArgumentParser) -> None:
    s.add_argument("file", metavar="FILE")
    _remote_options(s, "print the items as JSON")
    from tui.engine.checklist import fixable_items

    s.add_argument(flags.FIX, action="append", default=[], metavar="ITEM",
                   help=f"fix this item ({', '.join(fixable_items())}), then check again; "
                   "repeatable")
    s.add_argument("--fix-all", action="store_true", help="fix every item that can be fixed")
    _host_option(s)
    s.add_argument("--report", metavar="FILE", help="save a Markdown and JSON report")
    s.add_argument("--force", action="store_true", help="replace an existing report")
    s.set_defaults(run=_lazy("tui.commands.install", "check"))


def _demo(s: argparse.ArgumentParser) -> None:
    s.add_argument("file", nargs="?", metavar="FILE", help="answer or fleet file (default: "
                   "contoso.toml); a fleet file runs each host on its own simulated server")
    s.add_argument("--headless", action="store_true", help="no wizard: print the steps' results")
    from tui.commands.demo import scenario_names

    s.add_argument("--scenario", default="healthy", metavar="NAME",
                   help=", ".join(scenario_names()))
    s.add_argument("--report", metavar="FILE", help="save a Markdown and JSON report")
    s.add_argument("--force", action="store_true", help="replace an existing report")
    s.add_argument("--http", action="store_true", help="sealed HTTP instead of HTTPS")
    s.add_argument("--json", action="store_true", help="print the results as JSON")
    s.add_argument("--parallel", type=_count, default=4, metavar="N",
                   help="fleet files: hosts installed at once after the database creator")
    _host_option(s)
    s.set_defaults(run=_lazy("tui.commands.demo", "demo"))


def _export(s: argparse.ArgumentParser) -> None:
    ex = s.add_subparsers(dest="format", metavar="FORMAT", required=True)
    e = ex.add_parser("ansible", formatter_class=_formatter, help="a ready-to-run Ansible "
                      "project (inventory, playbook, Vault variables)")
    e.add_argument("file", metavar="FLEET_OR_ANSWER_FILE")
    e.add_argument("-o", "--output", metavar="DIR", required=True, help="directory to write")
    e.add_argument("--serial", type=_count, default=4, metavar="N",
                   help="hosts installed at a time after the database-creating one (default 4)")
    e.add_argument("--force", action="store_true", help="write into a non-empty directory")
    e.set_defaults(run=_lazy("tui.commands.export", "ansible"))
    e = ex.add_parser("powershell", formatter_class=_formatter,
                      help="one script to run by hand on the target")
    e.add_argument("file", metavar="FILE")
    e.add_argument("-o", "--output", metavar="FILE", help="script to write (default: stdout)")
    e.add_argument("--host-name", "--host", dest="host", metavar="NAME",
                   help="the host of a fleet file to write it for")
    e.add_argument("--force", action="store_true", help="overwrite an existing file")
    e.set_defaults(run=_lazy("tui.commands.export", "powershell"))


def _edit(s: argparse.ArgumentParser) -> None:
    s.add_argument("file", nargs="?", metavar="FILE")
    s.add_argument("--theme", metavar="NAME", help="colours, e.g. ansi-dark for terminals with "
                   "few colours (also $MIMSETUP_THEME)")
    s.add_argument("--glyphs", choices=("auto", "safe", "unicode"),
                   help="safe: only glyphs the Windows console (Server Core) and the Linux "
                   "console can draw; auto (the default) chooses them there (also "
                   "$MIMSETUP_GLYPHS)")
    s.set_defaults(run=_lazy("tui.commands.wizard", "edit"))


# name -> (help, arguments). main() builds the parser of the one subcommand that runs: building
# all of them costs ~6 ms, a tenth of what `validate` itself takes.
SUBCOMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "validate": ("check answer files", _validate),
    "schema": ("print the JSON Schema of answer files", _schema),
    "plan": ("print the msiexec command line an answer file stands for", _plan),
    "import": ("turn a silent-install command line into an answer file", _import),
    "preflight": ("check the target over WinRM for everything that would make the installer "
                  "fail", _preflight),
    "apply": ("pre-flight, install and follow it, on one server or a fleet file's servers",
              _apply),
    "attach": ("follow again an install started from this machine", _attach),
    "check": ("the post-install checklist on the target", _check),
    "demo": ("run against a simulated Windows server on this machine", _demo),
    "export": ("turn an answer or fleet file into an Ansible project or a standalone PowerShell "
               "script", _export),
    "edit": ("open the wizard on an answer file (also: mimsetup FILE)", _edit),
}


def _formatter(prog: str) -> argparse.HelpFormatter:
    """argparse's help layout at the width shutil.get_terminal_size gives ($COLUMNS, else the
    terminal's, else 80), found without importing shutil: argparse makes a formatter for every
    option it declares, and its default imports shutil, with bz2 and lzma, for the width alone
    (~2% of `validate`'s start, tests/bench/bench_cli_startup.py)."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return argparse.HelpFormatter(prog, width=(columns or 80) - 2)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every subcommand, or of `only`."""
    p = argparse.ArgumentParser(
        formatter_class=_formatter,
        prog="mimsetup",
        description="Install Microsoft Identity Manager 2016 Service and Portal from a terminal: "
        "a wizard, TOML answer files, and the install itself over WinRM.",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_text, add_arguments) in SUBCOMMANDS.items():
        if only in (None, name):
            # each command's exit statuses from the one table (tui/commands/common.py)
            add_arguments(sub.add_parser(name, formatter_class=_formatter,
                                         help=f"{help_text} (exit {exit_codes_text(name)})"))
    return p


def _check_report(args: argparse.Namespace) -> None:
    """--report's files, checked before anything runs (an install is not the moment to find out
    that the report cannot be written): OutputError."""
    if getattr(args, "report", None):
        from tui.model.outputs import check_output, report_paths

        for path in report_paths(args.report):
            check_output(path, force=args.force, protect=[getattr(args, "file", None)])


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # `mimsetup`, `mimsetup FILE` and `mimsetup --theme NAME [FILE]` open the wizard, like
    # `mimsetup edit`
    if not argv or (argv[0] not in SUBCOMMANDS and argv[0] not in ("-h", "--help")):
        argv = ["edit", *argv]
    help_only = argv[0] in ("-h", "--help")
    args = build_parser(None if help_only else argv[0]).parse_args(argv)
    try:
        _check_report(args)
        return args.run(args)
    except KeyboardInterrupt:
        print("mimsetup: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_FAIL
    except Exception as exc:
        # imported here, not at the top: `validate` and `plan` never write a file
        from tui.model.outputs import OutputError

        if isinstance(exc, OutputError):
            from tui.model.printable import visible

            print(f"mimsetup: {visible(exc.message)}"
                  + (f"\n  {exc.remedy}" if exc.remedy else ""), file=sys.stderr)
            return EXIT_USAGE
        # a traceback is a bug, but the user still gets a sentence
        if os.environ.get("MIMSETUP_DEBUG"):
            raise
        print(
            f"mimsetup: internal error: {type(exc).__name__}: {exc}. Run again with "
            "MIMSETUP_DEBUG=1 for details and report it.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL

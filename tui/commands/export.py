"""`mimsetup export ansible|powershell`: a fleet or answer file as an Ansible project or as a
standalone PowerShell script. The input is validated first; an invalid file exports nothing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tui.commands.common import EXIT_FAIL, EXIT_OK, EXIT_USAGE
from tui.export.common import ExportError, Source, load_source
from tui.model.outputs import OutputError, cause, write_outputs
from tui.model.printable import visible


def _err(message: str) -> None:
    print(f"mimsetup: {visible(message)}", file=sys.stderr)


def _source(path: str) -> Source | int:
    try:
        source = load_source(path)
    except ExportError as exc:
        for p in exc.problems:
            print(p.format(), file=sys.stderr)
        _err(f"{exc}; nothing exported (`mimsetup validate {path}` lists the problems)")
        return EXIT_USAGE if exc.unreadable else EXIT_FAIL
    for p in source.problems:  # warnings
        print(p.format(), file=sys.stderr)
    return source


def ansible(args: argparse.Namespace) -> int:
    from tui.export.ansible import render

    if args.serial < 1:
        _err("--serial is the number of hosts installed at a time: 1 or more")
        return EXIT_USAGE
    source = _source(args.file)
    if isinstance(source, int):
        return source
    out = Path(args.output)
    if out.exists() and not out.is_dir():
        _err(f"{out} exists and is not a directory; give a directory with -o")
        return EXIT_USAGE
    if out.is_dir() and any(out.iterdir()) and not args.force:
        _err(f"{out} is not empty; pass --force to write over the files mimsetup generates")
        return EXIT_USAGE
    files = render(source, serial=args.serial)
    for rel in files:
        try:
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot write {visible(str(out))}: {cause(exc)}",
                              "Give another folder with -o.") from None
    # 0644: nothing here is secret (the passwords are Vault variables), and Ansible refuses an
    # ansible.cfg in a world-writable directory, not a readable one. The folder was checked
    # (empty, or --force): the project's own files are replaced.
    write_outputs([(out / rel, text, 0o644) for rel, text in files.items()], force=True,
                  protect=[args.file])
    hosts = ", ".join(h.name for h in source.hosts)
    print(f"wrote {len(files)} files to {out} for {hosts}; next: see {out / 'README.md'}",
          file=sys.stderr)
    return EXIT_OK


def powershell(args: argparse.Namespace) -> int:
    from tui.export.powershell import render

    source = _source(args.file)
    if isinstance(source, int):
        return source
    if len(source.hosts) != 1 and not args.host:
        _err(f"{args.file} is a fleet of {len(source.hosts)} hosts; a script runs on one: give "
             f"--host-name ({', '.join(h.name for h in source.hosts)})")
        return EXIT_USAGE
    host = next((h for h in source.hosts if h.name == args.host), None) if args.host else (
        source.hosts[0])
    if host is None:
        _err(f"no host {args.host} in {args.file}; its hosts: "
             + ", ".join(h.name for h in source.hosts))
        return EXIT_USAGE
    text = render(host, source.path)
    if args.output in (None, "-"):
        sys.stdout.write(text)
        return EXIT_OK
    out = Path(args.output)
    # UTF-8 with a BOM: Windows PowerShell 5.1 reads a .ps1 without one in the ANSI code page.
    write_outputs([(out, "\ufeff" + text.replace("\n", "\r\n"), 0o644)], force=args.force,
                  protect=[args.file])
    where = host.answers.target.host if host.answers.target else "the target"
    print(f"wrote {out}: copy it to {where} and run it there in an elevated PowerShell",
          file=sys.stderr)
    return EXIT_OK

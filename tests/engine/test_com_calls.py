"""COM methods are called as Microsoft documents them, in every PowerShell mimsetup ships.

A COM method reached through IDispatch is bound only when PowerShell calls it: a wrong number of
arguments or an undocumented argument value fails on Windows alone (DISP_E_BADPARAMCOUNT, or an
error from the method), never here. Each method below is listed with the arguments its
documentation gives; every call in the shipped text (tree-sitter-powershell) must fit.
"""

from __future__ import annotations

import re

import pytest

from tests.support.powershell import PARSER, shipped

SHIPPED = shipped()

# method -> (fewest, most) arguments, from the method's page on learn.microsoft.com
SIGNATURES = {
    # Windows Installer automation, Installer object
    "EnableLog": (2, 2),  # Installer.EnableLog(logMode, logFile)
    "InstallProduct": (1, 2),  # Installer.InstallProduct(packagePath [, propertyValues])
    # Task Scheduler scripting objects
    # TaskFolder.RegisterTaskDefinition(path, definition, flags, userId, password, logonType
    # [, sddl])
    "RegisterTaskDefinition": (6, 7),
    "DeleteTask": (2, 2),  # TaskFolder.DeleteTask(path, flags)
    "GetTask": (1, 1),  # TaskFolder.GetTask(path)
    "GetFolder": (1, 1),  # TaskService.GetFolder(path)
    "NewTask": (1, 1),  # TaskService.NewTask(flags), flags reserved: 0
}
# Installer.EnableLog's logMode letters; '*' is msiexec's command-line shorthand, not among them.
LOG_MODE_LETTERS = set("iwefarucmvpxo+!")


def _calls(text: str):
    """(method, [argument texts], line) of every `.Method(...)` call in the text."""
    source = text.encode("utf-8")
    found = []

    def walk(node) -> None:
        if node.type == "invokation_expression":
            name = next((c for c in node.children if c.type == "member_name"), None)
            arglist = next((c for c in node.children if c.type == "argument_list"), None)
            if name is not None and arglist is not None:
                method = source[name.start_byte:name.end_byte].decode()
                exprs = next((c for c in arglist.children
                              if c.type == "argument_expression_list"), None)
                args = [source[a.start_byte:a.end_byte].decode("utf-8", "replace")
                        for a in (exprs.children if exprs else [])
                        if a.type == "argument_expression"]
                found.append((method, args, node.start_point[0] + 1))
        for child in node.children:
            walk(child)

    walk(PARSER.parse(source).root_node)
    return found


@pytest.mark.parametrize("where", sorted(SHIPPED))
def test_com_methods_get_their_documented_arguments(where):
    wrong = []
    for method, args, line in _calls(SHIPPED[where]):
        if method not in SIGNATURES:
            continue
        low, high = SIGNATURES[method]
        if not low <= len(args) <= high:
            wrong.append(f"line {line}: {method} with {len(args)} argument(s), "
                         f"documented {low}..{high}")
        if method == "EnableLog" and args:
            mode = args[0].strip("'\"")
            if not set(mode) <= LOG_MODE_LETTERS:
                wrong.append(f"line {line}: EnableLog mode {mode!r} has undocumented letters "
                             f"{sorted(set(mode) - LOG_MODE_LETTERS)}")
    assert wrong == []


def test_the_runner_logs_verbosely_and_flushes_each_line():
    """What /l*v! asked of msiexec, asked of the API: every message type, verbose, flushed."""
    (args,) = [a for m, a, _ in _calls(SHIPPED["scripts/install-runner.ps1"]) if m == "EnableLog"]
    mode = set(args[0].strip("'\""))
    assert set("iwearucmopv!") <= mode


@pytest.mark.parametrize("where", sorted(SHIPPED))
def test_task_results_are_shown_as_windows_gives_them(where):
    """IRegisteredTask.LastTaskResult is a LONG: a failure HRESULT is a negative Int32, which
    '{0:X8}' shows as 8 digits (80070569); widened to Int64 first it reads FFFFFFFF80070569."""
    assert not re.search(r"-f\s*\[(?:int64|long)\]\s*\$[\w.]*LastTaskResult", SHIPPED[where],
                         re.IGNORECASE)


def test_the_runner_reads_the_log_it_may_still_hold_open_for_writing():
    """EnableLog's logging belongs to the runner's own process, which may keep the log open for
    writing after InstallProduct returns: ReadAllBytes (which shares read only) would fail there,
    and the logged result (3010, or the code of a failure the COM error does not carry) be lost."""
    runner = SHIPPED["scripts/install-runner.ps1"]
    body = runner[runner.index("function Get-LoggedResult"):]
    body = body[: body.index("\n}\n")]
    assert not re.search(r"ReadAll(?:Bytes|Text|Lines)\(", body)
    assert "[IO.FileShare]::ReadWrite" in body

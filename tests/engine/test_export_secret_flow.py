"""The exports are held to the engine's rule (#12.13): on the target, no password on a process
command line (process creation auditing, event 4688, and Sysmon record them) and none in a
cmdlet's parameters (Module Logging, event 4103, records them).

The generated PowerShell is read as the simulated target reads a script for Module Logging
(tui/engine/sim/modulelog.py decides which lines call a cmdlet), with the password followed
from where it enters (an environment variable, Read-Host's SecureString turned into text, a
parameter that carries it) through every assignment, `+=`, function result and function
parameter it reaches. A line that hands such a value to a cmdlet or starts a process with it is
a finding. The Ansible export's tasks may carry a password only as win_powershell parameters
(the module's payload over WinRM), with no_log, to a script that passes this reading."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.support.paths import CONTOSO
from tui.engine import scripts
from tui.engine.sim import modulelog
from tui.export import ansible, powershell
from tui.export.common import INSTALL_PS, load_source

# Where a password enters a script as text.
SOURCES = re.compile(r"GetEnvironmentVariable|PtrToStringBSTR|PtrToStringUni|"
                     r"GetNetworkCredential\(\)\.Password|\[Console\]::In\.ReadToEnd\(\)")
STARTS_A_PROCESS = re.compile(r"(?i)Start-Process|Diagnostics\.Process|ProcessStartInfo|"
                              r"\bmsiexec\b|\bcmd(\.exe)?\s+/c|\bpowershell(\.exe)?\s|^\s*&\s")
_ASSIGN = re.compile(r"^\s*\[?[\w.]*\]?\$(\w+)(?:\[[^\]]*\])?\s*[+]?=\s*(.+)$")
_FUNCTION = re.compile(r"^\s*function\s+([\w-]+)", re.I)
_RETURN = re.compile(r"^\s*return\s+(.+)$")


def leaks(text: str, tainted: set[str] = frozenset()) -> list[str]:
    """Each line that hands a password to a cmdlet or puts it on a process's command line."""
    lines = modulelog.logical_lines(text)
    tainted = set(tainted)
    producers: set[str] = set()  # functions that return a password
    params: dict[str, list[str]] = {}  # function -> its parameters
    owner: list[str | None] = []  # the function each line is in
    current = None
    for line in lines:
        if m := _FUNCTION.match(line):
            current = m[1]
            params[current] = []
        elif current and not params[current] and line.strip().startswith("param("):
            params[current] = re.findall(r"\$(\w+)", line)
        owner.append(current)

    def carries(expr: str) -> bool:
        return bool(SOURCES.search(expr)) or any(
            re.search(rf"\${v}\b", expr, re.I) for v in tainted) or any(
            re.search(rf"(?<![\w-]){re.escape(f)}\b", expr) for f in producers)

    changed = True
    while changed:  # to a fixed point: loops and functions defined before their callers
        before = (len(tainted), len(producers))
        for line, fn in zip(lines, owner, strict=True):
            if (m := _ASSIGN.match(line)) and carries(m[2]):
                tainted.add(m[1])
            if fn and (m := _RETURN.match(line)) and carries(m[1]):
                producers.add(fn)
            for name, names in params.items():
                call = re.search(rf"(?<![\w-]){re.escape(name)}\s+(.+)$", line)
                if call and not _FUNCTION.match(line) and carries(call[1]):
                    tainted.update(names)
        changed = (len(tainted), len(producers)) != before

    def handed(cmd: str, line: str) -> bool:
        """The cmdlet's arguments, or its pipeline input, carry a password."""
        before, _, after = line.partition(cmd)
        piped = before.rsplit("=", 1)[-1] if "|" in before else ""
        return carries(after) or carries(piped)

    # one line at a time: the reading's own substitution of values is not wanted here
    found = [f"{cmd}: {line.strip()}" for line in lines
             for cmd, _ in modulelog.records(line, {}) if handed(cmd, line)]
    found += [f"process: {line.strip()}" for line in lines
              if STARTS_A_PROCESS.search(line) and carries(line)]
    return found


SOURCE = load_source(CONTOSO)
PROJECT = ansible.render(SOURCE)
TASKS = yaml.safe_load(PROJECT["tasks/mimsetup.yml"])
SECRET_VARS = re.compile(r"vault_|mimsetup_arguments\b|ansible_(become_)?password")


def test_the_powershell_export_hands_no_password_to_a_cmdlet_or_a_command_line():
    for host in SOURCE.hosts:
        text = powershell.render(host, str(CONTOSO))
        # the engine's own scripts, embedded verbatim, are held to the rule by
        # test_module_logging and get no password from the export: read the rest (the reading
        # knows no scopes, and their variable names are the export's too)
        for name in ("preflight", "checklist"):
            assert scripts.text(name).rstrip("\n") in text
            text = text.replace(scripts.text(name).rstrip("\n"), "")
        assert leaks(text) == []


def test_the_install_script_hands_its_properties_to_neither():
    assert leaks(INSTALL_PS, {"Properties"}) == []
    assert PROJECT["files/install.ps1"].endswith(INSTALL_PS)


@pytest.mark.parametrize("task", TASKS, ids=lambda t: t["name"])
def test_an_ansible_task_carries_passwords_only_as_win_powershell_parameters(task):
    carried = [k for k, v in task.items() if k not in ("name", "no_log")
               and SECRET_VARS.search(yaml.safe_dump(v))]
    if not carried:
        return
    assert carried == ["ansible.windows.win_powershell"], task["name"]
    args = task["ansible.windows.win_powershell"]
    assert set(args) == {"script", "parameters"}  # no executable, no arguments
    assert not SECRET_VARS.search(args["script"])
    assert str(task["no_log"]).startswith("{{ mimsetup_no_log | default(true)")
    script = PROJECT[re.search(r"files/[\w-]+\.ps1", args["script"])[0]]
    holding = {k for k, v in args["parameters"].items() if SECRET_VARS.search(str(v))}
    assert leaks(script, holding) == []


# The reading must be able to fail: what the exports did before (#12.13) and the usual ways.
@pytest.mark.parametrize("script", [
    # the PowerShell export's install as it was: msiexec's command line held the passwords
    "function Read-Secret {\n    param($S)\n    $v = [Environment]::GetEnvironmentVariable($S)\n"
    "    return $v\n}\n$secrets = @{}\n$secrets['A'] = Read-Secret 'X'\n$line = 'ADDLOCAL=x'\n"
    "foreach ($n in $secrets.Keys) {\n    $line += ' ' + $n + '=' + $secrets[$n]\n}\n"
    "function Invoke-Install {\n    param([string]$Line)\n"
    "    $proc = Start-Process -FilePath msiexec.exe -ArgumentList $Line -PassThru\n}\n"
    "$code = Invoke-Install $line\n",
    "$p = [Runtime.InteropServices.Marshal]::PtrToStringBSTR($b)\n"
    "& msiexec.exe /i x.msi \"PW=$p\"\n",
    "$raw = [Console]::In.ReadToEnd()\n$doc = $raw | ConvertFrom-Json\n",
    "$pw = [Environment]::GetEnvironmentVariable('X')\n"
    "[Diagnostics.Process]::Start('msiexec.exe', '/i x.msi PW=' + $pw)\n",
])
def test_the_reading_sees_a_leak(script):
    assert leaks(script) != []


def test_the_old_ansible_install_is_refused():
    """win_package put the properties on msiexec's command line."""
    old = {"name": "Install", "ansible.windows.win_package": {
        "path": "{{ mimsetup_msi_path }}", "arguments": "{{ mimsetup_arguments }}"},
        "no_log": "{{ mimsetup_no_log | default(true) | bool }}"}
    with pytest.raises(AssertionError):
        test_an_ansible_task_carries_passwords_only_as_win_powershell_parameters(old)

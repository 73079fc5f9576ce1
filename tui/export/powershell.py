"""`mimsetup export powershell`: one script an admin runs by hand on the target, in an elevated
Windows PowerShell 5.1: the pre-flight, the install with the MSI log followed live, then the
checklist.

It is built from what `mimsetup` itself runs: preflight.ps1 and checklist.ps1 are embedded
verbatim as script blocks and receive the same `$Params` (as JSON: they hold no password); the
install gets the engine's public properties (`runner.property_text`) with the secret properties
appended in memory the way install-start.ps1 appends them; the log is filtered with the engine's
rules (log-filter.json). Passwords are never in the script: each comes from an environment
variable (read with .NET), or from Read-Host -AsSecureString (turned into text with Marshal, not
a cmdlet).

The install goes through the Windows Installer API (common.INSTALL_PS, run in a runspace of its
own by the .NET API while this one shows the log): no process command line holds a password
(event 4688, Sysmon) and no cmdlet is handed one (Module Logging, event 4103). It runs in the
admin's own session rather than as a scheduled task: on the server's own console the admin's logon
carries credentials to the SQL Server (no double hop), and a closed window is the admin's to
avoid.
"""

from __future__ import annotations

import json
import re

from tui.engine import msilog, outcomes, scripts
from tui.engine.checklist import ITEMS, MANUAL, checklist_params
from tui.engine.preflight import preflight_params
from tui.engine.results import interpret
from tui.engine.runner import property_text
from tui.export.common import GENERATED_BY, INSTALL_PS, PACKAGE_PS, Host, env_var
from tui.model.printable import visible

# msiexec codes the script explains (reference, section 3); others get the generic sentence.
EXPLAINED_CODES = (0, 3010, 1641, 1603, 1618, 1619, 1620, 1638, 1602)
SUCCESS_CODES = (0, 3010, 1641)
EXIT_PREFLIGHT = 2  # the script's own exit code when the pre-flight stops it
EXIT_CHECKLIST = 3  # ... when the install worked but a checklist item failed
_PS_QUOTES = re.compile("['\u2018\u2019\u201a\u201b]")  # all single quotes to PowerShell


def ps_string(value: str) -> str:
    """A PowerShell single-quoted (verbatim) string; PowerShell takes the typographic single
    quotes as quotes too, so they are doubled like '."""
    return "'" + _PS_QUOTES.sub(lambda m: m.group(0) * 2, value) + "'"


def ps_json(value: object) -> str:
    """A value as `@'<json>'@ | ConvertFrom-Json`. The JSON is one ASCII line starting with { or
    [, so it can never hold the here-string's end ('@ at the start of a line)."""
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return f"(@'\n{text}\n'@ | ConvertFrom-Json)"


def _secrets(h: Host) -> str:
    from tui.engine.job import secret_needs

    # each prompt is the field's title, as the wizard and `mimsetup apply` ask
    titles = {n.prop: n.label for n in secret_needs(h.answers)}
    rows = []
    for prop, ref in h.plan.secret_properties().items():
        names = [env_var(prop)] + ([ref.env] if ref.kind == "env" and ref.env else [])
        rows.append("    @{ Name = " + ps_string(prop) + "; Env = @("
                    + ", ".join(ps_string(n) for n in names) + "); Title = "
                    + ps_string(titles.get(prop, f"Value of {prop}")) + " }")
    return "@(\n" + ",\n".join(rows) + "\n)" if rows else "@()"


def _exit_codes() -> str:
    rows = []
    for code in EXPLAINED_CODES:
        o = interpret(code)
        # after a success this script runs the checklist itself: no `mimsetup check` to suggest
        then = "The checklist follows." if code in SUCCESS_CODES else o.next_steps
        rows.append(f"    {code} = @({ps_string(o.outcome)}, {ps_string(o.message)}, "
                    f"{ps_string(then)})")
    return "@{\n" + "\n".join(rows) + "\n}"


def _manual_items() -> str:
    return "@(" + ", ".join(ps_string(f"{i}|{ITEMS[i][0]}") for i in sorted(MANUAL)) + ")"


def _worded(params: dict, section: str) -> dict:
    """The script's params with the outcomes catalog, so that the script words its own report."""
    return {**params, "outcomes": outcomes.section(section)}


def _embedded(name: str) -> str:
    """A target script as a script block literal, verbatim."""
    return "{\n" + scripts.text(name).rstrip("\n") + "\n}"


def render(h: Host, source_path: str) -> str:
    a = h.answers
    plan = h.plan
    target = a.target.host if a.target else h.name
    envs = ", ".join(env_var(p) for p in plan.secret_properties()) or "none"
    rules = msilog.filter_rules()
    return f"""# mimsetup: install MIM 2016 Service and Portal on {target} ({h.name}).
# {visible(GENERATED_BY.format(source=source_path))}
#Requires -Version 5.1
#Requires -RunAsAdministrator
<#
.SYNOPSIS
Pre-flight, install and post-install checklist of MIM 2016 Service and Portal, run by hand on
{target} in an elevated Windows PowerShell.

.DESCRIPTION
The same steps as `mimsetup apply`: the pre-flight (every check the installer would fail on, in
plain words), the install with the properties of `mimsetup plan` while the MSI log is shown live,
then the walkthrough's checklist. Passwords are read from environment variables ({envs}) or asked
with Read-Host -AsSecureString; they are never written into this file, and never put on a process
command line or in a cmdlet's parameters: the install goes through the Windows Installer API.

Exit code: 0 installed (or already installed) and checklist passed; {EXIT_PREFLIGHT} the
pre-flight found a problem; {EXIT_CHECKLIST} installed but a checklist item failed; otherwise
Windows Installer's own code (1 when the install could not start).

.PARAMETER SkipPreflight
Do not run the pre-flight.

.PARAMETER IgnorePreflight
Install even when a pre-flight check failed.

.PARAMETER SkipChecklist
Do not run the checklist after the install.
#>
[CmdletBinding()]
param(
    [switch]$SkipPreflight,
    [switch]$IgnorePreflight,
    [switch]$SkipChecklist
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# --- what the answer file says (no secrets) ------------------------------------------------------
$MsiPath = {ps_string(plan.msi_path)}
$LogPath = {ps_string(plan.log_path)}
# the MSI properties as `mimsetup plan` writes them, without the passwords
$Properties = {ps_string(property_text(plan))}
# the passwords the install needs: from the first environment variable set, else asked
$SecretProperties = {_secrets(h)}
$PreflightParams = {ps_json(_worded(preflight_params(a), "preflight"))}
$ChecklistParams = {ps_json(_worded(checklist_params(a), "checklist"))}
# which MSI log lines are worth showing (mimsetup's log-filter.json; case-sensitive)
$LogFilter = {ps_json(rules)}
$ExitCodes = {_exit_codes()}
$ManualItems = {_manual_items()}

# --- mimsetup's own target scripts, verbatim ------------------------------------------------------
$PreflightScript = {_embedded("preflight")}

$ChecklistScript = {_embedded("checklist")}

# --- the install through the Windows Installer API (the Ansible export runs the same) -------------
$InstallScript = {{
{INSTALL_PS.rstrip(chr(10))}
}}

# --- helpers -------------------------------------------------------------------------------------
function Invoke-Report {{
    # Runs one of the scripts above and returns its JSON report. preflight.ps1 writes it to the
    # console ([Console]::Out), checklist.ps1 to the pipeline: both are captured.
    param([scriptblock]$Block, $Params)
    $writer = New-Object System.IO.StringWriter
    $console = [Console]::Out
    [Console]::SetOut($writer)
    try {{
        $output = @(& $Block $Params)
    }}
    finally {{
        [Console]::SetOut($console)
    }}
    $lines = @($writer.ToString() -split "`r?`n") + @($output | ForEach-Object {{ [string]$_ }})
    $json = @($lines | Where-Object {{ $_.Trim().StartsWith('{{') }}) | Select-Object -Last 1
    if (-not $json) {{
        throw 'The script printed no report.'
    }}
    return ($json | ConvertFrom-Json)
}}

function Write-Row {{
    param([string]$Status, [string]$Id, [string]$Message, [string]$Remedy)
    $colors = @{{ pass = 'Green'; warn = 'Yellow'; fail = 'Red'; unknown = 'Yellow' }}
    $color = $colors[$Status]
    if (-not $color) {{
        $color = 'Gray'
    }}
    Write-Host ('  [{{0,-7}}] {{1}}: {{2}}' -f $Status, $Id, $Message) -ForegroundColor $color
    if ($Remedy -and $Status -ne 'pass') {{
        Write-Host ('            -> ' + $Remedy)
    }}
}}

function Read-Secret {{
    param($Secret)
    foreach ($name in $Secret.Env) {{
        $value = [Environment]::GetEnvironmentVariable($name)
        if ($value) {{
            Write-Host "$($Secret.Name): from environment variable $name"
            return $value
        }}
    }}
    $secure = Read-Host -AsSecureString -Prompt $Secret.Title
    $bstr = [Runtime.InteropServices.Marshal]::SecureStringToBSTR($secure)
    try {{
        return [Runtime.InteropServices.Marshal]::PtrToStringBSTR($bstr)
    }}
    finally {{
        [Runtime.InteropServices.Marshal]::ZeroFreeBSTR($bstr)
    }}
}}

{PACKAGE_PS}
$ProductCode = Get-PackageCode $MsiPath

function Test-Installed {{
    return (Test-MimInstalled $ProductCode)
}}

function Test-Shown {{
    param([string]$Line)
    foreach ($pattern in $LogFilter.exclude) {{
        if ([regex]::IsMatch($Line, $pattern)) {{
            return $false
        }}
    }}
    foreach ($pattern in @($LogFilter.include) + @($LogFilter.context_triggers)) {{
        if ([regex]::IsMatch($Line, $pattern)) {{
            return $true
        }}
    }}
    return $false
}}

function Wait-Install {{
    # Runs the install (a PowerShell object holding $InstallScript and its parameters) in its own
    # runspace and shows the MSI log's lines that matter meanwhile; returns the script's output:
    # Windows Installer's code and what went wrong in words. The log is flushed line by line
    # (EnableLog's '!', as /l*v!), so it can be read while the install writes it.
    param($Install)
    $async = $Install.BeginInvoke()
    $reader = $null
    $pending = ''
    try {{
        while ($true) {{
            $ended = $async.IsCompleted
            if ($null -eq $reader -and (Test-Path -LiteralPath $LogPath)) {{
                $share = [IO.FileShare]::ReadWrite -bor [IO.FileShare]::Delete
                $stream = [IO.File]::Open($LogPath, [IO.FileMode]::Open, [IO.FileAccess]::Read,
                    $share)
                # detects the UTF-16 byte order mark Windows Installer writes
                $reader = New-Object IO.StreamReader($stream, [Text.Encoding]::UTF8, $true)
            }}
            if ($null -ne $reader) {{
                $pending += $reader.ReadToEnd()
                $parts = $pending -split "`n"
                $pending = $parts[$parts.Count - 1]
                for ($i = 0; $i -lt $parts.Count - 1; $i++) {{
                    $text = $parts[$i].TrimEnd("`r")
                    if (Test-Shown $text) {{
                        Write-Host ('   ' + $text)
                    }}
                }}
            }}
            if ($ended) {{
                break
            }}
            Start-Sleep -Milliseconds 250
        }}
    }}
    finally {{
        if ($null -ne $reader) {{
            $reader.Dispose()
        }}
    }}
    try {{
        $output = @($Install.EndInvoke($async))
    }}
    catch {{
        $output = @(1, ('The install could not start: ' + $_.Exception.Message))
    }}
    finally {{
        $Install.Dispose()
    }}
    return $output
}}

# --- 1. pre-flight -------------------------------------------------------------------------------
$installed = Test-Installed
if ($installed) {{
    Write-Host "== MIM Service and Portal is installed already ($ProductCode)."
    Write-Host '   Going on with the checklist.'
}}
else {{
    $secrets = @{{}}
    foreach ($secret in $SecretProperties) {{
        $secrets[$secret.Name] = Read-Secret $secret
    }}
    if (-not $SkipPreflight) {{
        Write-Host '== Pre-flight: what would make the installer fail'
        $report = Invoke-Report $PreflightScript $PreflightParams
        foreach ($check in $report.checks) {{
            Write-Row $check.status $check.id $check.message $check.remedy
        }}
        $failed = @($report.checks | Where-Object {{ $_.status -eq 'fail' }})
        if ($failed.Count -gt 0 -and -not $IgnorePreflight) {{
            $ids = ($failed | ForEach-Object {{ $_.id }}) -join ', '
            Write-Host "== Pre-flight failed: $ids." -ForegroundColor Red
            Write-Host ('   Fix them (see the remedies above) and run this script again, ' +
                'or pass -IgnorePreflight.')
            exit {EXIT_PREFLIGHT}
        }}
    }}

    # --- 2. install ------------------------------------------------------------------------------
    Write-Host "== Installing $MsiPath with $Properties (passwords not shown)"
    # the passwords join the properties in memory only (Windows Installer's syntax: a double
    # quote written twice) and reach the install through the .NET API
    $line = $Properties
    foreach ($name in $secrets.Keys) {{
        $line += ' ' + $name + '="' + ($secrets[$name] -replace '"', '""') + '"'
    }}
    $secrets = $null
    Remove-Item -LiteralPath $LogPath -Force -ErrorAction SilentlyContinue
    $install = [PowerShell]::Create()
    [void]$install.AddScript($InstallScript.ToString())
    [void]$install.AddParameter('MsiPath', $MsiPath)
    [void]$install.AddParameter('LogPath', $LogPath)
    [void]$install.AddParameter('Properties', $line)
    $line = $null
    $started = Get-Date
    $result = @(Wait-Install $install)
    $install = $null
    $code = [int]$result[0]
    if ($result.Count -gt 1 -and $result[1]) {{
        Write-Host ('   ' + $result[1]) -ForegroundColor Red
    }}
    if ($code -lt 0) {{
        $code = 1  # no code from Windows Installer: the words above say what happened
    }}
    $minutes = [math]::Round(((Get-Date) - $started).TotalMinutes, 1)
    $meaning = $ExitCodes[[int]$code]
    if ($null -eq $meaning) {{
        $meaning = @('failed', "The installation failed with Windows Installer code $code.",
            'Look the code up (net helpmsg) and read the log.')
    }}
    Write-Host "== $($meaning[1]) ($minutes min)"
    Write-Host "   next: $($meaning[2])"
    Write-Host "   log: $LogPath"
    if (@({", ".join(str(c) for c in SUCCESS_CODES)}) -notcontains [int]$code) {{
        Write-Host '   The lines before "Return value 3" in the log say what failed.'
        exit $code
    }}
}}

# --- 3. checklist --------------------------------------------------------------------------------
if ($SkipChecklist) {{
    exit 0
}}
Write-Host '== Checklist: the walkthrough''s post-install checks'
$report = Invoke-Report $ChecklistScript $ChecklistParams
foreach ($item in @($report.items)) {{
    $detail = $item.message
    if ($item.evidence) {{
        $detail += " ($($item.evidence))"
    }}
    Write-Row $item.status $item.id $detail $item.remedy
}}
foreach ($manual in $ManualItems) {{
    $id, $title = $manual.Split('|', 2)
    Write-Row 'manual' $id "$($title): tick it when done." ''
}}
if (@($report.items | Where-Object {{ $_.status -eq 'fail' }}).Count -gt 0) {{
    exit {EXIT_CHECKLIST}
}}
exit 0
"""

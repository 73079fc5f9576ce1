# mimsetup-script: bootstrap
# Runs every mimsetup script. The script and its parameters (secrets included) arrive on stdin as
# one JSON document, so that no secret is ever part of a command line or of a script's text
# (Script Block Logging records script text, not stdin). The document is parsed with a .NET call,
# not ConvertFrom-Json: Module Logging (event 4103) records a cmdlet's parameter values, and the
# whole document, secrets included, would be ConvertFrom-Json's InputObject.
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$mode = [string]$ExecutionContext.SessionState.LanguageMode
if ($mode -ne 'FullLanguage') {
    # Constrained Language Mode (WDAC, AppLocker): COM, most .NET calls and Add-Type fail, the
    # next lines included. Say so as a document mimsetup words (outcomes.json), and stop.
    '{"refused": {"id": "language-mode", "reason": "not-full", "values": {"mode": "' + $mode + '"}}}'
    exit 3
}
[Console]::InputEncoding = New-Object System.Text.UTF8Encoding $false
[Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false
[void][Reflection.Assembly]::LoadWithPartialName('System.Web.Extensions')
$serializer = New-Object System.Web.Script.Serialization.JavaScriptSerializer
$serializer.MaxJsonLength = [int]::MaxValue
$doc = $serializer.DeserializeObject([Console]::In.ReadToEnd())
$block = [scriptblock]::Create($doc['script'])
& $block $doc['params']

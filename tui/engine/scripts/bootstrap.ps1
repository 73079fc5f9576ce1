# mimsetup-script: bootstrap
# Runs every mimsetup script. The script and its parameters (secrets included) arrive on stdin as
# one JSON document, so that no secret is ever part of a command line or of a script's text
# (Script Block Logging records script text, not stdin).
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
[Console]::InputEncoding = New-Object System.Text.UTF8Encoding $false
[Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false
$raw = [Console]::In.ReadToEnd()
$doc = $raw | ConvertFrom-Json
$block = [scriptblock]::Create($doc.script)
& $block $doc.params

# mimsetup-script: install-start
# Starts msiexec outside the WinRM shell, as a scheduled task under the install account: the
# install then survives a dropped connection (a WinRS shell's processes die with it), and that
# logon can reach a remote SQL Server (no double hop).
# The passwords arrive in $Params on stdin. They reach msiexec through a work folder that only
# SYSTEM, Administrators and the install account can open, sealed with DPAPI; the task's runner
# deletes the sealed file before it starts msiexec. They are never in a script's text, in the task
# definition (Register-ScheduledTask hands the account password to the Task Scheduler service),
# or in a file left behind.
param($Params)
$ErrorActionPreference = 'Stop'

$work = Join-Path $env:WINDIR ('Temp\mimsetup-' + $Params.install_id)
New-Item -ItemType Directory -Path $work -Force | Out-Null
$acl = New-Object System.Security.AccessControl.DirectorySecurity
$acl.SetAccessRuleProtection($true, $false)
foreach ($who in @('NT AUTHORITY\SYSTEM', 'BUILTIN\Administrators', $Params.run_as_user)) {
    $rule = New-Object System.Security.AccessControl.FileSystemAccessRule(
        $who, 'FullControl', 'ContainerInherit,ObjectInherit', 'None', 'Allow')
    $acl.AddAccessRule($rule)
}
Set-Acl -LiteralPath $work -AclObject $acl

Add-Type -AssemblyName System.Security
$secretJson = ConvertTo-Json -InputObject $Params.secret_properties -Compress
$sealed = [Security.Cryptography.ProtectedData]::Protect(
    [Text.Encoding]::UTF8.GetBytes($secretJson), $null, 'LocalMachine')
[IO.File]::WriteAllBytes((Join-Path $work 'secrets.bin'), $sealed)
$secretJson = $null
[IO.File]::WriteAllText((Join-Path $work 'arguments.txt'), $Params.arguments,
    (New-Object System.Text.UTF8Encoding $false))
Remove-Item -LiteralPath (Join-Path $work 'status.json') -ErrorAction SilentlyContinue

$runner = @'
$ErrorActionPreference = 'Stop'
$work = Split-Path -Parent $MyInvocation.MyCommand.Path
$statusPath = Join-Path $work 'status.json'
$code = -1
$problem = $null
try {
    Add-Type -AssemblyName System.Security
    $sealedPath = Join-Path $work 'secrets.bin'
    $sealed = [IO.File]::ReadAllBytes($sealedPath)
    Remove-Item -LiteralPath $sealedPath -Force
    $plain = [Security.Cryptography.ProtectedData]::Unprotect($sealed, $null, 'LocalMachine')
    $secrets = [Text.Encoding]::UTF8.GetString($plain) | ConvertFrom-Json
    $line = [IO.File]::ReadAllText((Join-Path $work 'arguments.txt'))
    foreach ($p in $secrets.PSObject.Properties) {
        $line += ' ' + $p.Name + '="' + ($p.Value -replace '"', '""') + '"'
    }
    $msiexec = Join-Path $env:WINDIR 'System32\msiexec.exe'
    $proc = Start-Process -FilePath $msiexec -ArgumentList $line -PassThru
    $null = $proc.Handle  # without it ExitCode stays empty after WaitForExit
    $line = $null
    $running = @{ state = 'running'; pid = $proc.Id; started = (Get-Date).ToString('o') }
    ConvertTo-Json -InputObject $running -Compress | Set-Content -LiteralPath $statusPath
    $proc.WaitForExit()
    $code = $proc.ExitCode
}
catch {
    $problem = $_.Exception.Message
}
$done = @{ state = 'done'; exit_code = $code; error = $problem; finished = (Get-Date).ToString('o') }
ConvertTo-Json -InputObject $done -Compress | Set-Content -LiteralPath $statusPath
'@
[IO.File]::WriteAllText((Join-Path $work 'run.ps1'), $runner, (New-Object System.Text.UTF8Encoding $false))

$action = New-ScheduledTaskAction -Execute 'powershell.exe' `
    -Argument ('-NoProfile -NonInteractive -ExecutionPolicy Bypass -File "' + $work + '\run.ps1"')
$settings = New-ScheduledTaskSettingsSet -ExecutionTimeLimit (New-TimeSpan -Hours 4) `
    -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries
Register-ScheduledTask -TaskName $Params.task_name -Action $action -Settings $settings `
    -User $Params.run_as_user -Password $Params.run_as_password -RunLevel Highest -Force | Out-Null
Start-ScheduledTask -TaskName $Params.task_name

$result = @{
    started = $true
    task_name = $Params.task_name
    work_dir = $work
    status_path = (Join-Path $work 'status.json')
    log_path = $Params.log_path
}
ConvertTo-Json -InputObject $result -Compress

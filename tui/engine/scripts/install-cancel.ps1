# mimsetup-script: install-cancel
# Cancels a running install: ends the runner, the process whose Windows Installer API call is the
# install's client; the Windows Installer service then rolls back what it had done. A runner
# stopped this way cannot write its result, so this script writes it (1602, cancelled): the
# follow then ends instead of waiting for a status that would never come.
param($Params)
$ErrorActionPreference = 'Continue'
$statusPath = [string]$Params.status_path
$stopped = $false
$status = $null
try {
    $status = [IO.File]::ReadAllText($statusPath) | ConvertFrom-Json
}
catch {
    $status = $null
}
# mimsetup-include: runner-process
if ($null -ne $status -and $status.state -eq 'running' -and $status.pid) {
    try {
        # Only the process seen to be the runner is ended.
        if ($true -eq (Test-RunnerProcess $status)) {
            $proc = [Diagnostics.Process]::GetProcessById([int]$status.pid)
            $proc.Kill()
            [void]$proc.WaitForExit(30000)
            $stopped = $true
        }
    }
    catch {
        $stopped = $false
    }
}
if ($stopped) {
    $done = @{ state = 'done'; exit_code = 1602; pid = $status.pid;
        finished = (Get-Date).ToUniversalTime().ToString('o') }
    $tmp = $statusPath + '.tmp'
    [IO.File]::WriteAllText($tmp, (ConvertTo-Json -InputObject $done -Compress))
    [void][IO.File]::Replace($tmp, $statusPath, $null)
}
ConvertTo-Json -InputObject @{ stopped = $stopped } -Compress

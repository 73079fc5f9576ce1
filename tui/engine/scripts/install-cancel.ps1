# mimsetup-script: install-cancel
# Cancels a running install: ends the runner, the process whose Windows Installer API call is the
# install's client; the Windows Installer service then rolls back what it had done. A runner
# stopped this way cannot write its result, so this script writes it (1602, cancelled): the
# follow then ends instead of waiting for a status that would never come.
param($Params)
$ErrorActionPreference = 'Continue'
$statusPath = [string]$Params.status_path
$stopped = $false
# mimsetup-include: runner-process
$status = Read-Status $statusPath
$rolledBack = $null
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
    # Windows Installer rolls back after its client is gone, holding Global\_MSIExecute: the
    # result is written when the mutex is free (a retry at once would get 1618), or after the
    # limit, saying so.
    $limit = 300
    if ($Params.rollback_wait_seconds) {
        $limit = [double]$Params.rollback_wait_seconds
    }
    $deadline = (Get-Date).AddSeconds($limit)
    $rolledBack = $false
    while (-not $rolledBack) {
        try {
            $mutex = [Threading.Mutex]::OpenExisting('Global\_MSIExecute')
            $mutex.Dispose()
        }
        catch [Threading.WaitHandleCannotBeOpenedException] {
            $rolledBack = $true
            break
        }
        catch {
            $null = $_  # cannot be opened by this logon: held
        }
        if ((Get-Date) -ge $deadline) {
            break
        }
        Start-Sleep -Milliseconds 500
    }
    $done = @{ state = 'done'; exit_code = 1602; pid = $status.pid;
        finished = (Get-Date).ToUniversalTime().ToString('o') }
    if (-not $rolledBack) {
        $done.error = ('The install was cancelled; Windows Installer was still rolling it back after ' +
            $limit + ' s (Global\_MSIExecute held): another install started now would get 1618.')
    }
    $tmp = $statusPath + '.tmp'
    [IO.File]::WriteAllText($tmp, (ConvertTo-Json -InputObject $done -Compress))
    [void][IO.File]::Replace($tmp, $statusPath, $null)
}
ConvertTo-Json -InputObject @{ stopped = $stopped; rolled_back = $rolledBack } -Compress

# mimsetup-script: install-cancel
# Cancels a running install: ends the runner, the process whose Windows Installer API call is the
# install's client; the Windows Installer service then rolls back what it had done. A runner
# stopped this way cannot write its result, so this script writes it (1602, cancelled) once the
# rollback is over: the follow then ends instead of waiting for a status that would never come.
# Before the runner is ended, a marker beside the status (<status>.cancel: when, the wait's limit,
# the runner's pid) tells install-tail that the runner's end is a cancel whose result is coming,
# not a runner stopped. status.json itself is left to the runner until it is gone: the runner
# replaces it with its own result, which an earlier write here could overwrite.
# Its answer: stopped, rolled_back, and when not stopped, why (reason): 'finished' (the runner
# wrote its result, exit_code), 'not-running' (no process is the runner), 'unconfirmed' (a process
# with its pid whose start time cannot be read: not ended on a guess), 'refused' (the kill failed;
# error: Windows's words), 'no-status' (no status.json to find the runner by).
param($Params)
$ErrorActionPreference = 'Continue'
$statusPath = [string]$Params.status_path
$markerPath = $statusPath + '.cancel'
$stopped = $false
$marked = $false
$limit = 300
if ($Params.rollback_wait_seconds) {
    $limit = [double]$Params.rollback_wait_seconds
}
# mimsetup-include: runner-process

# Atomic, as the runner writes its status: a reader never sees half a marker.
function Write-Json([string]$path, $fields) {
    $tmp = $path + '.tmp'
    [IO.File]::WriteAllText($tmp, (ConvertTo-Json -InputObject $fields -Compress))
    if ([IO.File]::Exists($path)) {
        [void][IO.File]::Replace($tmp, $path, $null)
    }
    else {
        [IO.File]::Move($tmp, $path)
    }
}

$status = Read-Status $statusPath
$rolledBack = $null
$reason = $null
$why = $null
if ($null -eq $status) {
    $reason = 'no-status'
}
elseif ($status.state -eq 'done') {
    $reason = 'finished'
}
elseif ($status.state -ne 'running' -or -not $status.pid) {
    $reason = 'not-running'
}
elseif ($true -eq (Test-RunnerProcess $status)) {
    # Only the process seen to be the runner is ended.
    try {
        $proc = [Diagnostics.Process]::GetProcessById([int]$status.pid)
        try {
            Write-Json $markerPath @{ requested = (Get-Date).ToUniversalTime().ToString('o');
                wait_seconds = $limit; pid = $status.pid }
            $marked = $true
        }
        catch {
            # Cancelled all the same: the follow then reports the runner gone (and rolled
            # back), as it would without a marker.
            $null = $_
        }
        $proc.Kill()
        [void]$proc.WaitForExit(30000)
        $stopped = $true
    }
    catch {
        # Access denied (Win32Exception), or it ended between the look and the kill
        # (InvalidOperationException): which one, the status and the process say.
        $stopped = $false
        $why = $_.Exception.Message
        $last = Read-Status $statusPath
        if ($null -ne $last -and $last.state -eq 'done') {
            $status = $last
            $reason = 'finished'
        }
        elseif ($false -ne (Test-RunnerProcess $status)) {
            $reason = 'refused'  # still there, or not seen gone
        }
        else {
            $reason = 'not-running'
        }
    }
}
elseif ($false -ne (Test-RunnerProcess $status)) {
    $reason = 'unconfirmed'
}
else {
    $reason = 'not-running'
}
if ($marked -and -not $stopped) {
    # Not ended (it ended on its own, or the kill was refused): its own result is to come. Only
    # this run's marker goes: another cancel's, still waiting for its rollback, stays.
    try {
        [IO.File]::Delete($markerPath)
    }
    catch {
        $null = $_
    }
}
if ($stopped) {
    # Windows Installer rolls back after its client is gone, holding Global\_MSIExecute: the
    # result is written when the mutex is free (a retry at once would get 1618), or after the
    # limit, saying so.
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
    # A runner killed after it wrote its own result (between the look and the kill) keeps it.
    $last = Read-Status $statusPath
    if ($null -eq $last -or $last.state -ne 'done') {
        Write-Json $statusPath $done
    }
}
$answer = @{ stopped = $stopped; rolled_back = $rolledBack; reason = $reason; error = $why;
    pid = $null; exit_code = $null }
if ($null -ne $status) {
    $answer.pid = $status.pid
    if ($reason -eq 'finished') {
        $answer.exit_code = $status.exit_code
    }
}
ConvertTo-Json -InputObject $answer -Compress

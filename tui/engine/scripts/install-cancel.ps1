# mimsetup-script: install-cancel
# Cancels a running install: ends the runner, the process whose Windows Installer API call is the
# install's client; the Windows Installer service then rolls back what it had done. A runner
# stopped this way cannot write its result, so this script writes it (1602, cancelled) once the
# rollback is over: the follow then ends instead of waiting for a status that would never come.
# Before the runner is ended, a marker beside the status (<status>.cancel: when, the wait's limit,
# the runner's pid) tells install-tail that the runner's end is a cancel whose result is coming,
# not a runner stopped. status.json itself is left to the runner until it is gone: the runner
# replaces it with its own result, which an earlier write here could overwrite.
# Its answer: stopped, rolled_back, status_written (whether its result could be written),
# completed (the install's log says it had succeeded before the runner was ended: exit_code is
# its code, not 1602), and why (reason). Stopped by an earlier cancel: 'already-cancelled' (its result, cancelled_by
# install-cancel, is written), 'under-way' (its marker for this runner is within its limit, or
# the runner ended by another's kill while this one's was refused: rolled_back not known here).
# Not stopped: 'finished' (the runner wrote its result, exit_code), 'not-running' (no process is
# the runner), 'unconfirmed' (a process with its pid whose start time cannot be read: not ended
# on a guess), 'refused' (the kill failed; error: Windows's words), 'no-status' (no status.json
# to find the runner by).
param($Params)
$ErrorActionPreference = 'Continue'
$statusPath = [string]$Params.status_path
$markerPath = $statusPath + '.cancel'
$stopped = $false
$marked = $false
$statusWritten = $null
$wait = $false  # this run ended the runner (or saw it end): it waits for the rollback
$completed = $null
$logPath = [string]$Params.log_path
# This run's marker, told from another cancel's: only this run's is ever deleted here.
$nonce = [guid]::NewGuid().ToString()
$limit = 300
if ($Params.rollback_wait_seconds) {
    $limit = [double]$Params.rollback_wait_seconds
}
# mimsetup-include: runner-process
# mimsetup-include: installer-result

# Atomic, as the runner writes its status: a reader never sees half a marker. Retried as the
# runner's Write-Status is (a scanner or a reader holding the file makes File.Replace throw
# IOException or UnauthorizedAccessException for a moment); $true once written.
function Write-Json([string]$path, $fields, [int]$tries = 1) {
    $tmp = $path + '.tmp'
    $text = ConvertTo-Json -InputObject $fields -Compress
    for ($try = 1; $try -le $tries; $try++) {
        try {
            [IO.File]::WriteAllText($tmp, $text)
            if ([IO.File]::Exists($path)) {
                [void][IO.File]::Replace($tmp, $path, $null)
            }
            else {
                [IO.File]::Move($tmp, $path)
            }
            return $true
        }
        catch {
            if ($try -ge $tries) {
                throw
            }
            Start-Sleep -Milliseconds (200 * $try)
        }
    }
}

# Whether the runner is gone, or ends within 5 s (another cancel's kill is ending it): a marker
# whose cancel died before its kill must not stop this one from ending a runner that runs on.
function Test-RunnerEnds($status) {
    if ($false -ne (Test-RunnerProcess $status)) {
        try {
            $other = [Diagnostics.Process]::GetProcessById([int]$status.pid)
            return $other.WaitForExit(5000)
        }
        catch [ArgumentException] {
            return $true  # no process with that id any more
        }
        catch {
            return $false
        }
    }
    return $true  # seen gone
}

$status = Read-Status $statusPath
$rolledBack = $null
$reason = $null
$why = $null
if ($null -eq $status) {
    $reason = 'no-status'
}
elseif ($status.state -eq 'done' -and $status.cancelled_by -eq 'install-cancel') {
    # An earlier cancel ended it and wrote its result: this one says so, not "finished".
    $stopped = $true
    $rolledBack = $status.rolled_back
    $reason = 'already-cancelled'
    if ($status.completed_before_cancel) {
        $completed = $status.exit_code
    }
}
elseif ($status.state -eq 'done') {
    $reason = 'finished'
}
elseif ($status.state -ne 'running' -or -not $status.pid) {
    $reason = 'not-running'
}
elseif ($true -eq (Test-CancelUnderWay $statusPath $status) -and (Test-RunnerEnds $status)) {
    # An earlier cancel ended it and waits for the rollback: its marker stays, nothing is killed
    # twice (a second Kill while the first is ending the process is refused).
    $stopped = $true
    $reason = 'under-way'
}
elseif ($true -eq (Test-RunnerProcess $status)) {
    # Only the process seen to be the runner is ended.
    $proc = $null
    try {
        $proc = [Diagnostics.Process]::GetProcessById([int]$status.pid)
        try {
            $marked = Write-Json $markerPath @{ requested = (Get-Date).ToUniversalTime().ToString('o');
                wait_seconds = $limit; pid = $status.pid; nonce = $nonce }
        }
        catch {
            # Cancelled all the same: the follow then reports the runner gone (and rolled
            # back), as it would without a marker.
            $null = $_
        }
        $proc.Kill()
        [void]$proc.WaitForExit(30000)
        $stopped = $true
        $wait = $true
    }
    catch {
        # Access denied (Win32Exception), or it ended between the look and the kill
        # (InvalidOperationException): which one, the status and the process say. Kill also
        # throws "Access is denied" while the process is already terminating (TerminateProcess
        # is asynchronous): another cancel's kill. A process that ends within 5 s was ended, not
        # refused: the rollback is waited for and the result written as for this run's kill.
        $stopped = $false
        $why = $_.Exception.Message
        $ended = $false
        if ($null -ne $proc) {
            try {
                $ended = $proc.WaitForExit(5000)
            }
            catch {
                $null = $_
            }
        }
        $last = Read-Status $statusPath
        if ($null -ne $last -and $last.state -eq 'done' -and $last.cancelled_by -eq 'install-cancel') {
            $status = $last
            $stopped = $true
            $rolledBack = $last.rolled_back
            $reason = 'already-cancelled'
            if ($last.completed_before_cancel) {
                $completed = $last.exit_code
            }
        }
        elseif ($null -ne $last -and $last.state -eq 'done') {
            $status = $last
            $reason = 'finished'
        }
        elseif ($ended) {
            $stopped = $true
            $wait = $true
            $reason = 'under-way'
            $why = $null
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
    # this run's marker goes: another cancel's (written over this one's), still waiting for its
    # rollback, stays.
    try {
        $mine = Read-Status $markerPath
        if ($null -ne $mine -and [string]$mine.nonce -eq $nonce) {
            [IO.File]::Delete($markerPath)
        }
    }
    catch {
        $null = $_
    }
}
if ($wait) {
    # Windows Installer rolls back after its client is gone, holding Global\_MSIExecute: the
    # result is written when the mutex is free (a retry at once would get 1618), or after the
    # limit, saying so.
    # A Stopwatch, not the clock: a daylight-saving change or a clock step does not move it.
    $waited = [Diagnostics.Stopwatch]::StartNew()
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
        if ($waited.Elapsed.TotalSeconds -ge $limit) {
            break
        }
        Start-Sleep -Milliseconds 500
    }
    $done = @{ state = 'done'; exit_code = 1602; pid = $status.pid; rolled_back = $rolledBack;
        cancelled_by = 'install-cancel'; finished = (Get-Date).ToUniversalTime().ToString('o') }
    # "Rolled back" is told by the mutex being free, which it also is after an install that
    # completed: killed after InstallFinalize committed, or after InstallProduct returned and
    # before the runner wrote its result. The install's own log says which (Get-LoggedResult,
    # installer-result): a success there is the result written, not 1602.
    if ($rolledBack -and $logPath) {
        $logged = Get-LoggedResult $logPath
        if ($null -ne $logged -and @(0, 3010, 1641) -contains $logged) {
            $done.exit_code = $logged
            $done.rolled_back = $false
            $done.completed_before_cancel = $true
            $completed = $logged
        }
    }
    if (-not $rolledBack) {
        $done.error = ('The install was cancelled; Windows Installer was still rolling it back after ' +
            $limit + ' s (Global\_MSIExecute held): another install started now would get 1618.')
    }
    # A runner killed after it wrote its own result (between the look and the kill) keeps it.
    $last = Read-Status $statusPath
    if ($null -eq $last -or $last.state -ne 'done') {
        # Retried; a write that still fails is said (status_written false): the follow then
        # ends, once the marker's time is over, saying the cancel's result was never written.
        try {
            $statusWritten = Write-Json $statusPath $done 5
        }
        catch {
            $statusWritten = $false
            $why = $_.Exception.Message
        }
    }
}
$answer = @{ stopped = $stopped; rolled_back = $rolledBack; reason = $reason; error = $why;
    pid = $null; exit_code = $null; status_written = $statusWritten; completed = $null }
if ($null -ne $completed) {
    # Not rolled back: the install had completed before the cancel ended its runner.
    $answer.rolled_back = $false
    $answer.completed = $true
    $answer.exit_code = $completed
}
if ($null -ne $status) {
    $answer.pid = $status.pid
    if ($reason -eq 'finished') {
        $answer.exit_code = $status.exit_code
    }
}
ConvertTo-Json -InputObject $answer -Compress

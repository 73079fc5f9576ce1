# mimsetup-script: runner-process
# Whether the install runner named by status.json (its pid and start time) still runs, for the
# scripts that act on it (install-tail, install-cleanup, install-cancel include this text). $true
# or $false when seen; $null when it cannot be told: the process exists but its start time cannot
# be read (another logon's process, access denied). A runner is never called gone, cleaned up
# under, or killed on what was not seen.
function Test-RunnerProcess($status) {
    try {
        $proc = [Diagnostics.Process]::GetProcessById([int]$status.pid)
    }
    catch {
        return $false  # no process with that id
    }
    try {
        $started = $proc.StartTime.ToUniversalTime().ToString('s')
    }
    catch {
        return $null
    }
    if (-not $status.process_started) {
        return $null
    }
    return ($started -eq ([datetime]$status.process_started).ToUniversalTime().ToString('s'))
}

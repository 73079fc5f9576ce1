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

# status.json as the runner last wrote it, or $null. Opened sharing read, write and delete: the
# runner replaces the file atomically (File.Replace), which a reader holding it with read sharing
# only (as reading the whole file at once does) would make fail.
function Read-Status([string]$path) {
    try {
        if (-not [IO.File]::Exists($path)) {
            return $null
        }
        $share = [IO.FileShare]::ReadWrite -bor [IO.FileShare]::Delete
        $fs = [IO.File]::Open($path, [IO.FileMode]::Open, [IO.FileAccess]::Read, $share)
        try {
            $reader = New-Object IO.StreamReader($fs)
            return ($reader.ReadToEnd() | ConvertFrom-Json)
        }
        finally {
            $fs.Dispose()
        }
    }
    catch {
        return $null
    }
}

# install-cancel leaves <status>.cancel (when, its wait's limit, the runner's pid, its run's nonce)
# before it ends the runner, and writes "done" (1602) once Windows Installer's rollback is over,
# tens of seconds later. $true: a cancel of this runner is under way (its result is to come);
# $false: a cancel of this runner ended it but never wrote its result (its marker is older than
# its limit and 60 s for the runner's exit, up to 30 s, and the writes); $null: no marker for it.
# One copy for install-tail and install-cancel, which include this text.
function Test-CancelUnderWay([string]$statusPath, $status) {
    $marker = Read-Status ($statusPath + '.cancel')
    if ($null -eq $marker -or [string]$marker.pid -ne [string]$status.pid) {
        return $null
    }
    try {
        $requested = $marker.requested
        if ($requested -isnot [datetime]) {
            $requested = [datetime]::Parse([string]$requested,
                [Globalization.CultureInfo]::InvariantCulture,
                [Globalization.DateTimeStyles]::RoundtripKind)
        }
        $until = $requested.ToUniversalTime().AddSeconds([double]$marker.wait_seconds + 60)
    }
    catch {
        return $null  # not a marker install-cancel wrote
    }
    return ([DateTime]::UtcNow -lt $until)
}

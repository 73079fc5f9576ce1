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

# mimsetup-script: install-tail
# Follows the MSI log by byte offset and sends only the lines that matter, in batches, each with
# the offset the log has been read to: after a reconnect the client starts again from the last
# offset it received, so no line is lost or repeated. Ends when the install's status file says
# done and the log is read to its end, or after max_seconds (the client then runs it again).
param($Params)
$ErrorActionPreference = 'Stop'

$include = @($Params.include | ForEach-Object { New-Object Text.RegularExpressions.Regex($_) })
$exclude = @($Params.exclude | ForEach-Object { New-Object Text.RegularExpressions.Regex($_) })
$contextTriggers = @($Params.context_patterns | ForEach-Object {
    New-Object Text.RegularExpressions.Regex($_)
})
$contextSize = [int]$Params.context_lines
$offset = [int64]$Params.offset
$recent = New-Object 'System.Collections.Generic.Queue[string]'
$deadline = (Get-Date).AddSeconds([double]$Params.max_seconds)
$lastSent = Get-Date
$out = [Console]::Out
$pending = New-Object 'System.Collections.Generic.List[string]'

function Test-Any($regexes, [string]$line) {
    foreach ($r in $regexes) {
        if ($r.IsMatch($line)) {
            return $true
        }
    }
    return $false
}

function Send-Batch($lines, [int64]$at, [bool]$done, $exitCode) {
    $batch = @{ lines = @($lines); offset = $at }
    if ($done) {
        $batch.done = $true
        $batch.exit_code = $exitCode
    }
    $out.WriteLine((ConvertTo-Json -InputObject $batch -Compress -Depth 3))
    $out.Flush()
}

function Get-Status {
    if (-not (Test-Path -LiteralPath $Params.status_path)) {
        return $null
    }
    try {
        return Get-Content -Raw -LiteralPath $Params.status_path | ConvertFrom-Json
    }
    catch {
        return $null
    }
}

while ($true) {
    $status = Get-Status
    $lines = New-Object 'System.Collections.Generic.List[string]'
    $grew = $false
    if (Test-Path -LiteralPath $Params.log_path) {
        $share = [IO.FileShare]::ReadWrite -bor [IO.FileShare]::Delete
        $fs = [IO.File]::Open($Params.log_path, [IO.FileMode]::Open, [IO.FileAccess]::Read, $share)
        try {
            $head = New-Object byte[] 4
            $headLength = $fs.Read($head, 0, 4)
            $utf16 = ($headLength -ge 2) -and (($head[0] -eq 0xFF -and $head[1] -eq 0xFE) -or $head[1] -eq 0)
            $bom = 0
            if ($headLength -ge 2 -and $head[0] -eq 0xFF -and $head[1] -eq 0xFE) {
                $bom = 2
            }
            elseif ($headLength -ge 3 -and $head[0] -eq 0xEF -and $head[1] -eq 0xBB -and $head[2] -eq 0xBF) {
                $bom = 3
            }
            if ($offset -lt $bom) {
                $offset = $bom
            }
            $available = $fs.Length - $offset
            if ($available -gt 0) {
                $buffer = New-Object byte[] $available
                [void]$fs.Seek($offset, [IO.SeekOrigin]::Begin)
                $read = 0
                while ($read -lt $available) {
                    $n = $fs.Read($buffer, $read, $available - $read)
                    if ($n -le 0) {
                        break
                    }
                    $read += $n
                }
                $end = -1
                if ($utf16) {
                    for ($i = $read - 2; $i -ge 0; $i -= 2) {
                        if ($buffer[$i] -eq 0x0A -and $buffer[$i + 1] -eq 0) {
                            $end = $i + 2
                            break
                        }
                    }
                }
                else {
                    $end = [Array]::LastIndexOf($buffer, [byte]0x0A, $read - 1) + 1
                }
                if ($end -gt 0) {
                    $encoding = [Text.Encoding]::UTF8
                    if ($utf16) {
                        $encoding = [Text.Encoding]::Unicode
                    }
                    $text = $encoding.GetString($buffer, 0, $end)
                    $offset += $end
                    $grew = $true
                    foreach ($line in $text.Split("`n")) {
                        $line = $line.TrimEnd("`r")
                        if ($line.Length -eq 0) {
                            continue
                        }
                        # Property lines can hold a password put in the wrong property: an
                        # excluded line is never sent, not even as context.
                        if (Test-Any $exclude $line) {
                            continue
                        }
                        if (Test-Any $contextTriggers $line) {
                            while ($recent.Count -gt 0) {
                                $lines.Add($recent.Dequeue())
                            }
                            $lines.Add($line)
                        }
                        elseif (Test-Any $include $line) {
                            $recent.Clear()
                            $lines.Add($line)
                        }
                        else {
                            $recent.Enqueue($line)
                            while ($recent.Count -gt $contextSize) {
                                [void]$recent.Dequeue()
                            }
                        }
                    }
                }
            }
        }
        finally {
            $fs.Dispose()
        }
    }
    $now = Get-Date
    $pendingOffset = $offset
    if ($null -ne $status -and $status.state -eq 'done' -and -not $grew) {
        foreach ($line in $lines) {
            $pending.Add($line)
        }
        Send-Batch $pending $offset $true $status.exit_code
        break
    }
    foreach ($line in $lines) {
        $pending.Add($line)
    }
    # Lines wait up to batch_seconds so that a burst travels in one answer; with nothing to send,
    # an offset checkpoint goes out every checkpoint_seconds (below WinRM's operation timeout).
    $since = ($now - $lastSent).TotalSeconds
    if (($pending.Count -gt 0 -and $since -ge [double]$Params.batch_seconds) -or $since -ge [double]$Params.checkpoint_seconds) {
        Send-Batch $pending $pendingOffset $false $null
        $pending.Clear()
        $lastSent = $now
    }
    if ($now -gt $deadline) {
        if ($pending.Count -gt 0) {
            Send-Batch $pending $offset $false $null
        }
        break
    }
    Start-Sleep -Milliseconds ([int]$Params.poll_ms)
}

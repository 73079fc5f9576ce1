# mimsetup-script: install-tail
# Follows the MSI log by byte offset and sends only the lines that matter, in batches, each with
# the offset the log has been read to: after a reconnect the client starts again from the last
# offset it received, so no line is lost or repeated. Ends when the install's status file says
# done and the log is read to its end; when the runner is gone without saying done (its task
# stopped, killed at its time limit, a restart, never started), with a sentence saying so; or
# after max_seconds (the client then runs it again). A runner ended by install-cancel is not
# gone: the cancel's result (1602) is waited for while the rollback runs.
param($Params)
$ErrorActionPreference = 'Stop'

function New-Regexes($patterns) {
    $list = New-Object 'System.Collections.Generic.List[Text.RegularExpressions.Regex]'
    foreach ($p in @($patterns)) {
        if ($null -ne $p) {
            $list.Add((New-Object Text.RegularExpressions.Regex([string]$p)))
        }
    }
    return ,$list
}

$include = New-Regexes $Params.include
$exclude = New-Regexes $Params.exclude
$contextTriggers = New-Regexes $Params.context_patterns
$scriptStart = New-Regexes $Params.script_start
$scriptEnd = New-Regexes $Params.script_end
$includeInScript = New-Regexes $Params.include_in_script
$contextSize = [int]$Params.context_lines
# What the functions below change, in one hashtable: a scriptblock run by the bootstrap has no
# script scope of its own for $script: to reach.
$S = @{ offset = [int64]$Params.offset; in_script = [bool]$Params.in_script; restarted = $false }
$recent = New-Object 'System.Collections.Generic.Queue[string]'
$deadline = (Get-Date).AddSeconds([double]$Params.max_seconds)
$began = Get-Date
$lastSent = Get-Date
$out = [Console]::Out
$pending = New-Object 'System.Collections.Generic.List[string]'
$deadSince = $null

# mimsetup-include: runner-process

function Test-Any($regexes, [string]$line) {
    foreach ($r in $regexes) {
        if ($r.IsMatch($line)) {
            return $true
        }
    }
    return $false
}

function Send-Batch($lines, [int64]$at, $final) {
    $batch = @{ lines = @($lines); offset = $at; in_script = $S.in_script }
    if ($S.restarted) {
        $batch.log_restarted = $true
        $S.restarted = $false
    }
    if ($null -ne $final) {
        $batch.done = $true
        $batch.exit_code = $final.exit_code
        if ($final.error) {
            $batch.error = [string]$final.error
        }
        if ($final.runner_gone) {
            $batch.runner_gone = $true
        }
    }
    $out.WriteLine((ConvertTo-Json -InputObject $batch -Compress -Depth 3))
    $out.Flush()
}

function Get-Status {
    return (Read-Status ([string]$Params.status_path))
}

# Why nothing will ever write "done", or $null while the runner may still be at work. The task
# is read before the status file, and the runner writes its status before it ends, so a runner
# that ends between the two reads is seen as done, never as gone.
function Get-RunnerGone($status) {
    if ($null -ne $status -and $status.state -eq 'running' -and $status.pid) {
        if ($false -ne (Test-RunnerProcess $status)) {
            return $null  # running, or cannot be told: not gone
        }
        # Test-CancelUnderWay (runner-process): a runner ended by install-cancel is not gone
        # while its result (1602, after the rollback) is to come.
        $cancel = Test-CancelUnderWay ([string]$Params.status_path) $status
        if ($true -eq $cancel) {
            return $null  # ended by install-cancel, whose result comes after the rollback
        }
        if ($false -eq $cancel) {
            return ('The install runner (PID ' + $status.pid + ') was ended by a mimsetup ' +
                'cancel whose result was never written; whether Windows Installer rolled back ' +
                'is unknown: the log on the target shows how far it got.')
        }
        return ('The install runner (PID ' + $status.pid + ', scheduled task ' + $Params.task_name +
            ') ended without reporting a result: it was stopped (Stop-ScheduledTask, the task''s ' +
            'time limit or a restart of the server). Windows Installer rolls back an install ' +
            'whose runner is gone; the log on the target shows how far it got.')
    }
    if ($null -ne $status) {
        return $null
    }
    $task = $null
    try {
        $service = New-Object -ComObject Schedule.Service
        $service.Connect()
        $task = $service.GetFolder('\').GetTask($Params.task_name)
    }
    catch {
        $task = $null
    }
    if ($null -ne (Get-Status)) {
        return $null
    }
    if ($null -eq $task) {
        return ('The install runner never reported and its scheduled task ' + $Params.task_name +
            ' is gone: the install did not start.')
    }
    # 2 queued, 4 running; 267011 (0x41303) "has not yet run"
    if ($task.State -eq 2 -or $task.State -eq 4) {
        return $null
    }
    if ($task.LastTaskResult -eq 267011) {
        if (((Get-Date) - $began).TotalSeconds -lt 60) {
            return $null
        }
        return ('The scheduled task ' + $Params.task_name + ' that runs the install never ' +
            'started (Task Scheduler: it has not run).')
    }
    return ('The install runner (scheduled task ' + $Params.task_name + ') ended without ' +
        'starting the install (task result 0x' + ('{0:X8}' -f $task.LastTaskResult) + ').')
}

function Read-NewLines($lines) {
    if (-not [IO.File]::Exists($Params.log_path)) {
        return $false
    }
    $share = [IO.FileShare]::ReadWrite -bor [IO.FileShare]::Delete
    $fs = [IO.File]::Open($Params.log_path, [IO.FileMode]::Open, [IO.FileAccess]::Read, $share)
    try {
        $head = New-Object byte[] 4
        $headLength = $fs.Read($head, 0, 4)
        $bom = 0
        $encoding = [Text.Encoding]::Default  # no BOM and not UTF-16: ANSI, the system code page
        $utf16 = $false
        if ($headLength -ge 2 -and $head[0] -eq 0xFF -and $head[1] -eq 0xFE) {
            $bom = 2
            $utf16 = $true
        }
        elseif ($headLength -ge 3 -and $head[0] -eq 0xEF -and $head[1] -eq 0xBB -and $head[2] -eq 0xBF) {
            $bom = 3
            $encoding = [Text.Encoding]::UTF8
        }
        elseif ($headLength -ge 2 -and $head[1] -eq 0 -and $head[0] -ne 0) {
            $utf16 = $true
        }
        if ($utf16) {
            $encoding = [Text.Encoding]::Unicode
        }
        if ($fs.Length -lt $S.offset) {
            # Shorter than what was read: a new log replaced the one followed so far.
            $S.offset = 0
            $S.restarted = $true
            $S.in_script = $false
            $recent.Clear()
        }
        if ($S.offset -lt $bom) {
            $S.offset = $bom
        }
        if ($utf16 -and (($S.offset - $bom) % 2) -ne 0) {
            $S.offset -= 1  # a UTF-16 code unit starts at an even distance from the BOM
        }
        $available = $fs.Length - $S.offset
        if ($available -le 0) {
            return $false
        }
        $buffer = New-Object byte[] $available
        [void]$fs.Seek($S.offset, [IO.SeekOrigin]::Begin)
        $read = 0
        while ($read -lt $available) {
            $n = $fs.Read($buffer, $read, $available - $read)
            if ($n -le 0) {
                break
            }
            $read += $n
        }
        if ($read -le 0) {
            return $false
        }
        $end = -1
        if ($utf16) {
            # From the last whole code unit back: an odd byte count ends in half a character.
            for ($i = $read - 2 - ($read % 2); $i -ge 0; $i -= 2) {
                if ($buffer[$i] -eq 0x0A -and $buffer[$i + 1] -eq 0) {
                    $end = $i + 2
                    break
                }
            }
        }
        else {
            $end = [Array]::LastIndexOf($buffer, [byte]0x0A, $read - 1) + 1
        }
        if ($end -le 0) {
            return $false
        }
        $text = $encoding.GetString($buffer, 0, $end)
        $S.offset += $end
        foreach ($line in $text.Split("`n")) {
            $line = $line.TrimEnd("`r")
            if ($line.Length -eq 0) {
                continue
            }
            # Property lines, PROPERTY CHANGE, Command Line and CustomActionData can hold a
            # password in clear: an excluded line is never sent, not even as context.
            if (Test-Any $exclude $line) {
                continue
            }
            if (Test-Any $scriptStart $line) {
                $S.in_script = $true
            }
            elseif (Test-Any $scriptEnd $line) {
                $S.in_script = $false
            }
            if (Test-Any $contextTriggers $line) {
                while ($recent.Count -gt 0) {
                    $lines.Add($recent.Dequeue())
                }
                $lines.Add($line)
            }
            elseif ((Test-Any $include $line) -or ($S.in_script -and (Test-Any $includeInScript $line))) {
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
        return $true
    }
    finally {
        $fs.Dispose()
    }
}

while ($true) {
    $status = Get-Status
    $lines = New-Object 'System.Collections.Generic.List[string]'
    $grew = Read-NewLines $lines
    $now = Get-Date
    foreach ($line in $lines) {
        $pending.Add($line)
    }
    if (-not $grew) {
        if ($null -ne $status -and $status.state -eq 'done') {
            Send-Batch $pending $S.offset $status
            break
        }
        $gone = Get-RunnerGone $status
        if ($null -ne $gone) {
            # Seen twice, a poll apart, before it is believed.
            if ($null -ne $deadSince) {
                Send-Batch $pending $S.offset @{ exit_code = $null; error = $gone; runner_gone = $true }
                break
            }
            $deadSince = $now
        }
        else {
            $deadSince = $null
        }
    }
    # Lines wait up to batch_seconds so that a burst travels in one answer; with nothing to send,
    # an offset checkpoint goes out every checkpoint_seconds (below WinRM's operation timeout).
    $since = ($now - $lastSent).TotalSeconds
    if (($pending.Count -gt 0 -and $since -ge [double]$Params.batch_seconds) -or $since -ge [double]$Params.checkpoint_seconds) {
        Send-Batch $pending $S.offset $null
        $pending.Clear()
        $lastSent = $now
    }
    if ($now -gt $deadline) {
        if ($pending.Count -gt 0) {
            Send-Batch $pending $S.offset $null
        }
        break
    }
    Start-Sleep -Milliseconds ([int]$Params.poll_ms)
}

# mimsetup-script: install-runner
# Runs in the scheduled task install-start registers, as the install account; its text is read
# from the work folder by the task's -EncodedCommand (never run as a file, which an AllSigned
# policy would refuse). It installs through the Windows Installer API, so no process command line
# holds a property, writes status.json (running, then done with the exit code and its own error
# text), and removes its task when it ends: no task with a stored password outlives the install.
param($Work)
$ErrorActionPreference = 'Stop'
$statusPath = [IO.Path]::Combine($Work, 'status.json')
$sealedPath = [IO.Path]::Combine($Work, 'secrets.bin')
[void][Reflection.Assembly]::LoadWithPartialName('System.Web.Extensions')
$serializer = New-Object System.Web.Script.Serialization.JavaScriptSerializer
$me = [Diagnostics.Process]::GetCurrentProcess()
$job = $null

# Atomic (a reader never sees half a file) and retried: the status is the follow's only news of
# the result.
function Write-Status($fields) {
    $fields['pid'] = $me.Id
    $fields['process_started'] = $me.StartTime.ToUniversalTime().ToString('o')
    $text = $serializer.Serialize($fields)
    $tmp = $statusPath + '.tmp'
    for ($try = 1; $try -le 5; $try++) {
        try {
            [IO.File]::WriteAllText($tmp, $text)
            if ([IO.File]::Exists($statusPath)) {
                [void][IO.File]::Replace($tmp, $statusPath, $null)
            }
            else {
                [IO.File]::Move($tmp, $statusPath)
            }
            return
        }
        catch {
            Start-Sleep -Milliseconds (200 * $try)
        }
    }
}

# The engine's own result, from the log's last "MainEngineThread is returning N" (not localised):
# the COM call reports success without 3010 and some failures without a Win32 code. The log is
# opened sharing read and write: EnableLog's logging belongs to this process, which may still
# hold the file open for writing (ReadAllBytes, sharing read only, would then fail and the
# result would be lost).
function Get-LoggedResult([string]$path) {
    try {
        $share = [IO.FileShare]::ReadWrite -bor [IO.FileShare]::Delete
        $fs = [IO.File]::Open($path, [IO.FileMode]::Open, [IO.FileAccess]::Read, $share)
        try {
            $length = [int][Math]::Min($fs.Length, 65536)
            $from = $fs.Length - $length
            [void]$fs.Seek($from, [IO.SeekOrigin]::Begin)
            $bytes = New-Object byte[] $length
            $read = 0
            while ($read -lt $length) {
                $n = $fs.Read($bytes, $read, $length - $read)
                if ($n -le 0) {
                    break
                }
                $read += $n
            }
        }
        finally {
            $fs.Dispose()
        }
        $start = [int]($from % 2)  # UTF-16 code units begin at even offsets of the file
        # UTF-16 (as EnableLog writes it), else the ANSI code page (a log without a BOM).
        $texts = @([Text.Encoding]::Unicode.GetString($bytes, $start, $read - $start),
            [Text.Encoding]::Default.GetString($bytes, 0, $read))
        foreach ($text in $texts) {
            $found = [Text.RegularExpressions.Regex]::Matches($text, 'MainEngineThread is returning (\d+)')
            if ($found.Count -gt 0) {
                return [int]$found[$found.Count - 1].Groups[1].Value
            }
        }
    }
    catch {
    }
    return $null
}

$code = -1
$problem = $null
try {
    Write-Status @{ state = 'running'; started = (Get-Date).ToUniversalTime().ToString('o') }
    $job = $serializer.DeserializeObject([IO.File]::ReadAllText([IO.Path]::Combine($Work, 'install.json')))
    Add-Type -AssemblyName System.Security
    $sealed = [IO.File]::ReadAllBytes($sealedPath)
    [IO.File]::Delete($sealedPath)
    $secretText = [Text.Encoding]::UTF8.GetString(
        [Security.Cryptography.ProtectedData]::Unprotect($sealed, $null, 'LocalMachine'))
    $installer = New-Object -ComObject WindowsInstaller.Installer
    $installer.UILevel = 2  # msiUILevelNone, as /qn
    # Installer.EnableLog(logMode, logFile): two arguments (a third is DISP_E_BADPARAMCOUNT) and
    # only the documented letters ('*' is the command line's, not the API's): 'voicewarmup' is
    # /l*v (the documentation's own example), '!' flushes every line.
    $installer.EnableLog('voicewarmup!', $job['log_path'])
    try {
        $installer.InstallProduct($job['package'], $job['properties'] + $secretText)
        $code = 0
    }
    catch {
        $e = $_.Exception
        while ($null -ne $e.InnerException) {
            $e = $e.InnerException
        }
        $hr = $e.HResult
        if ((($hr -shr 16) -band 0x1FFF) -eq 7) {
            $code = $hr -band 0xFFFF  # HRESULT_FROM_WIN32: the Windows Installer error code
        }
        else {
            $problem = 'Windows Installer: ' + $e.Message
        }
    }
    $secretText = $null
    $logged = Get-LoggedResult $job['log_path']
    if ($null -ne $logged -and ($code -eq 0 -or $code -eq -1)) {
        # The engine's own result; the automation interface's generic error (DISP_E_EXCEPTION,
        # "InstallProduct,PackagePath,PropertyValues") adds nothing to it.
        $code = $logged
        $problem = $null
    }
}
catch {
    $problem = $_.Exception.Message
}
finally {
    try {
        if ([IO.File]::Exists($sealedPath)) {
            [IO.File]::Delete($sealedPath)
        }
    }
    catch {
    }
    Write-Status @{ state = 'done'; exit_code = $code; error = $problem; finished = (Get-Date).ToUniversalTime().ToString('o') }
    try {
        $taskName = 'mimsetup-install-' + [IO.Path]::GetFileName($Work).Substring(9)
        $service = New-Object -ComObject Schedule.Service
        $service.Connect()
        $service.GetFolder('\').DeleteTask($taskName, 0)
    }
    catch {
    }
}

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

# mimsetup-include: installer-result

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
        $failed = Get-InstallerError $_
        $code = $failed.code
        $problem = $failed.problem
    }
    $secretText = $null
    $result = Complete-InstallResult $code $problem $job['log_path']
    $code = $result.code
    $problem = $result.problem
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

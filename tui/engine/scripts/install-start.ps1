# mimsetup-script: install-start
# Starts the install outside the WinRM shell, as a scheduled task under the install account: the
# install then survives a dropped connection (a WinRS shell's processes die with it), and that
# logon can reach a remote SQL Server (no double hop).
#
# Where the passwords go, and where they never go:
# - They arrive in $Params on stdin (parsed by the bootstrap with .NET, not a cmdlet).
# - The secret MSI properties are sealed with DPAPI (machine scope) into a work folder that only
#   SYSTEM, Administrators and the install account can open; the runner deletes the sealed file
#   before it starts the install, and every failure here deletes it too.
# - The install starts through the Windows Installer API (WindowsInstaller.Installer COM, in the
#   runner): no msiexec command line holds a property, so process-creation auditing (event 4688,
#   Sysmon 1) records none.
# - The task is registered with the Task Scheduler COM API, not Register-ScheduledTask: Module
#   Logging (event 4103) records cmdlet parameter values, -Password included; COM and .NET
#   method calls are not recorded. The runner deletes its task (and the stored password with it)
#   when it ends; install-cleanup removes it too.
# - The task's command line starts powershell with -EncodedCommand: a few fixed lines that read
#   the runner's text from the work folder. A Group Policy execution policy (AllSigned) refuses
#   an unsigned `-File run.ps1` whatever -ExecutionPolicy says; it does not apply to a command's
#   text.
# Nothing from the answer file becomes code: the work folder's name is built from the install id
# (checked below), and every user value travels as data (files, COM arguments).
param($Params)
$ErrorActionPreference = 'Stop'

$id = [string]$Params.install_id
if (-not [Text.RegularExpressions.Regex]::IsMatch($id, '^[0-9A-Za-z-]{1,64}$')) {
    throw 'install_id must be letters, digits and dashes.'
}
$work = [IO.Path]::Combine($env:WINDIR, 'Temp\mimsetup-' + $id)
$taskName = 'mimsetup-install-' + $id
$logPath = [string]$Params.log_path
$result = @{
    started = $false
    task_name = $taskName
    work_dir = $work
    status_path = [IO.Path]::Combine($work, 'status.json')
    log_path = $logPath
}
$registered = $false
$createdWork = $false
$folder = $null

function New-ProtectedAcl([string[]]$who) {
    # Only these accounts, nothing inherited from the parent (C:\Windows\Temp lets Users create
    # files; a folder under C:\ gives Authenticated Users read access).
    $acl = New-Object System.Security.AccessControl.DirectorySecurity
    $acl.SetAccessRuleProtection($true, $false)
    foreach ($name in $who) {
        $rule = New-Object System.Security.AccessControl.FileSystemAccessRule(
            $name, 'FullControl', 'ContainerInherit,ObjectInherit', 'None', 'Allow')
        $acl.AddAccessRule($rule)
    }
    return ,$acl
}

try {
    # msiexec does not create the log's folder: a missing one fails the install with 1622. The
    # verbose log may hold property values the package does not hide: a folder mimsetup creates
    # is readable by SYSTEM and Administrators only, from its first moment.
    $logDir = [IO.Path]::GetDirectoryName($logPath)
    if ($logDir -and -not [IO.Directory]::Exists($logDir)) {
        [void][IO.Directory]::CreateDirectory($logDir, (New-ProtectedAcl @('NT AUTHORITY\SYSTEM', 'BUILTIN\Administrators')))
        $result.created_log_folder = $logDir
    }
    # An earlier attempt's log at the same path is overwritten only when Windows Installer opens
    # it, seconds after the runner starts: renamed now, so the follow never reads the old one.
    if ([IO.File]::Exists($logPath)) {
        $previous = [IO.Path]::Combine($logDir,
            [IO.Path]::GetFileNameWithoutExtension($logPath) + '.before-' + $id +
            [IO.Path]::GetExtension($logPath))
        [IO.File]::Move($logPath, $previous)
        $result.previous_log = $previous
    }

    # Created in one step with its protected ACL: never a moment with C:\Windows\Temp's inherited
    # rights. A folder already there is not ours to use (nor to delete).
    if ([IO.Directory]::Exists($work) -or [IO.File]::Exists($work)) {
        throw ('The work folder ' + $work + ' already exists; it was left as it is.')
    }
    [void][IO.Directory]::CreateDirectory($work, (New-ProtectedAcl @('NT AUTHORITY\SYSTEM', 'BUILTIN\Administrators', [string]$Params.run_as_user)))
    $createdWork = $true

    # The secret properties in Windows Installer's property syntax (a double quote written twice),
    # sealed at once; only .NET calls touch them.
    $secretText = New-Object Text.StringBuilder
    $secrets = $Params.secret_properties
    if ($null -ne $secrets) {
        foreach ($name in @($secrets.Keys)) {
            if (-not [Text.RegularExpressions.Regex]::IsMatch([string]$name, '^[A-Z][A-Z0-9_]*$')) {
                throw 'A secret property name is not an MSI property name.'
            }
            [void]$secretText.Append(' ').Append($name).Append('="')
            [void]$secretText.Append(([string]$secrets[$name]).Replace('"', '""')).Append('"')
        }
    }
    Add-Type -AssemblyName System.Security
    $sealed = [Security.Cryptography.ProtectedData]::Protect(
        [Text.Encoding]::UTF8.GetBytes($secretText.ToString()), $null, 'LocalMachine')
    [void]$secretText.Clear()
    [IO.File]::WriteAllBytes([IO.Path]::Combine($work, 'secrets.bin'), $sealed)

    $utf8 = New-Object System.Text.UTF8Encoding $false
    [void][Reflection.Assembly]::LoadWithPartialName('System.Web.Extensions')
    $serializer = New-Object System.Web.Script.Serialization.JavaScriptSerializer
    $job = @{
        package = [string]$Params.package
        properties = [string]$Params.properties
        log_path = $logPath
        task_name = $taskName
    }
    [IO.File]::WriteAllText([IO.Path]::Combine($work, 'install.json'), $serializer.Serialize($job), $utf8)
    [IO.File]::WriteAllText([IO.Path]::Combine($work, 'run.ps1'), [string]$Params.runner, $utf8)
    [IO.File]::Delete($result.status_path)

    $boot = "`$w = '" + $work + "'`r`n" +
        "& ([scriptblock]::Create([IO.File]::ReadAllText(`$w + '\run.ps1'))) `$w"
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($boot))

    $service = New-Object -ComObject Schedule.Service
    $service.Connect()
    $folder = $service.GetFolder('\')
    $definition = $service.NewTask(0)
    $definition.RegistrationInfo.Description = 'mimsetup: installs MIM Service and Portal, then removes itself'
    $definition.Principal.RunLevel = 1  # TASK_RUNLEVEL_HIGHEST
    $definition.Settings.ExecutionTimeLimit = 'PT4H'
    $definition.Settings.DisallowStartIfOnBatteries = $false
    $definition.Settings.StopIfGoingOnBatteries = $false
    $definition.Settings.MultipleInstances = 2  # TASK_INSTANCES_IGNORE_NEW
    $action = $definition.Actions.Create(0)  # TASK_ACTION_EXEC
    $action.Path = [IO.Path]::Combine($env:WINDIR, 'System32\WindowsPowerShell\v1.0\powershell.exe')
    $action.Arguments = '-NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ' + $encoded
    # 6: create or update; 1: TASK_LOGON_PASSWORD (the install account's own logon: no double hop)
    [void]$folder.RegisterTaskDefinition($taskName, $definition, 6,
        [string]$Params.run_as_user, $Params.run_as_password, 1)
    $registered = $true
    [void]$folder.GetTask($taskName).Run($null)

    # The runner writes its status first thing; a task that ends before that never ran it.
    $task = $folder.GetTask($taskName)
    for ($i = 0; $i -lt 80; $i++) {
        if ([IO.File]::Exists($result.status_path)) {
            break
        }
        if ($i -gt 4 -and $task.State -ne 2 -and $task.State -ne 4 -and $task.LastTaskResult -ne 267011) {
            # mimsetup names the cause of a known result: 0x80070569 is the batch logon refused
            # (RegisterTaskDefinition only warned of it, with a success code PowerShell never sees).
            $result.task_result = '0x{0:X8}' -f $task.LastTaskResult
            throw ('The scheduled task that runs the install ended at once (task result ' +
                $result.task_result + ').')
        }
        Start-Sleep -Milliseconds 250
    }
    $result.started = $true
}
catch {
    $result.error = $_.Exception.Message
    # Nothing is left behind by a start that failed: the sealed secrets, the task with its stored
    # password, the work folder.
    try {
        if ($registered -and $null -ne $folder) {
            $folder.DeleteTask($taskName, 0)
        }
    }
    catch {
        $result.error += ' The scheduled task ' + $taskName + ' could not be removed.'
    }
    try {
        if ($createdWork -and [IO.Directory]::Exists($work)) {
            [IO.Directory]::Delete($work, $true)
        }
    }
    catch {
        $result.error += ' The folder ' + $work + ' could not be removed.'
    }
}
[Console]::Out.WriteLine((ConvertTo-Json -InputObject $result -Compress))

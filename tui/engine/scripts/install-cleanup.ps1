# mimsetup-script: install-cleanup
# Removes what install-start left: the scheduled task (with its stored password), the work folder
# and the sealed secrets if the runner never took them. A runner still at work is left alone (a
# start whose answer was lost may be cleaned up while the install runs): then it says so, and the
# runner removes its own task when it ends.
param($Params)
$ErrorActionPreference = 'Continue'
$removed = @{ task = $false; work_dir = $false; running = $false }
$id = [string]$Params.install_id
# The folder install-start made for this id on this Windows; the client's guess only without one.
$work = [string]$Params.work_dir
if ([Text.RegularExpressions.Regex]::IsMatch($id, '^[0-9A-Za-z-]{1,64}$')) {
    $work = [IO.Path]::Combine($env:WINDIR, 'Temp\mimsetup-' + $id)
}
# mimsetup-include: runner-process
$status = $null
if ($work) {
    $status = Read-Status ([IO.Path]::Combine($work, 'status.json'))
}
if ($null -ne $status -and $status.state -eq 'running' -and $status.pid) {
    # A runner that cannot be told apart from a stranger is left alone too.
    $removed.running = ($false -ne (Test-RunnerProcess $status))
}
if ($removed.running) {
    ConvertTo-Json -InputObject $removed -Compress
    return
}
try {
    $service = New-Object -ComObject Schedule.Service
    $service.Connect()
    $service.GetFolder('\').DeleteTask([string]$Params.task_name, 0)
    $removed.task = $true
}
catch {
    $removed.task = $false
}
if ($work -and [IO.Directory]::Exists($work)) {
    try {
        [IO.Directory]::Delete($work, $true)
    }
    catch {
    }
}
$removed.work_dir = -not ($work -and [IO.Directory]::Exists($work))
ConvertTo-Json -InputObject $removed -Compress

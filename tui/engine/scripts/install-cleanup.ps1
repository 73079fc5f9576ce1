# mimsetup-script: install-cleanup
# Removes what install-start left: the scheduled task and its work folder (the sealed secrets file
# is already gone: the runner deletes it before msiexec starts; removed here too in case the task
# never ran).
param($Params)
$ErrorActionPreference = 'Continue'
$removed = @{ task = $false; work_dir = $false }
if (Get-ScheduledTask -TaskName $Params.task_name -ErrorAction SilentlyContinue) {
    Unregister-ScheduledTask -TaskName $Params.task_name -Confirm:$false
    $removed.task = $true
}
if ($Params.work_dir -and (Test-Path -LiteralPath $Params.work_dir)) {
    Remove-Item -LiteralPath $Params.work_dir -Recurse -Force
    $removed.work_dir = -not (Test-Path -LiteralPath $Params.work_dir)
}
ConvertTo-Json -InputObject $removed -Compress

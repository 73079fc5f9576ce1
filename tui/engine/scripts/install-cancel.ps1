# mimsetup-script: install-cancel
# Cancels a running install: ends the msiexec client process the task started; the Windows
# Installer service then rolls back what it had done, and msiexec reports 1602 or 1603.
param($Params)
$ErrorActionPreference = 'Continue'
$stopped = $false
if (Test-Path -LiteralPath $Params.status_path) {
    $status = Get-Content -Raw -LiteralPath $Params.status_path | ConvertFrom-Json
    if ($status.state -eq 'running' -and $status.pid) {
        Stop-Process -Id $status.pid -Force -ErrorAction SilentlyContinue
        $stopped = $true
    }
}
Stop-ScheduledTask -TaskName $Params.task_name -ErrorAction SilentlyContinue
ConvertTo-Json -InputObject @{ stopped = $stopped } -Compress

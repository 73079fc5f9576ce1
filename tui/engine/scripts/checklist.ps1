# mimsetup-script: checklist
# The walkthrough's post-install checks, run on the target in one round trip. Each item reports
# pass, fail or unknown with the evidence it saw; items listed in $Params.fix are fixed first
# (when the fix is possible remotely) and then checked again.
param($Params)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$results = New-Object System.Collections.Generic.List[object]
$fix = @($Params.fix)

function Add-Item($id, $status, $message, $evidence, $remedy, $fixed) {
    $results.Add([ordered]@{
        id = $id; status = $status; message = $message; evidence = $evidence
        remedy = $remedy; fixed = [bool]$fixed
    })
}

function Test-Url($url) {
    try {
        $r = Invoke-WebRequest -Uri $url -UseDefaultCredentials -UseBasicParsing -TimeoutSec 120
        return @{ ok = $true; evidence = ('HTTP ' + [int]$r.StatusCode + ' from ' + $url) }
    }
    catch {
        $code = $null
        if ($_.Exception.Response) {
            $code = [int]$_.Exception.Response.StatusCode
        }
        return @{ ok = $false; evidence = ('' + $url + ': ' + $_.Exception.Message); code = $code }
    }
}

function Get-ZoneKey($item) {
    $base = 'HKCU:\Software\Microsoft\Windows\CurrentVersion\Internet Settings\ZoneMap'
    $esc = Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Active Setup\Installed Components\{A509B1A8-37EF-4b3f-8CFC-4F3A74704073}' -Name IsInstalled -ErrorAction SilentlyContinue
    $folder = 'Domains'
    if ($esc -and $esc.IsInstalled -eq 1) {
        $folder = 'EscDomains'
    }
    return (Join-Path $base ($folder + '\' + $item.domain + '\' + $item.host))
}

function Get-Mpr($item) {
    if (-not (Get-PSSnapin -Name FIMAutomation -ErrorAction SilentlyContinue)) {
        Add-PSSnapin FIMAutomation -ErrorAction Stop
    }
    $filter = "/ManagementPolicyRule[DisplayName='" + $item.mpr + "']"
    return Export-FIMConfig -Uri $item.uri -OnlyBaseResources -CustomConfig $filter
}

foreach ($item in @($Params.items)) {
    $wantFix = $fix -contains $item.id
    try {
        switch ($item.kind) {
            'portal' {
                $t = Test-Url $item.url
                if ($t.ok) {
                    Add-Item $item.id 'pass' 'The MIM Portal answers.' $t.evidence '' $false
                }
                else {
                    Add-Item $item.id 'fail' 'The MIM Portal does not answer.' $t.evidence 'Check the SharePoint site and the MIM Portal solution; the first visit can take minutes.' $false
                }
            }
            'intranet-zone' {
                $key = Get-ZoneKey $item
                $fixed = $false
                if ($wantFix) {
                    New-Item -Path $key -Force | Out-Null
                    New-ItemProperty -Path $key -Name $item.scheme -Value 1 -PropertyType DWord -Force | Out-Null
                    $fixed = $true
                }
                $value = (Get-ItemProperty -Path $key -Name $item.scheme -ErrorAction SilentlyContinue).($item.scheme)
                if ($value -eq 1) {
                    Add-Item $item.id 'pass' ($item.host + ' is in the Local intranet zone.') ($key + ' ' + $item.scheme + '=1') '' $fixed
                }
                else {
                    Add-Item $item.id 'fail' ($item.host + ' is not in the Local intranet zone.') ($key + ' has no ' + $item.scheme + '=1') 'Fix adds the zone entry for the install account.' $fixed
                }
            }
            'mpr-own-attributes' {
                $fixed = $false
                $obj = Get-Mpr $item
                if ($null -eq $obj) {
                    Add-Item $item.id 'unknown' 'The management policy rule was not found.' $item.mpr 'Check the MIM Service is running and the rule exists in the portal.' $false
                    continue
                }
                $disabled = ($obj.ResourceManagementObject.ResourceManagementAttributes | Where-Object { $_.AttributeName -eq 'Disabled' }).Value
                if ($wantFix -and $disabled -eq 'True') {
                    $change = New-Object Microsoft.ResourceManagement.Automation.ObjectModel.ImportChange
                    $change.Operation = 1
                    $change.AttributeName = 'Disabled'
                    $change.AttributeValue = 'False'
                    $change.FullyResolved = 1
                    $import = New-Object Microsoft.ResourceManagement.Automation.ObjectModel.ImportObject
                    $import.ObjectType = 'ManagementPolicyRule'
                    $import.TargetObjectIdentifier = $obj.ResourceManagementObject.ObjectIdentifier
                    $import.SourceObjectIdentifier = $obj.ResourceManagementObject.ObjectIdentifier
                    $import.State = 1
                    $import.Changes = @($change)
                    $import | Import-FIMConfig -Uri $item.uri | Out-Null
                    $fixed = $true
                    $obj = Get-Mpr $item
                    $disabled = ($obj.ResourceManagementObject.ResourceManagementAttributes | Where-Object { $_.AttributeName -eq 'Disabled' }).Value
                }
                if ($disabled -eq 'False') {
                    Add-Item $item.id 'pass' 'The rule is enabled.' ($item.mpr + ': Disabled=False') '' $fixed
                }
                else {
                    Add-Item $item.id 'fail' 'The rule is disabled.' ($item.mpr + ': Disabled=True') 'Fix enables it (Management Policy Rules, uncheck Policy is disabled).' $fixed
                }
            }
            'firewall' {
                $names = @('Forefront Identity Manager Service (STS)', 'Forefront Identity Manager Service (Webservice)')
                $found = @($names | ForEach-Object {
                    Get-NetFirewallRule -DisplayName $_ -ErrorAction SilentlyContinue | Where-Object { $_.Enabled -eq 'True' -and $_.Direction -eq 'Inbound' -and $_.Action -eq 'Allow' }
                })
                $listening = @(Get-NetTCPConnection -LocalPort 5725, 5726 -State Listen -ErrorAction SilentlyContinue | Select-Object -ExpandProperty LocalPort -Unique)
                $evidence = ('rules: ' + (($found | ForEach-Object { $_.DisplayName }) -join ', ') + '; listening: ' + ($listening -join ', '))
                if ($found.Count -eq 2) {
                    Add-Item $item.id 'pass' 'Both inbound rules exist and are enabled.' $evidence '' $false
                }
                else {
                    Add-Item $item.id 'fail' 'An inbound rule for 5725/5726 is missing or disabled.' $evidence 'Rerun the install with portal.open_firewall = true, or add the rules for TCP 5725 and 5726.' $false
                }
            }
            'domain-network' {
                $profiles = @(Get-NetConnectionProfile)
                $evidence = (($profiles | ForEach-Object { $_.Name + ': ' + $_.NetworkCategory }) -join '; ')
                if (@($profiles | Where-Object { $_.NetworkCategory -eq 'DomainAuthenticated' }).Count -gt 0) {
                    Add-Item $item.id 'pass' 'The active network is a Domain network.' $evidence '' $false
                }
                else {
                    Add-Item $item.id 'fail' 'No active network is a Domain network.' $evidence 'Check the domain controller is reachable, then restart the Network Location Awareness service.' $false
                }
            }
            'fimservice' {
                $svc = Get-Service -Name FIMService -ErrorAction SilentlyContinue
                $fixed = $false
                if ($wantFix -and $svc -and $svc.Status -ne 'Running') {
                    Start-Service -Name FIMService
                    $fixed = $true
                    $svc = Get-Service -Name FIMService
                }
                if ($svc -and $svc.Status -eq 'Running') {
                    Add-Item $item.id 'pass' 'The MIM Service is running.' ('FIMService: ' + $svc.Status) '' $fixed
                }
                elseif ($svc) {
                    Add-Item $item.id 'fail' 'The MIM Service is not running.' ('FIMService: ' + $svc.Status) 'Fix starts it; if it stops again, read the Forefront Identity Manager event log.' $fixed
                }
                else {
                    Add-Item $item.id 'fail' 'The MIM Service is not installed.' 'no service FIMService' 'Run the install.' $false
                }
            }
            'sspr' {
                $t = Test-Url $item.url
                if ($t.ok -or $t.code -eq 401) {
                    Add-Item $item.id 'pass' ($item.title + ' answers.') $t.evidence '' $false
                }
                else {
                    Add-Item $item.id 'fail' ($item.title + ' does not answer.') $t.evidence 'Check the IIS site and its application pool account.' $false
                }
            }
            default {
                Add-Item $item.id 'unknown' 'This mimsetup does not know how to check it.' '' '' $false
            }
        }
    }
    catch {
        Add-Item $item.id 'unknown' 'The check could not run.' $_.Exception.Message 'Run it again; if it persists, check it by hand.' $false
    }
}
ConvertTo-Json -InputObject @{ items = $results.ToArray() } -Compress -Depth 5

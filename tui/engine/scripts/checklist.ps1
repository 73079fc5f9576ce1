# mimsetup-script: checklist
# The walkthrough's post-install checks, run on the target in one round trip. Each item reports
# its id, its kind, the catalog's reason (outcomes.json) and the values it saw; items listed in
# $Params.fix are fixed first (when the fix is possible remotely) and then checked again. This
# script words nothing: mimsetup words each (kind, reason), or outcomes.ps1 below when the caller
# passes the catalog as $Params.outcomes (the exports do).
param($Params)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$results = New-Object System.Collections.Generic.List[object]
$fix = @($Params.fix)

function Add-Item {
    param($Item, [string]$Kind, [string]$Reason, [hashtable]$Values = @{}, [bool]$Fixed = $false)
    $results.Add([ordered]@{
        id = [string]$Item.id; kind = $Kind; reason = $Reason; values = $Values; fixed = $Fixed
    })
}

function Test-Url($url) {
    # PowerShell 5.1 on Server 2016/2019 offers only SSL3 and TLS 1.0 unless told otherwise.
    [Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
    try {
        $r = Invoke-WebRequest -Uri $url -UseDefaultCredentials -UseBasicParsing -TimeoutSec 120
        return @{ ok = $true; code = [int]$r.StatusCode; why = '' }
    }
    catch {
        $code = $null
        if ($_.Exception.Response) {
            $code = [int]$_.Exception.Response.StatusCode
        }
        return @{ ok = $false; code = $code; why = $_.Exception.Message }
    }
}

function Get-ZoneKey($item, $hive) {
    # The install account's own zones, in its own hive: a WinRM shell has no profile, and its
    # HKCU is HKEY_USERS\.DEFAULT. With Internet Explorer Enhanced Security Configuration on
    # (administrators: {A509B1A7-...}; users: {A509B1A8-...}) the zones are under EscDomains.
    $identity = [Security.Principal.WindowsIdentity]::GetCurrent()
    $admin = (New-Object Security.Principal.WindowsPrincipal($identity)).IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
    $component = '{A509B1A8-37EF-4b3f-8CFC-4F3A74704073}'
    if ($admin) {
        $component = '{A509B1A7-37EF-4b3f-8CFC-4F3A74704073}'
    }
    $esc = Get-ItemProperty -Path ('HKLM:\SOFTWARE\Microsoft\Active Setup\Installed Components\' + $component) -Name IsInstalled -ErrorAction SilentlyContinue
    $folder = 'Domains'
    if ($esc -and $esc.IsInstalled -eq 1) {
        $folder = 'EscDomains'
    }
    return ($hive + '\Software\Microsoft\Windows\CurrentVersion\Internet Settings\ZoneMap\' + $folder + '\' + $item.domain + '\' + $item.host)
}

function Get-ZoneSite($item) {
    # The site's full name: the item carries the ZoneMap's split (Domains\<domain>\<host>).
    if ($item.host -eq $item.domain) {
        return [string]$item.host
    }
    return ([string]$item.host + '.' + $item.domain)
}

function Get-ZonePolicy($item, $hive) {
    # Group Policy's zone settings outrank the user's own ZoneMap (inetres.admx): the Site to Zone
    # Assignment List (ZoneMapKey: one value per site, its zone as data; 1 = Local intranet), under
    # HKLM's or the user's Policies; "Security Zones: Use only machine settings"
    # (Security_HKLM_only); "Do not allow users to add/delete sites" (Security_zones_map_edit).
    # Returns $null when no policy governs the zones, else what the policy says of this site.
    $tail = 'Software\Policies\Microsoft\Windows\CurrentVersion\Internet Settings'
    $roots = @('HKLM:\' + $tail)
    if ($hive -and (Test-Path -LiteralPath $hive)) {
        $roots += ($hive + '\' + $tail)
    }
    $governed = $false
    $names = @((Get-ZoneSite $item), ($item.scheme + '://' + (Get-ZoneSite $item)), ('*.' + $item.domain), ($item.scheme + '://*.' + $item.domain))
    foreach ($root in $roots) {
        $settings = Get-ItemProperty -LiteralPath $root -ErrorAction SilentlyContinue
        if ($settings -and ($settings.Security_HKLM_only -eq 1 -or $settings.Security_zones_map_edit -eq 1)) {
            $governed = $true
        }
        $map = Get-Item -LiteralPath ($root + '\ZoneMapKey') -ErrorAction SilentlyContinue
        if (-not $map) {
            continue
        }
        $governed = $true
        foreach ($entry in @($map.GetValueNames())) {
            if ($names -contains $entry) {
                return @{ entry = $entry; zone = [string]$map.GetValue($entry); key = ($root + '\ZoneMapKey').Replace('Registry::', '') }
            }
        }
    }
    if ($governed) {
        return @{ entry = ''; zone = ''; key = '' }
    }
    return $null
}

function Get-Mpr($item) {
    if (-not (Get-PSSnapin -Name FIMAutomation -ErrorAction SilentlyContinue)) {
        Add-PSSnapin FIMAutomation -ErrorAction Stop
    }
    $filter = "/ManagementPolicyRule[DisplayName='" + $item.mpr + "']"
    return Export-FIMConfig -Uri $item.uri -OnlyBaseResources -CustomConfig $filter
}

# mimsetup-include: sharepoint-solutions

foreach ($item in @($Params.items)) {
    $wantFix = $fix -contains $item.id
    try {
        switch ($item.kind) {
            'portal' {
                $t = Test-Url $item.url
                if ($t.ok) {
                    Add-Item $item 'portal' 'answers' @{ code = $t.code; url = $item.url }
                }
                elseif ($t.code -eq 401) {
                    # The SITE answers, but SharePoint with Windows authentication answers 401 for
                    # any path, and so does Windows to a request to this computer by another of
                    # its names (the loopback check): whether the portal is deployed is read from
                    # the farm, here, or not claimed.
                    try {
                        $deployed = @(Get-MimSolutions | Where-Object { $_.Deployed } | ForEach-Object { $_.Name })
                    }
                    catch {
                        Add-Item $item 'portal' 'denied-unseen' @{ url = $item.url; why = ($_.Exception.Message -replace '\s+', ' ') }
                        continue
                    }
                    if ($deployed.Count -gt 0) {
                        Add-Item $item 'portal' 'denied-deployed' @{ url = $item.url; solutions = ($deployed -join ', ') }
                    }
                    else {
                        Add-Item $item 'portal' 'denied-not-deployed' @{ url = $item.url }
                    }
                }
                else {
                    Add-Item $item 'portal' 'no-answer' @{ url = $item.url; why = $t.why }
                }
            }
            'intranet-zone' {
                $identity = [Security.Principal.WindowsIdentity]::GetCurrent()
                $hive = 'Registry::HKEY_USERS\' + $identity.User.Value
                $policy = Get-ZonePolicy $item $hive
                if ($policy) {
                    # What policy says is what Internet Explorer uses; the user's map is never
                    # "fixed" under a policy (IE would ignore it).
                    $v = @{ host = (Get-ZoneSite $item); key = $policy.key; entry = $policy.entry; zone = $policy.zone }
                    if ($policy.zone -eq '1') {
                        Add-Item $item 'intranet-zone' 'policy-in-zone' $v
                    }
                    elseif ($policy.entry) {
                        Add-Item $item 'intranet-zone' 'policy-other-zone' $v
                    }
                    else {
                        Add-Item $item 'intranet-zone' 'policy-not-listed' $v
                    }
                }
                elseif (-not (Test-Path -LiteralPath $hive)) {
                    # Not loaded (nobody logged on as the install account): nothing to read, and
                    # nothing is written anywhere else in its place.
                    Add-Item $item 'intranet-zone' 'no-profile' @{ host = $item.host; user = $identity.Name; computer = $env:COMPUTERNAME }
                }
                else {
                    $key = Get-ZoneKey $item $hive
                    $fixed = $false
                    if ($wantFix) {
                        New-Item -Path $key -Force | Out-Null
                        New-ItemProperty -Path $key -Name $item.scheme -Value 1 -PropertyType DWord -Force | Out-Null
                        $fixed = $true
                    }
                    $value = (Get-ItemProperty -Path $key -Name $item.scheme -ErrorAction SilentlyContinue).($item.scheme)
                    $v = @{ host = $item.host; key = $key.Replace('Registry::', ''); scheme = $item.scheme }
                    if ($value -eq 1) {
                        Add-Item $item 'intranet-zone' 'in-zone' $v $fixed
                    }
                    else {
                        Add-Item $item 'intranet-zone' 'not-in-zone' $v $fixed
                    }
                }
            }
            'mpr-own-attributes' {
                $fixed = $false
                try {
                    $obj = Get-Mpr $item
                }
                catch {
                    # From a WinRM logon without delegation, a MIM Service on another computer
                    # cannot authenticate it (the double hop); one reached by an alias of this
                    # computer gets 401 (the loopback check). Not seen: unknown, with the reason.
                    $serviceHost = ([uri]$item.uri).Host
                    Add-Item $item 'mpr-own-attributes' 'no-service' @{ mpr = $item.mpr; host = $serviceHost; why = ($_.Exception.Message -replace '\s+', ' ') }
                    continue
                }
                if ($null -eq $obj) {
                    Add-Item $item 'mpr-own-attributes' 'not-found' @{ mpr = $item.mpr }
                    continue
                }
                $disabled = ($obj.ResourceManagementObject.ResourceManagementAttributes | Where-Object { $_.AttributeName -eq 'Disabled' }).Value
                if ($wantFix -and $disabled -eq 'True') {
                    $change = New-Object Microsoft.ResourceManagement.Automation.ObjectModel.ImportChange
                    $change.Operation = 1
                    $change.AttributeName = 'Disabled'
                    $change.AttributeValue = 'False'
                    $change.FullyResolved = 1
                    # Without it Import-FIMConfig sends the logon's own culture, which the MIM Service
                    # may not know ("Invariant" is what Export-FIMConfig itself returns).
                    $change.Locale = 'Invariant'
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
                    Add-Item $item 'mpr-own-attributes' 'enabled' @{ mpr = $item.mpr } $fixed
                }
                else {
                    Add-Item $item 'mpr-own-attributes' 'disabled' @{ mpr = $item.mpr } $fixed
                }
            }
            'firewall' {
                $names = @('Forefront Identity Manager Service (STS)', 'Forefront Identity Manager Service (Webservice)')
                # ActiveStore: the rules in force. Without -PolicyStore the cmdlet reads the local
                # persistent store, whose rules do not apply when Group Policy turns off the
                # merging of local rules (AllowLocalPolicyMerge = 0).
                $found = @($names | ForEach-Object {
                    Get-NetFirewallRule -DisplayName $_ -PolicyStore ActiveStore -ErrorAction SilentlyContinue | Where-Object { $_.Enabled -eq 'True' -and $_.Direction -eq 'Inbound' -and $_.Action -eq 'Allow' }
                })
                $listening = @(Get-NetTCPConnection -LocalPort 5725, 5726 -State Listen -ErrorAction SilentlyContinue | Select-Object -ExpandProperty LocalPort -Unique)
                $v = @{ rules = (($found | ForEach-Object { $_.DisplayName }) -join ', '); listening = ($listening -join ', ') }
                if ($found.Count -eq 2) {
                    Add-Item $item 'firewall' 'rules' $v
                }
                else {
                    Add-Item $item 'firewall' 'missing' $v
                }
            }
            'domain-network' {
                $profiles = @(Get-NetConnectionProfile)
                $v = @{ profiles = (($profiles | ForEach-Object { $_.Name + ': ' + $_.NetworkCategory }) -join '; ') }
                if (@($profiles | Where-Object { $_.NetworkCategory -eq 'DomainAuthenticated' }).Count -gt 0) {
                    Add-Item $item 'domain-network' 'domain' $v
                }
                else {
                    Add-Item $item 'domain-network' 'not-domain' $v
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
                    Add-Item $item 'fimservice' 'running' @{ state = [string]$svc.Status } $fixed
                }
                elseif ($svc) {
                    Add-Item $item 'fimservice' 'stopped' @{ state = [string]$svc.Status } $fixed
                }
                else {
                    Add-Item $item 'fimservice' 'not-installed'
                }
            }
            'sspr' {
                $t = Test-Url $item.url
                if ($t.ok) {
                    Add-Item $item 'sspr' 'answers' @{ title = $item.title; code = $t.code; url = $item.url }
                }
                elseif ($t.code -eq 401) {
                    Add-Item $item 'sspr' 'denied' @{ title = $item.title; url = $item.url }
                }
                else {
                    Add-Item $item 'sspr' 'no-answer' @{ title = $item.title; url = $item.url; why = $t.why }
                }
            }
            default {
                Add-Item $item ([string]$item.kind) 'unknown-kind'
            }
        }
    }
    catch {
        Add-Item $item ([string]$item.kind) 'error' @{ why = $_.Exception.Message }
    }
}
# mimsetup-include: outcomes
$entries = $results.ToArray()
if ($Params.outcomes) {
    $entries = @(Format-Outcomes $entries $Params.outcomes)
}
ConvertTo-Json -InputObject @{ items = $entries } -Compress -Depth 6

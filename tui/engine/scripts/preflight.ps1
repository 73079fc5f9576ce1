# mimsetup-script: preflight
# Everything that would make the MIM 2016 Service and Portal installer fail, checked in one run.
# Mirrors the installer's own checks (DoCheckElevatedPrivileges, CheckDotNetVersion,
# CheckSQLConnectionAndVersion, CheckIfRunningUserSysadmin, CheckFullTextSearchInstalled,
# CheckDatabaseExists, CheckSQLServerAgent, ValidateServiceAccount, ValidateSyncAccount,
# CheckSynchronizationServiceExists, UIValidateFimServiceServerAddress, CheckFirewallServiceRunning,
# CheckSharepointAdminServiceRunning, CheckSharepointTimerServiceRunning,
# CheckSharepointFarmAdministratorWithOpenPermission, CheckSharepointWebApporSiteExisting,
# CheckFIMWebSiteorSolutionPackExisting), so that what a silent install reports only as exit code
# 1603 is said first, in plain words, with a remedy.
# Input: $Params from preflight_params(), plus run_as_user and run_as_password (the install
# account's, as the install receives them) when the checks of other computers are to run in a logon
# with that password (Start-Probes). Output: one JSON document on stdout,
# {"schema": 2, "computer": ..., "checks": [{"id", "reason", "values"}, ...]}. This script words
# nothing: each (id, reason) is worded in outcomes.json, by mimsetup, or by outcomes.ps1 below when
# the caller passes the catalog as $Params.outcomes (the exports do). Every Add-Check names its id
# and reason literally (or inside a function called with a literal id): a test reads them here.
param($Params)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$checks = New-Object System.Collections.Generic.List[object]
$facts = @{}

# --- what every check, and the logon of the install account (Start-Probes), uses --------------
$Library = {
    function Add-Check {
        param([string]$Id, [string]$Reason, [hashtable]$Values = @{})
        $checks.Add([ordered]@{ id = $Id; reason = $Reason; values = $Values })
    }

    function Test-Step {
        param([string]$Id, [scriptblock]$Body)
        try {
            # Anything a check lets fall into the pipeline is dropped: stdout carries only the JSON.
            $null = & $Body
        } catch {
            Add-Check $Id 'error' @{ why = ($_.Exception.Message -replace '\s+', ' ') }
        }
    }

    function Test-Tcp {
        param([string]$HostName, [int]$Port, [int]$TimeoutMs = 3000)
        $client = New-Object System.Net.Sockets.TcpClient
        try {
            $async = $client.BeginConnect($HostName, $Port, $null, $null)
            if (-not $async.AsyncWaitHandle.WaitOne($TimeoutMs)) {
                return $false
            }
            $client.EndConnect($async)
            return $true
        } catch {
            return $false
        } finally {
            $client.Close()
        }
    }

    function Resolve-HostName {
        param([string]$Name)
        try {
            $addresses = [System.Net.Dns]::GetHostAddresses($Name)
            return ($addresses | ForEach-Object { $_.IPAddressToString }) -join ', '
        } catch {
            return $null
        }
    }

    function Test-ThisComputer {
        param([string]$Name)
        if (-not $Name) {
            return $false
        }
        $n = $Name.Trim().ToLowerInvariant()
        $me = $env:COMPUTERNAME.ToLowerInvariant()
        $names = @($me, 'localhost', '.', '(local)', '127.0.0.1', '::1')
        if ($facts.domain) {
            $names += "$me.$($facts.domain.ToLowerInvariant())"
        }
        return ($names -contains $n)
    }

    function Get-ServiceStatus {
        param([string]$Name)
        $svc = Get-Service -Name $Name -ErrorAction SilentlyContinue
        if ($null -eq $svc) {
            return $null
        }
        return [string]$svc.Status
    }

    function Get-Listener {
        param([int]$Port)
        if (Get-Command Get-NetTCPConnection -ErrorAction SilentlyContinue) {
            # No listener is an ObjectNotFound error; any other error is not "free": it throws
            # (Test-Step reports it as not checked).
            $lookup = $null
            $conn = Get-NetTCPConnection -State Listen -LocalPort $Port -ErrorAction SilentlyContinue -ErrorVariable lookup | Select-Object -First 1
            if ($null -eq $conn) {
                $failed = @($lookup | Where-Object { [string]$_.CategoryInfo.Category -ne 'ObjectNotFound' })
                if ($failed.Count -gt 0) {
                    throw ("The listeners on port $Port could not be read: " + $failed[0].Exception.Message)
                }
                return $null
            }
            $proc = Get-Process -Id $conn.OwningProcess -ErrorAction SilentlyContinue
            if ($proc) {
                return "$($proc.ProcessName) (process $($conn.OwningProcess))"
            }
            return "process $($conn.OwningProcess)"
        }
        $lines = @(netstat -ano -p tcp)
        if ($LASTEXITCODE -ne 0) {
            throw "netstat could not list the listeners (exit code $LASTEXITCODE)."
        }
        $line = $lines | Where-Object { $_ -match "^\s*TCP\s+\S+:$Port\s+\S+\s+LISTENING\s+(\d+)" } | Select-Object -First 1
        if ($line) {
            return "process $($Matches[1])"
        }
        return $null
    }

    function Resolve-Account {
        param([string]$Account)
        try {
            $nt = New-Object System.Security.Principal.NTAccount($Account)
            return $nt.Translate([System.Security.Principal.SecurityIdentifier]).Value
        } catch {
            return $null
        }
    }

    function ConvertTo-LdapValue {
        param([string]$Value)
        return $Value.Replace('\', '\5c').Replace('*', '\2a').Replace('(', '\28').Replace(')', '\29')
    }

    function Get-AccountControl {
        # userAccountControl from the directory (no RSAT needed); $null when the directory cannot be
        # searched from this logon (a WinRM network logon often cannot bind to LDAP: the double hop).
        # Searched by the SID already resolved: a UPN's prefix need not be the sAMAccountName.
        param([string]$Sid)
        try {
            $searcher = New-Object System.DirectoryServices.DirectorySearcher
            $searcher.Filter = "(objectSid=$(ConvertTo-LdapValue $Sid))"
            $searcher.ClientTimeout = [TimeSpan]::FromSeconds(10)
            [void]$searcher.PropertiesToLoad.Add('userAccountControl')
            $found = $searcher.FindOne()
            if ($found) {
                return [int]$found.Properties['useraccountcontrol'][0]
            }
        } catch {
            return $null
        }
        return $null
    }

    function Split-Account {
        param([string]$Account)
        if ($Account -like '*\*') {
            $parts = $Account.Split('\', 2)
            return @($parts[0], $parts[1])
        }
        $parts = $Account.Split('@', 2)
        return @($parts[1].Split('.')[0], $parts[0])
    }

    function Test-DomainAccount {
        # Adds one check for an account that must exist, enabled, in the domain.
        param([string]$Id, [string]$Account)
        $sid = Resolve-Account $Account
        if (-not $sid) {
            Add-Check $Id 'not-found' @{ account = $Account }
            return
        }
        $uac = Get-AccountControl $sid
        if ($null -eq $uac) {
            # Found by name (the computer's secure channel), but the directory search gave nothing:
            # from a WinRM logon, LDAP often cannot be bound (the double hop). Not seen: not a pass.
            Add-Check $Id 'exists-unread' @{ account = $Account; sid = $sid }
            return
        }
        if ($uac -band 2) {
            Add-Check $Id 'disabled' @{ account = $Account }
            return
        }
        Add-Check $Id 'exists' @{ account = $Account; sid = $sid }
    }

    function Get-SqlAlias {
        # A SQL Server client alias (cliconfg) lives in the client's ConnectTo keys, 64-bit and
        # 32-bit, not in DNS. Its value: DBMSSOCN,host[\instance][,port] (TCP) or
        # DBNMPNTW,\\host\pipe\... (named pipes). Returns the data source it stands for, or $null.
        param([string]$Name)
        $keys = @('HKLM:\SOFTWARE\Microsoft\MSSQLServer\Client\ConnectTo', 'HKLM:\SOFTWARE\WOW6432Node\Microsoft\MSSQLServer\Client\ConnectTo')
        foreach ($key in $keys) {
            $values = Get-ItemProperty -LiteralPath $key -ErrorAction SilentlyContinue
            if ($null -eq $values) {
                continue
            }
            $value = @($values.PSObject.Properties | Where-Object { $_.Name -eq $Name }) | Select-Object -First 1
            if ($value) {
                $parts = ([string]$value.Value).Split(',', 2)
                if ($parts[0] -eq 'DBNMPNTW') {
                    return $parts[1].TrimStart('\').Split('\')[0]
                }
                return $parts[1]
            }
        }
        return $null
    }

    function Split-SqlServer {
        # host, instance and port of database.server: a protocol prefix (tcp:, np:) goes, and a
        # client alias is followed before anything asks DNS.
        param([string]$Server)
        $rest = $Server.Trim()
        if ($rest -match '^(?:tcp|np|lpc|admin):(.*)$') {
            $rest = $Matches[1].Trim()
        }
        $alias = ''
        $target = Get-SqlAlias $rest
        if ($target) {
            $alias = $rest
            $rest = $target
        }
        $port = $null
        $instance = $null
        if ($rest -like '*,*') {
            $port = [int]$rest.Split(',')[1]
            $rest = $rest.Split(',')[0]
        }
        if ($rest.StartsWith('\\')) {
            # a named pipe, \\host\pipe\...: SQL Server is reached over SMB
            $rest = $rest.TrimStart('\').Split('\')[0]
            $port = 445
        }
        if ($rest -like '*\*') {
            $instance = $rest.Split('\')[1]
            $rest = $rest.Split('\')[0]
        }
        if (@('.', '(local)') -contains $rest) {
            $rest = 'localhost'
        }
        return @{ host = $rest; instance = $instance; port = $port; alias = $alias }
    }

    function Get-SqlInstancePort {
        # Asks the SQL Server Browser (UDP 1434) for a named instance's TCP port.
        param([string]$HostName, [string]$Instance)
        $udp = New-Object System.Net.Sockets.UdpClient
        try {
            $udp.Client.ReceiveTimeout = 3000
            $udp.Connect($HostName, 1434)
            $bytes = [byte[]](@(4) + [System.Text.Encoding]::ASCII.GetBytes($Instance) + @(0))
            [void]$udp.Send($bytes, $bytes.Length)
            $remote = New-Object System.Net.IPEndPoint([System.Net.IPAddress]::Any, 0)
            $reply = $udp.Receive([ref]$remote)
            $text = [System.Text.Encoding]::ASCII.GetString($reply, 3, $reply.Length - 3)
            if ($text -match 'tcp;(\d+)') {
                return [int]$Matches[1]
            }
            return $null
        } catch {
            return $null
        } finally {
            $udp.Close()
        }
    }

    function Invoke-SqlScalar {
        param($Connection, [string]$Query, [hashtable]$Arguments = @{})
        $cmd = $Connection.CreateCommand()
        $cmd.CommandText = $Query
        $cmd.CommandTimeout = 15
        foreach ($key in $Arguments.Keys) {
            [void]$cmd.Parameters.AddWithValue($key, $Arguments[$key])
        }
        return $cmd.ExecuteScalar()
    }

    function Get-UninstallEntry {
        param([string[]]$Codes)
        $roots = @(
            'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall',
            'HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall'
        )
        foreach ($root in $roots) {
            if (-not (Test-Path $root)) {
                continue
            }
            foreach ($key in Get-ChildItem $root -ErrorAction SilentlyContinue) {
                $p = Get-ItemProperty $key.PSPath -ErrorAction SilentlyContinue
                if ($null -eq $p) {
                    continue
                }
                $byCode = $Codes -contains $key.PSChildName
                $byName = [string]$p.DisplayName -match 'Identity Manager.*Service and Portal'
                if ($byCode -or $byName) {
                    return $p
                }
            }
        }
        return $null
    }

    function Get-MsiProperty {
        param($Database, [string]$Name)
        $query = "SELECT ``Value`` FROM ``Property`` WHERE ``Property`` = '$Name'"
        $view = $Database.GetType().InvokeMember('OpenView', 'InvokeMethod', $null, $Database, @($query))
        try {
            [void]$view.GetType().InvokeMember('Execute', 'InvokeMethod', $null, $view, $null)
            $record = $view.GetType().InvokeMember('Fetch', 'InvokeMethod', $null, $view, $null)
            if ($null -eq $record) {
                return ''
            }
            return [string]$record.GetType().InvokeMember('StringData', 'GetProperty', $null, $record, 1)
        } finally {
            [void]$view.GetType().InvokeMember('Close', 'InvokeMethod', $null, $view, $null)
            [void][System.Runtime.InteropServices.Marshal]::ReleaseComObject($view)
        }
    }


    function Test-SharePointService {
        param([string]$Id, [string]$Name)
        if (-not $facts.sharepoint) {
            Add-Check $Id 'no-sharepoint'
            return
        }
        $state = [string](Get-ServiceStatus $Name)
        if ($state -eq 'Running') {
            Add-Check $Id 'running'
        } else {
            Add-Check $Id 'not-running' @{ state = $state }
        }
    }


    function Get-SharePointVersion {
        # SharePoint 2016/2019 (16.0) or 2013 (15.0), as its setup registers it; $null when absent.
        foreach ($v in @('16.0', '15.0')) {
            $key = "HKLM:\SOFTWARE\Microsoft\Shared Tools\Web Server Extensions\$v"
            if (Test-Path "$key\WSS") {
                $found = Get-ItemProperty $key -ErrorAction SilentlyContinue
                if ($found -and $found.Version) {
                    return [string]$found.Version
                }
                return $v
            }
        }
        return $null
    }

    function Get-UserRights {
        # The user rights assignments of this computer, as secedit exports them: right -> entries
        # (`*S-1-...` or an account name). entries is $null when they cannot be read (why says why).
        $file = Join-Path $env:WINDIR ('Temp\mimsetup-rights-' + [guid]::NewGuid().ToString('N') + '.inf')
        try {
            $null = & secedit.exe /export /areas USER_RIGHTS /cfg $file /quiet
            if (-not (Test-Path -LiteralPath $file)) {
                return @{ entries = $null; why = "secedit /export ended with $LASTEXITCODE" }
            }
            $entries = @{}
            foreach ($line in [IO.File]::ReadAllLines($file)) {
                if ($line -match '^\s*(Se\w+)\s*=\s*(.*)$') {
                    $entries[$Matches[1]] = @($Matches[2].Split(',') | ForEach-Object { $_.Trim() } | Where-Object { $_ })
                }
            }
            return @{ entries = $entries; why = '' }
        } catch {
            return @{ entries = $null; why = ($_.Exception.Message -replace '\s+', ' ') }
        } finally {
            Remove-Item -LiteralPath $file -Force -ErrorAction SilentlyContinue
        }
    }

    function Resolve-RightHolders {
        # Each entry of a user right as @{ sid; name }.
        param($Entries)
        foreach ($entry in @($Entries)) {
            if (-not $entry) {
                continue
            }
            $sid = $null
            $name = [string]$entry
            try {
                if ($entry.StartsWith('*')) {
                    $sid = $entry.Substring(1)
                    $name = (New-Object System.Security.Principal.SecurityIdentifier($sid)).Translate([System.Security.Principal.NTAccount]).Value
                } else {
                    $sid = (New-Object System.Security.Principal.NTAccount($entry)).Translate([System.Security.Principal.SecurityIdentifier]).Value
                }
            } catch {
                if (-not $sid) {
                    continue
                }
            }
            @{ sid = $sid; name = $name }
        }
    }
# mimsetup-include: sharepoint-solutions
}
. $Library

# --- what needs other computers: run as the install account when its password is given ----------
# SQL Server, the directory (LDAP) and the SharePoint configuration database are on other computers:
# from a WinRM logon (NTLM, or Kerberos without delegation) they see ANONYMOUS LOGON or nothing
# at all (the double hop). These checks run in a logon with the password when there is one
# (Start-Probes), else here.
$Probes = {
    $components = $Params.components
    $anySspr = [bool]($components.registration_portal -or $components.reset_portal)

    # --- SQL Server (CheckSQLConnectionAndVersion and what follows it) --------------------------------

    $sqlIds = @('sql-reachable', 'sql-version', 'sql-sysadmin', 'sql-agent', 'sql-fulltext', 'sql-database')
    if (-not $components.service -or $null -eq $Params.database) {
        foreach ($id in $sqlIds) {
            Add-Check $id 'service-not-selected'
        }
    } else {
        $server = [string]$Params.database.server
        $dbName = [string]$Params.database.name
        $sql = Split-SqlServer $server

        Test-Step 'sql-reachable' {
            $facts.sqlReachable = $false
            $addresses = Resolve-HostName $sql.host
            if (-not $addresses) {
                Add-Check 'sql-reachable' 'no-dns' @{ host = $sql.host }
                return
            }
            $port = $sql.port
            $reason = 'answers'
            if (-not $port -and $sql.instance) {
                $port = Get-SqlInstancePort $sql.host $sql.instance
                if (-not $port) {
                    Add-Check 'sql-reachable' 'no-browser' @{ host = $sql.host; instance = $sql.instance }
                    return
                }
                $reason = 'answers-browser'
            }
            if (-not $port) {
                $port = 1433
            }
            $v = @{ server = $server; host = $sql.host; port = $port; instance = [string]$sql.instance; addresses = $addresses; alias = $sql.alias }
            if (Test-Tcp $sql.host $port) {
                $facts.sqlReachable = $true
                if ($sql.alias) {
                    Add-Check 'sql-reachable' 'answers-alias' $v
                } elseif ($reason -eq 'answers-browser') {
                    Add-Check 'sql-reachable' 'answers-browser' $v
                } else {
                    Add-Check 'sql-reachable' 'answers' $v
                }
            } else {
                Add-Check 'sql-reachable' 'no-answer' $v
            }
        }

        Test-Step 'sql-version' {
            $facts.sql = $null
            if (-not $facts.sqlReachable) {
                Add-Check 'sql-version' 'sql-unreachable'
                return
            }
            # Built by keyword: a server name holding ';' stays one value, never adds keywords.
            $csb = New-Object System.Data.SqlClient.SqlConnectionStringBuilder
            $csb['Data Source'] = [string]$server
            $csb['Initial Catalog'] = 'master'
            $csb['Integrated Security'] = $true
            $csb['Connect Timeout'] = 10
            $csb['Application Name'] = 'mimsetup-preflight'
            $conn = New-Object System.Data.SqlClient.SqlConnection($csb.ConnectionString)
            try {
                $conn.Open()
            } catch {
                $why = $_.Exception.InnerException.Message
                if (-not $why) {
                    $why = $_.Exception.Message
                }
                if ($why -match 'ANONYMOUS LOGON') {
                    $facts.sqlDoubleHop = $true
                    Add-Check 'sql-version' 'double-hop' @{ server = $server }
                } else {
                    Add-Check 'sql-version' 'logon-failed' @{ server = $server; user = [Security.Principal.WindowsIdentity]::GetCurrent().Name; why = $why }
                }
                return
            }
            $facts.sql = $conn
            $version = [version]$conn.ServerVersion
            $v = @{ server = $server; version = [string]$version; min = [string]$Params.min_sql_version; recommended = [string]$Params.recommended_sql_version }
            if ($version -lt [version]$Params.min_sql_version) {
                Add-Check 'sql-version' 'too-old' $v
            } elseif ($version -lt [version]$Params.recommended_sql_version) {
                Add-Check 'sql-version' 'old' $v
            } else {
                Add-Check 'sql-version' 'ok' $v
            }
        }

        $noSql = $null -eq $facts.sql
        function Skip-WithoutSql {
            param([string]$Id)
            if (-not $facts.sqlReachable) {
                Add-Check $Id 'sql-unreachable'
            } else {
                Add-Check $Id 'sql-no-logon'
            }
        }

        Test-Step 'sql-sysadmin' {
            if ($noSql) {
                Skip-WithoutSql 'sql-sysadmin'
                return
            }
            $isAdmin = Invoke-SqlScalar $facts.sql "SELECT IS_SRVROLEMEMBER('sysadmin')"
            $login = [string](Invoke-SqlScalar $facts.sql 'SELECT SUSER_SNAME()')
            if ([int]$isAdmin -eq 1) {
                Add-Check 'sql-sysadmin' 'sysadmin' @{ login = $login; server = $server }
            } else {
                Add-Check 'sql-sysadmin' 'not-sysadmin' @{ login = $login; server = $server }
            }
        }

        Test-Step 'sql-agent' {
            if ($noSql) {
                Skip-WithoutSql 'sql-agent'
                return
            }
            $state = Invoke-SqlScalar $facts.sql "SELECT TOP 1 status_desc FROM sys.dm_server_services WHERE servicename LIKE 'SQL Server Agent%'"
            if ([string]$state -eq 'Running') {
                Add-Check 'sql-agent' 'running' @{ server = $server }
            } else {
                Add-Check 'sql-agent' 'not-running' @{ server = $server; host = $sql.host; state = [string]$state }
            }
        }

        Test-Step 'sql-fulltext' {
            if ($noSql) {
                Skip-WithoutSql 'sql-fulltext'
                return
            }
            $ft = Invoke-SqlScalar $facts.sql "SELECT FULLTEXTSERVICEPROPERTY('IsFullTextInstalled')"
            if ([int]$ft -eq 1) {
                Add-Check 'sql-fulltext' 'installed' @{ server = $server }
            } else {
                Add-Check 'sql-fulltext' 'missing' @{ server = $server }
            }
        }

        Test-Step 'sql-database' {
            if ($noSql) {
                Skip-WithoutSql 'sql-database'
                return
            }
            $dbId = Invoke-SqlScalar $facts.sql 'SELECT DB_ID(@name)' @{ '@name' = $dbName }
            $exists = -not ($null -eq $dbId -or $dbId -is [System.DBNull])
            $reuse = [bool]$Params.database.existing
            $v = @{ name = $dbName; server = $server }
            if ($exists -and -not $reuse) {
                Add-Check 'sql-database' 'exists-new' $v
            } elseif (-not $exists -and $reuse) {
                Add-Check 'sql-database' 'missing-reuse' $v
            } elseif ($exists) {
                Add-Check 'sql-database' 'reuse' $v
            } else {
                Add-Check 'sql-database' 'create' $v
            }
        }

        if ($facts.sql) {
            $facts.sql.Close()
        }
    }


    $svcAccount = $null
    if ($components.service -and $null -ne $Params.service_account) {
        $svcAccount = "$($Params.service_account.domain)\$($Params.service_account.name)"
    }
    $maAccount = $null
    if ($components.service -and $null -ne $Params.synchronization) {
        $maAccount = [string]$Params.synchronization.ma_account
    }

    Test-Step 'service-account' {
        if (-not $svcAccount) {
            Add-Check 'service-account' 'service-not-selected'
            return
        }
        Test-DomainAccount 'service-account' $svcAccount
    }

    Test-Step 'ma-account' {
        if (-not $maAccount) {
            Add-Check 'ma-account' 'service-not-selected'
            return
        }
        Test-DomainAccount 'ma-account' $maAccount
    }

    Test-Step 'accounts-differ' {
        if (-not $svcAccount -or -not $maAccount) {
            Add-Check 'accounts-differ' 'service-not-selected'
            return
        }
        $a = Split-Account $svcAccount
        $b = Split-Account $maAccount
        $sidA = Resolve-Account $svcAccount
        $sidB = Resolve-Account $maAccount
        $same = ($a[0] -eq $b[0] -and $a[1] -eq $b[1]) -or ($sidA -and $sidA -eq $sidB)
        if ($same) {
            Add-Check 'accounts-differ' 'same' @{ account = $svcAccount }
        } else {
            Add-Check 'accounts-differ' 'differ' @{ service = $svcAccount; ma = $maAccount }
        }
    }

    Test-Step 'gmsa-password' {
        # A group managed service account works only on computers allowed to retrieve its
        # password (PrincipalsAllowedToRetrieveManagedPassword, msDS-GroupMSAMembership).
        if (-not $svcAccount) {
            Add-Check 'gmsa-password' 'service-not-selected'
            return
        }
        if (-not $Params.service_account.managed) {
            Add-Check 'gmsa-password' 'not-managed'
            return
        }
        $name = [string]$Params.service_account.name
        $v = @{ account = $svcAccount; name = $name.TrimEnd('$'); computer = $env:COMPUTERNAME }
        if (Get-Command Test-ADServiceAccount -ErrorAction SilentlyContinue) {
            if (Test-ADServiceAccount -Identity $v.name) {
                Add-Check 'gmsa-password' 'allowed' $v
            } else {
                $v.holders = 'see PrincipalsAllowedToRetrieveManagedPassword'
                Add-Check 'gmsa-password' 'not-allowed' $v
            }
            return
        }
        # Without the AD module: the account's msDS-GroupMSAMembership against this computer's
        # account and groups (tokenGroups of its computer object).
        try {
            $searcher = New-Object System.DirectoryServices.DirectorySearcher
            $searcher.Filter = "(&(objectClass=msDS-GroupManagedServiceAccount)(sAMAccountName=$(ConvertTo-LdapValue ($v.name + '$'))))"
            $searcher.ClientTimeout = [TimeSpan]::FromSeconds(10)
            [void]$searcher.PropertiesToLoad.Add('msDS-GroupMSAMembership')
            $found = $searcher.FindOne()
            $blob = $null
            if ($found -and $found.Properties['msds-groupmsamembership'].Count -gt 0) {
                $blob = [byte[]]$found.Properties['msds-groupmsamembership'][0]
            }
            if ($null -eq $blob) {
                $v.why = 'the directory did not give its msDS-GroupMSAMembership to this logon'
                Add-Check 'gmsa-password' 'unread' $v
                return
            }
            $sd = New-Object System.DirectoryServices.ActiveDirectorySecurity
            $sd.SetSecurityDescriptorBinaryForm($blob)
            $rules = @($sd.GetAccessRules($true, $false, [System.Security.Principal.SecurityIdentifier]) | Where-Object { [string]$_.AccessControlType -eq 'Allow' })
            $allowed = @($rules | ForEach-Object { $_.IdentityReference.Value })
            $me = New-Object System.DirectoryServices.DirectorySearcher
            $me.Filter = "(&(objectCategory=computer)(sAMAccountName=$(ConvertTo-LdapValue ($env:COMPUTERNAME + '$'))))"
            $entry = $me.FindOne().GetDirectoryEntry()
            $entry.RefreshCache(@('tokenGroups'))
            $mine = @((New-Object System.Security.Principal.SecurityIdentifier([byte[]]$entry.Properties['objectSid'][0], 0)).Value)
            $groups = @($entry.Properties['tokenGroups'])
            if ($groups.Count -eq 0) {
                # tokenGroups always holds the primary group (Domain Computers): empty means the
                # directory did not give it to this logon (hardened AD), not "in no group".
                $v.why = 'the directory gave no tokenGroups for this computer''s account to this logon'
                Add-Check 'gmsa-password' 'unread' $v
                return
            }
            foreach ($g in $groups) {
                $mine += (New-Object System.Security.Principal.SecurityIdentifier([byte[]]$g, 0)).Value
            }
        } catch {
            $v.why = ($_.Exception.Message -replace '\s+', ' ')
            Add-Check 'gmsa-password' 'unread' $v
            return
        }
        if (@($allowed | Where-Object { $mine -contains $_ }).Count -gt 0) {
            Add-Check 'gmsa-password' 'allowed' $v
        } else {
            $v.holders = (@(Resolve-RightHolders @($allowed | ForEach-Object { '*' + $_ })) | ForEach-Object { $_.name }) -join ', '
            Add-Check 'gmsa-password' 'not-allowed' $v
        }
    }

    Test-Step 'sspr-accounts' {
        if (-not $anySspr) {
            Add-Check 'sspr-accounts' 'no-sspr'
            return
        }
        $missing = @()
        $found = @()
        foreach ($p in $Params.sspr) {
            if (Resolve-Account ([string]$p.account)) {
                $found += "$($p.account) ($($p.title))"
            } else {
                $missing += "$($p.account) ($($p.title))"
            }
        }
        if ($missing.Count -gt 0) {
            Add-Check 'sspr-accounts' 'missing' @{ missing = ($missing -join ', ') }
        } else {
            Add-Check 'sspr-accounts' 'exist' @{ found = ($found -join ', ') }
        }
    }


    Test-Step 'sharepoint-farm' {
        if (-not $components.portal) {
            Add-Check 'sharepoint-farm' 'portal-not-selected'
            return
        }
        if (-not (Get-SharePointVersion)) {
            Add-Check 'sharepoint-farm' 'no-sharepoint'
            return
        }
        try {
            if (-not (Get-PSSnapin Microsoft.SharePoint.PowerShell -ErrorAction SilentlyContinue)) {
                Add-PSSnapin Microsoft.SharePoint.PowerShell -ErrorAction Stop
            }
            $farm = Get-SPFarm -ErrorAction Stop
            # -ErrorAction Stop inside: a list that could not be read is not an empty one.
            $existing = @(Get-MimSolutions | ForEach-Object { $_.Name })
        } catch {
            Add-Check 'sharepoint-farm' 'unreadable' @{ why = ($_.Exception.Message -replace '\s+', ' ') }
            return
        }
        # Get-SPFarm needs only shell access to the configuration database; the installer needs
        # a farm administrator.
        if (-not $farm.CurrentUserIsAdministrator()) {
            Add-Check 'sharepoint-farm' 'not-farm-admin' @{ user = [Security.Principal.WindowsIdentity]::GetCurrent().Name }
        } elseif ($existing.Count -gt 0) {
            Add-Check 'sharepoint-farm' 'solution-exists' @{ solutions = ($existing -join ', ') }
        } else {
            Add-Check 'sharepoint-farm' 'ok' @{ build = [string]$farm.BuildVersion }
        }
    }
}

# What the logon of the install account runs: it reads the probe document its folder holds (the
# params without any password, $Library and $Probes as text) and writes the checks back as JSON.
$ProbeLoader = {
    $ErrorActionPreference = 'Stop'
    $ProgressPreference = 'SilentlyContinue'
    $work = 'WORK_FOLDER'
    $checks = New-Object System.Collections.Generic.List[object]
    $facts = @{}
    try {
        $doc = [IO.File]::ReadAllText((Join-Path $work 'probe.json')) | ConvertFrom-Json
        $Params = $doc.params
        . ([scriptblock]::Create($doc.library))
        . ([scriptblock]::Create($doc.probes))
        $out = @{ user = [Security.Principal.WindowsIdentity]::GetCurrent().Name; checks = $checks.ToArray() }
    } catch {
        $out = @{ error = ($_.Exception.Message -replace '\s+', ' ') }
    }
    $json = ConvertTo-Json -InputObject $out -Depth 8 -Compress
    [IO.File]::WriteAllText((Join-Path $work 'result.tmp'), $json, (New-Object System.Text.UTF8Encoding $false))
    [IO.File]::Move((Join-Path $work 'result.tmp'), (Join-Path $work 'result.json'))
}

function Start-Probes {
    # Starts $Probes in a logon of the install account with its password, as the install itself
    # runs: a short-lived scheduled task with stored credentials, registered through the Task
    # Scheduler's COM API (a COM method: the password is in no cmdlet parameter that Module
    # Logging records, and on no process command line). It runs while the local checks do.
    if (-not $Params.run_as_user -or -not $Params.run_as_password) {
        return @{ started = $false; why = '' }
    }
    $id = [guid]::NewGuid().ToString('N')
    $work = Join-Path $env:WINDIR ('Temp\mimsetup-probe-' + $id)
    $name = 'mimsetup-probe-' + $id
    $folder = $null
    try {
        New-Item -ItemType Directory -Path $work -Force | Out-Null
        $acl = New-Object System.Security.AccessControl.DirectorySecurity
        $acl.SetAccessRuleProtection($true, $false)
        foreach ($who in @('NT AUTHORITY\SYSTEM', 'BUILTIN\Administrators', [string]$Params.run_as_user)) {
            $rule = New-Object System.Security.AccessControl.FileSystemAccessRule($who, 'FullControl', 'ContainerInherit,ObjectInherit', 'None', 'Allow')
            $acl.AddAccessRule($rule)
        }
        Set-Acl -LiteralPath $work -AclObject $acl
        $probeParams = @{}
        foreach ($key in @('components', 'database', 'service_account', 'synchronization', 'sspr', 'min_sql_version', 'recommended_sql_version')) {
            $probeParams[$key] = $Params.$key
        }
        $doc = @{ params = $probeParams; library = $Library.ToString(); probes = $Probes.ToString() }
        $utf8 = New-Object System.Text.UTF8Encoding $false
        [IO.File]::WriteAllText((Join-Path $work 'probe.json'), (ConvertTo-Json -InputObject $doc -Depth 8 -Compress), $utf8)
        $loader = $ProbeLoader.ToString().Replace('WORK_FOLDER', $work)
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($loader))
        $service = New-Object -ComObject Schedule.Service
        $service.Connect()
        $definition = $service.NewTask(0)
        $definition.Settings.ExecutionTimeLimit = 'PT10M'
        $definition.Settings.DisallowStartIfOnBatteries = $false
        $definition.Settings.StopIfGoingOnBatteries = $false
        $definition.Principal.RunLevel = 1
        $action = $definition.Actions.Create(0)
        $action.Path = Join-Path $env:WINDIR 'System32\WindowsPowerShell\v1.0\powershell.exe'
        $action.Arguments = '-NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ' + $encoded
        $folder = $service.GetFolder('\')
        # 6: create or update; 1: TASK_LOGON_PASSWORD
        $task = $folder.RegisterTaskDefinition($name, $definition, 6, [string]$Params.run_as_user, [string]$Params.run_as_password, 1, $null)
        [void]$task.Run($null)
        return @{ started = $true; folder = $folder; name = $name; task = $task; work = $work }
    } catch {
        Remove-Probes $folder $name $work
        return @{ started = $false; why = ($_.Exception.Message -replace '\s+', ' ') }
    }
}

function Remove-Probes {
    param($Folder, [string]$Name, [string]$Work)
    if ($null -ne $Folder) {
        try {
            $Folder.DeleteTask($Name, 0)
        } catch {
            $null = $_
        }
    }
    Remove-Item -LiteralPath $Work -Recurse -Force -ErrorAction SilentlyContinue
}

function Complete-Probes {
    # Waits for the logon of the install account and takes its checks; when it could not run (or
    # there is no password), $Probes runs here, in this logon, and probe-logon says so.
    param($Probe)
    $user = [Security.Principal.WindowsIdentity]::GetCurrent().Name
    if ($Params.run_as_user) {
        $user = [string]$Params.run_as_user
    }
    $why = $Probe.why
    if ($Probe.started) {
        $result = Join-Path $Probe.work 'result.json'
        $deadline = (Get-Date).AddSeconds(240)
        while (-not (Test-Path -LiteralPath $result) -and (Get-Date) -lt $deadline) {
            # 3: ready (ended); 267011: has not run yet
            if ([int]$Probe.task.State -eq 3 -and $Probe.task.LastTaskResult -ne 267011 -and -not (Test-Path -LiteralPath $result)) {
                Start-Sleep -Milliseconds 500
                if (-not (Test-Path -LiteralPath $result)) {
                    break
                }
            }
            Start-Sleep -Milliseconds 200
        }
        $why = ('the task ended (0x{0:X8}) without a result' -f $Probe.task.LastTaskResult)
        if (Test-Path -LiteralPath $result) {
            $doc = [IO.File]::ReadAllText($result) | ConvertFrom-Json
            $why = [string]$doc.error
        } elseif ((Get-Date) -ge $deadline) {
            $why = 'no result within 240 s'
            try {
                $Probe.task.Stop(0)
            } catch {
                $null = $_
            }
        }
        Remove-Probes $Probe.folder $Probe.name $Probe.work
        if (-not $why) {
            foreach ($c in @($doc.checks)) {
                $checks.Add([ordered]@{ id = [string]$c.id; reason = [string]$c.reason; values = $c.values })
            }
            Add-Check 'probe-logon' 'task' @{ user = [string]$doc.user }
            return
        }
    }
    if ($why) {
        Add-Check 'probe-logon' 'task-failed' @{ user = $user; why = $why }
    } else {
        Add-Check 'probe-logon' 'this-logon' @{ user = $user }
    }
    . $Probes
}

$components = $Params.components
$anySspr = [bool]($components.registration_portal -or $components.reset_portal)
$probe = Start-Probes

# --- the computer -------------------------------------------------------------------------------

Test-Step 'elevated' {
    $identity = [System.Security.Principal.WindowsIdentity]::GetCurrent()
    $principal = New-Object System.Security.Principal.WindowsPrincipal($identity)
    if ($principal.IsInRole([System.Security.Principal.WindowsBuiltInRole]::Administrator)) {
        Add-Check 'elevated' 'admin' @{ user = $identity.Name }
    } else {
        Add-Check 'elevated' 'not-admin' @{ user = $identity.Name }
    }
}

Test-Step 'os-version' {
    $os = Get-CimInstance Win32_OperatingSystem
    $build = [int]$os.BuildNumber
    $v = @{ caption = [string]$os.Caption; build = $build }
    $facts.osBuild = $build
    $facts.osCaption = [string]$os.Caption
    if ([int]$os.ProductType -eq 1) {
        Add-Check 'os-version' 'client' $v
    } elseif (@(14393, 17763, 20348) -contains $build) {
        Add-Check 'os-version' 'supported' $v
    } elseif ($build -lt 9600) {
        Add-Check 'os-version' 'too-old' $v
    } else {
        Add-Check 'os-version' 'other' $v
    }
}

Test-Step 'domain-member' {
    $cs = Get-CimInstance Win32_ComputerSystem
    if ($cs.PartOfDomain) {
        $facts.domain = [string]$cs.Domain
        Add-Check 'domain-member' 'member' @{ computer = $env:COMPUTERNAME; domain = [string]$cs.Domain }
    } else {
        Add-Check 'domain-member' 'workgroup' @{ computer = $env:COMPUTERNAME; workgroup = [string]$cs.Workgroup }
    }
}

Test-Step 'network-profile' {
    $profiles = @(Get-NetConnectionProfile)
    $domainProfiles = @($profiles | Where-Object { [string]$_.NetworkCategory -eq 'DomainAuthenticated' })
    if ($domainProfiles.Count -gt 0) {
        Add-Check 'network-profile' 'domain' @{ network = [string]$domainProfiles[0].Name }
    } else {
        $seen = ($profiles | ForEach-Object { "$($_.Name): $($_.NetworkCategory)" }) -join '; '
        Add-Check 'network-profile' 'not-domain' @{ seen = $seen }
    }
}

Test-Step 'batch-logon' {
    # The install (and Invoke-Probes) runs a scheduled task with the install account's stored
    # password: a batch logon. It needs "Log on as a batch job" (SeBatchLogonRight), and "Deny log
    # on as a batch job" (SeDenyBatchLogonRight, which tiered-admin policies set for Tier-0
    # accounts) outranks it. A batch token has the account's groups and BATCH, not NETWORK.
    $identity = [System.Security.Principal.WindowsIdentity]::GetCurrent()
    $user = $identity.Name
    $logonKinds = @('S-1-5-2', 'S-1-5-4', 'S-1-5-14')
    $mine = @($identity.User.Value, 'S-1-5-3') + @($identity.Groups | ForEach-Object { $_.Value } | Where-Object { $logonKinds -notcontains $_ })
    $rights = Get-UserRights
    if ($null -eq $rights.entries) {
        Add-Check 'batch-logon' 'unreadable' @{ user = $user; why = $rights.why }
        return
    }
    $denied = @(Resolve-RightHolders $rights.entries['SeDenyBatchLogonRight'] | Where-Object { $mine -contains $_.sid })
    if ($denied.Count -gt 0) {
        Add-Check 'batch-logon' 'denied' @{ user = $user; by = (($denied | ForEach-Object { $_.name }) -join ', ') }
        return
    }
    $holders = @(Resolve-RightHolders $rights.entries['SeBatchLogonRight'])
    $granted = @($holders | Where-Object { $mine -contains $_.sid })
    if ($granted.Count -gt 0) {
        Add-Check 'batch-logon' 'granted' @{ user = $user; by = (($granted | ForEach-Object { $_.name }) -join ', ') }
    } else {
        Add-Check 'batch-logon' 'not-granted' @{ user = $user; holders = (($holders | ForEach-Object { $_.name }) -join ', ') }
    }
}

Test-Step 'stored-credentials' {
    # "Network access: Do not allow storage of passwords and credentials for network
    # authentication": registering a task with a password then fails with 0x80070520.
    $lsa = Get-ItemProperty 'HKLM:\SYSTEM\CurrentControlSet\Control\Lsa' -ErrorAction SilentlyContinue
    if ($lsa -and [int]$lsa.DisableDomainCreds -eq 1) {
        Add-Check 'stored-credentials' 'disabled'
    } else {
        Add-Check 'stored-credentials' 'allowed'
    }
}

# --- the package --------------------------------------------------------------------------------

Test-Step 'msi-file' {
    $path = [string]$Params.msi_path
    $facts.msiOpened = $false
    if (-not (Test-Path -LiteralPath $path -PathType Leaf)) {
        Add-Check 'msi-file' 'missing' @{ path = $path }
        return
    }
    try {
        $installer = New-Object -ComObject WindowsInstaller.Installer
        $db = $installer.GetType().InvokeMember('OpenDatabase', 'InvokeMethod', $null, $installer, @($path, 0))
    } catch {
        $why = $_.Exception.Message
        if ($_.Exception.InnerException) {
            $why = $_.Exception.InnerException.Message
        }
        Add-Check 'msi-file' 'unreadable' @{ path = $path; why = $why }
        return
    }
    try {
        $facts.msiProductCode = Get-MsiProperty $db 'ProductCode'
        $facts.msiProductName = Get-MsiProperty $db 'ProductName'
        $facts.msiUpgradeCode = Get-MsiProperty $db 'UpgradeCode'
        $facts.msiVersion = Get-MsiProperty $db 'ProductVersion'
        $facts.msiOpened = $true
    } finally {
        [void][System.Runtime.InteropServices.Marshal]::ReleaseComObject($db)
    }
    Add-Check 'msi-file' 'opens' @{ path = $path }
}

Test-Step 'msi-product' {
    if (-not $facts.msiOpened) {
        Add-Check 'msi-product' 'unread'
        return
    }
    $code = [string]$facts.msiProductCode
    $name = [string]$facts.msiProductName
    $v = @{ name = $name; version = [string]$facts.msiVersion; code = $code; upgrade_code = [string]$facts.msiUpgradeCode }
    $other = @{}
    foreach ($known in $Params.known_products) {
        $other[[string]$known.code] = [string]$known.name
    }
    # The product is known by what stays from release to release (its name; its UpgradeCode,
    # which a major upgrade keeps), not by its ProductCode, which a major upgrade changes. The
    # release is its ProductVersion's, in the releases table the caller passes.
    if ($other.ContainsKey($code)) {
        $v.other = $other[$code]
        Add-Check 'msi-product' 'known-other' $v
    } elseif ($name -match 'Identity Manager.*Service and Portal' -or @($Params.upgrade_codes) -contains [string]$facts.msiUpgradeCode) {
        $parts = ([string]$facts.msiVersion).Split('.')
        $key = ($parts | Select-Object -First 2) -join '.'
        foreach ($r in @($Params.releases)) {
            if (@($r.versions) -contains $key) {
                $facts.release = $r
            }
        }
        if ($facts.release) {
            $v.release = [string]$facts.release.title
            Add-Check 'msi-product' 'mim' $v
        } else {
            Add-Check 'msi-product' 'unknown-release' $v
        }
    } else {
        Add-Check 'msi-product' 'not-mim' $v
    }
}

Test-Step 'install-running' {
    $busy = $false
    try {
        $mutex = [System.Threading.Mutex]::OpenExisting('Global\_MSIExecute')
        $mutex.Dispose()
        $busy = $true
    } catch [System.Threading.WaitHandleCannotBeOpenedException] {
        $busy = $false
    } catch [System.UnauthorizedAccessException] {
        $busy = $true
    }
    # The Windows Installer service itself runs as msiexec /V; more than one means an install.
    # Only process ids are reported: another install's command line may hold its passwords.
    $procs = @(Get-CimInstance Win32_Process -Filter "Name = 'msiexec.exe'" | Where-Object { $_.CommandLine -notmatch '/V\s*$' })
    if ($busy) {
        Add-Check 'install-running' 'busy' @{ pids = (($procs | ForEach-Object { [string]$_.ProcessId }) -join ', ') }
    } elseif ($procs.Count -gt 0) {
        Add-Check 'install-running' 'msiexec-idle' @{ count = $procs.Count }
    } else {
        Add-Check 'install-running' 'none'
    }
}

Test-Step 'pending-reboot' {
    $reasons = @()
    if (Test-Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending') {
        $reasons += 'Component Based Servicing'
    }
    if (Test-Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired') {
        $reasons += 'Windows Update'
    }
    $sm = Get-ItemProperty 'HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager' -ErrorAction SilentlyContinue
    $renames = $null -ne $sm -and $null -ne $sm.PendingFileRenameOperations
    if ($reasons.Count -gt 0) {
        $all = $reasons
        if ($renames) {
            $all += 'pending file renames'
        }
        Add-Check 'pending-reboot' 'pending' @{ reasons = ($all -join ', ') }
    } elseif ($renames) {
        Add-Check 'pending-reboot' 'renames'
    } else {
        Add-Check 'pending-reboot' 'none'
    }
}

Test-Step 'disk-space' {
    $dir = [string]$Params.install_dir
    if (-not $dir) {
        $dir = $env:ProgramFiles
    }
    $drive = New-Object System.IO.DriveInfo([System.IO.Path]::GetPathRoot($dir))
    $freeMb = [math]::Floor($drive.AvailableFreeSpace / 1048576)
    $v = @{ drive = $drive.Name; free = $freeMb; need = [int]$Params.min_free_mb; want = [int]$Params.recommended_free_mb }
    if ($freeMb -lt $v.need) {
        Add-Check 'disk-space' 'low' $v
    } elseif ($freeMb -lt $v.want) {
        Add-Check 'disk-space' 'tight' $v
    } else {
        Add-Check 'disk-space' 'enough' $v
    }
}

Test-Step 'mim-installed' {
    # Found by its Uninstall entry: by name, or as a product related to the package by its
    # UpgradeCode (Installer.RelatedProducts), whatever its ProductCode.
    $codes = @($Params.legacy_product_codes)
    if ($facts.msiUpgradeCode) {
        $installer = New-Object -ComObject WindowsInstaller.Installer
        $related = $installer.GetType().InvokeMember('RelatedProducts', 'GetProperty', $null, $installer, @([string]$facts.msiUpgradeCode))
        foreach ($c in $related) {
            $codes += [string]$c
        }
    }
    $entry = Get-UninstallEntry $codes
    $service = Get-ServiceStatus 'FIMService'
    if ($entry) {
        $facts.installedVersion = [string]$entry.DisplayVersion
        Add-Check 'mim-installed' 'installed' @{ name = [string]$entry.DisplayName; version = [string]$entry.DisplayVersion }
    } elseif ($service) {
        Add-Check 'mim-installed' 'leftover-service' @{ state = $service }
    } else {
        Add-Check 'mim-installed' 'none'
    }
}

# --- what the package's release requires (the releases table, $Params.releases) -----------------

Test-Step 'release-features' {
    $r = $facts.release
    if (-not $r) {
        Add-Check 'release-features' 'unread'
    } elseif ($Params.wants.gmsa -and -not $r.gmsa) {
        Add-Check 'release-features' 'gmsa' @{ release = [string]$r.title; since = [string]$Params.since.gmsa }
    } elseif ($Params.wants.exchange_online -and -not $r.exchange_online) {
        Add-Check 'release-features' 'exchange-online' @{ release = [string]$r.title; since = [string]$Params.since.exchange_online }
    } else {
        Add-Check 'release-features' 'ok' @{ release = [string]$r.title }
    }
}

Test-Step 'release-windows' {
    $r = $facts.release
    if (-not $r) {
        Add-Check 'release-windows' 'unread'
    } elseif (-not $r.windows_server) {
        Add-Check 'release-windows' 'any' @{ release = [string]$r.title }
    } else {
        $names = @($r.windows_server.PSObject.Properties | ForEach-Object { "Windows Server $($_.Name)" }) -join ' or '
        $builds = @($r.windows_server.PSObject.Properties | ForEach-Object { [int]$_.Value })
        $v = @{ release = [string]$r.title; caption = [string]$facts.osCaption; build = [int]$facts.osBuild; supported = $names }
        if ($builds -contains [int]$facts.osBuild) {
            Add-Check 'release-windows' 'ok' $v
        } else {
            Add-Check 'release-windows' 'unsupported' $v
        }
    }
}

Test-Step 'release-sharepoint' {
    $r = $facts.release
    if (-not $components.portal) {
        Add-Check 'release-sharepoint' 'portal-not-selected'
    } elseif (-not $r) {
        Add-Check 'release-sharepoint' 'unread'
    } elseif (-not $r.portal_sharepoint) {
        Add-Check 'release-sharepoint' 'any' @{ release = [string]$r.title }
    } else {
        $version = Get-SharePointVersion
        $v = @{ release = [string]$r.title; needs = [string]$r.portal_sharepoint.title; version = [string]$version }
        if (-not $version) {
            Add-Check 'release-sharepoint' 'no-sharepoint'
        } elseif ([version]$version -ge [version][string]$r.portal_sharepoint.first_build) {
            Add-Check 'release-sharepoint' 'ok' $v
        } else {
            Add-Check 'release-sharepoint' 'unsupported' $v
        }
    }
}

Test-Step 'release-upgrade' {
    $r = $facts.release
    if (-not $r) {
        Add-Check 'release-upgrade' 'unread'
    } elseif (-not $r.upgrade_from) {
        Add-Check 'release-upgrade' 'any' @{ release = [string]$r.title }
    } elseif (-not $facts.installedVersion) {
        Add-Check 'release-upgrade' 'fresh' @{ release = [string]$r.title }
    } elseif ([version]$facts.installedVersion -ge [version][string]$r.upgrade_from) {
        Add-Check 'release-upgrade' 'ok' @{ release = [string]$r.title; installed = $facts.installedVersion }
    } else {
        Add-Check 'release-upgrade' 'too-old' @{ release = [string]$r.title; installed = $facts.installedVersion; needs = [string]$r.upgrade_from }
    }
}

Test-Step 'dotnet' {
    $key = Get-ItemProperty 'HKLM:\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full' -ErrorAction SilentlyContinue
    $release = 0
    if ($key -and $key.Release) {
        $release = [int]$key.Release
    }
    if ($release -ge [int]$Params.min_dotnet_release) {
        Add-Check 'dotnet' 'ok' @{ version = [string]$key.Version; release = $release }
    } else {
        Add-Check 'dotnet' 'missing' @{ release = $release }
    }
}

Test-Step 'dotnet35' {
    $key = Get-ItemProperty 'HKLM:\SOFTWARE\Microsoft\NET Framework Setup\NDP\v3.5' -ErrorAction SilentlyContinue
    if ($key -and [int]$key.Install -eq 1) {
        Add-Check 'dotnet35' 'ok' @{ version = [string]$key.Version }
    } else {
        Add-Check 'dotnet35' 'missing'
    }
}


# --- accounts and servers -----------------------------------------------------------------------

Test-Step 'mail-server' {
    if (-not $components.service -or $null -eq $Params.mail) {
        Add-Check 'mail-server' 'service-not-selected'
        return
    }
    $mail = [string]$Params.mail.server
    if (Test-ThisComputer $mail) {
        Add-Check 'mail-server' 'local' @{ server = $mail }
        return
    }
    $addresses = Resolve-HostName $mail
    if ($addresses) {
        Add-Check 'mail-server' 'resolves' @{ server = $mail; addresses = $addresses }
    } else {
        Add-Check 'mail-server' 'no-dns' @{ server = $mail }
    }
}


Test-Step 'sync-service' {
    if (-not $components.service -or $null -eq $Params.synchronization) {
        Add-Check 'sync-service' 'service-not-selected'
        return
    }
    $sync = [string]$Params.synchronization.server
    if (Test-ThisComputer $sync) {
        $state = Get-ServiceStatus 'FIMSynchronizationService'
        if ($null -eq $state) {
            Add-Check 'sync-service' 'not-installed'
        } elseif ($state -ne 'Running') {
            Add-Check 'sync-service' 'stopped' @{ state = $state }
        } else {
            Add-Check 'sync-service' 'running'
        }
        return
    }
    $addresses = Resolve-HostName $sync
    if ($addresses) {
        Add-Check 'sync-service' 'remote-resolves' @{ server = $sync; addresses = $addresses }
    } else {
        Add-Check 'sync-service' 'no-dns' @{ server = $sync }
    }
}

Test-Step 'service-address' {
    $names = @()
    if ($components.portal -and $Params.portal -and $Params.portal.service_address) {
        $names += [string]$Params.portal.service_address
    }
    foreach ($p in $Params.sspr) {
        $names += [string]$p.service_address
    }
    $names = @($names | Select-Object -Unique)
    if ($names.Count -eq 0) {
        Add-Check 'service-address' 'no-portal'
        return
    }
    $bad = @($names | Where-Object { -not (Test-ThisComputer $_) -and -not (Resolve-HostName $_) })
    if ($bad.Count -gt 0) {
        Add-Check 'service-address' 'no-dns' @{ names = ($bad -join ', ') }
    } else {
        Add-Check 'service-address' 'resolves' @{ names = ($names -join ', ') }
    }
}

Test-Step 'firewall-service' {
    $state = [string](Get-ServiceStatus 'MpsSvc')
    if ($state -eq 'Running') {
        Add-Check 'firewall-service' 'running'
    } elseif ([bool]$Params.firewall) {
        Add-Check 'firewall-service' 'stopped-needed' @{ state = $state }
    } else {
        Add-Check 'firewall-service' 'stopped' @{ state = $state }
    }
}

Test-Step 'service-ports' {
    if (-not $components.service) {
        Add-Check 'service-ports' 'service-not-selected'
        return
    }
    $used = @()
    foreach ($port in $Params.service_ports) {
        $who = Get-Listener ([int]$port)
        if ($who) {
            $used += "$port (by $who)"
        }
    }
    if ($used.Count -gt 0) {
        Add-Check 'service-ports' 'in-use' @{ used = ($used -join ', ') }
    } else {
        Add-Check 'service-ports' 'free' @{ ports = ($Params.service_ports -join ' and ') }
    }
}


# --- SharePoint (portal) -------------------------------------------------------------------------

$spIds = @('sharepoint', 'sharepoint-admin-service', 'sharepoint-timer-service', 'sharepoint-site')
if (-not $components.portal) {
    foreach ($id in $spIds) {
        Add-Check $id 'portal-not-selected'
    }
} else {
    Test-Step 'sharepoint' {
        $version = Get-SharePointVersion
        $facts.sharepoint = [bool]$version
        if ($version) {
            Add-Check 'sharepoint' 'installed' @{ version = $version }
        } else {
            Add-Check 'sharepoint' 'missing'
        }
    }

    Test-Step 'sharepoint-admin-service' {
        Test-SharePointService 'sharepoint-admin-service' 'SPAdminV4'
    }

    Test-Step 'sharepoint-timer-service' {
        Test-SharePointService 'sharepoint-timer-service' 'SPTimerV4'
    }

    Test-Step 'sharepoint-site' {
        if (-not $facts.sharepoint) {
            Add-Check 'sharepoint-site' 'no-sharepoint'
            return
        }
        $url = [string]$Params.portal.sharepoint_url
        $code = $null
        $why = ''
        try {
            # PowerShell 5.1 on Server 2016/2019 offers only SSL3 and TLS 1.0 unless told otherwise.
            [Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
            $r = Invoke-WebRequest -Uri $url -UseDefaultCredentials -UseBasicParsing -TimeoutSec 120 -MaximumRedirection 5
            $code = [int]$r.StatusCode
        } catch [System.Net.WebException] {
            if ($_.Exception.Response) {
                $code = [int]$_.Exception.Response.StatusCode
            } else {
                $why = $_.Exception.Message
            }
        }
        $v = @{ url = $url; code = $code; why = $why }
        if ($null -eq $code) {
            Add-Check 'sharepoint-site' 'no-answer' $v
        } elseif ($code -eq 404) {
            Add-Check 'sharepoint-site' 'no-site' $v
        } elseif ($code -ge 500) {
            Add-Check 'sharepoint-site' 'server-error' $v
        } else {
            Add-Check 'sharepoint-site' 'answers' $v
        }
    }
}

# --- IIS and the password portals ----------------------------------------------------------------

Test-Step 'iis' {
    if (-not $anySspr) {
        Add-Check 'iis' 'no-sspr'
        return
    }
    $state = Get-ServiceStatus 'W3SVC'
    if ($state -eq 'Running') {
        Add-Check 'iis' 'running'
    } elseif ($null -eq $state) {
        Add-Check 'iis' 'not-installed'
    } else {
        Add-Check 'iis' 'stopped' @{ state = $state }
    }
}

Test-Step 'sspr-ports' {
    if (-not $anySspr) {
        Add-Check 'sspr-ports' 'no-sspr'
        return
    }
    $used = @()
    $free = @()
    foreach ($p in $Params.sspr) {
        $who = Get-Listener ([int]$p.port)
        if ($who) {
            $used += "$($p.port) for the $($p.title) (in use by $who)"
        } else {
            $free += "$($p.port) ($($p.title))"
        }
    }
    if ($used.Count -gt 0) {
        Add-Check 'sspr-ports' 'in-use' @{ used = ($used -join ', ') }
    } else {
        Add-Check 'sspr-ports' 'free' @{ free = ($free -join ', ') }
    }
}

Complete-Probes $probe

# mimsetup-include: outcomes
$entries = $checks.ToArray()
if ($Params.outcomes) {
    $entries = @(Format-Outcomes $entries $Params.outcomes)
}
$result = [ordered]@{ schema = 2; computer = $env:COMPUTERNAME; checks = $entries }
[Console]::Out.WriteLine(($result | ConvertTo-Json -Depth 6 -Compress))

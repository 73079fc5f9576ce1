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
# Input: $Params from preflight_params() (no secrets). Output: one JSON document on stdout,
# {"schema": 1, "computer": ..., "checks": [{"id", "status", "message", "remedy"}, ...]}.
# Check ids are fixed strings; the simulated target emulates each of them.
param($Params)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$checks = New-Object System.Collections.Generic.List[object]
$facts = @{}

function Add-Check {
    param([string]$Id, [string]$Status, [string]$Message, [string]$Remedy = '')
    $checks.Add([ordered]@{ id = $Id; status = $Status; message = $Message; remedy = $Remedy })
}

function Test-Step {
    param([string]$Id, [scriptblock]$Body)
    try {
        # Anything a check lets fall into the pipeline is dropped: stdout carries only the JSON.
        $null = & $Body
    } catch {
        $why = $_.Exception.Message -replace '\s+', ' '
        Add-Check $Id 'warn' "This could not be checked: $why" 'Check it by hand on the target before installing.'
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
        $conn = Get-NetTCPConnection -State Listen -LocalPort $Port -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($null -eq $conn) {
            return $null
        }
        $proc = Get-Process -Id $conn.OwningProcess -ErrorAction SilentlyContinue
        if ($proc) {
            return "$($proc.ProcessName) (process $($conn.OwningProcess))"
        }
        return "process $($conn.OwningProcess)"
    }
    $line = netstat -ano -p tcp | Where-Object { $_ -match "^\s*TCP\s+\S+:$Port\s+\S+\s+LISTENING\s+(\d+)" } | Select-Object -First 1
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
    param([string]$Sam)
    try {
        $searcher = New-Object System.DirectoryServices.DirectorySearcher
        $searcher.Filter = "(sAMAccountName=$(ConvertTo-LdapValue $Sam))"
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
    # Adds one check for an account that must exist in the domain.
    param([string]$Id, [string]$Account, [string]$What)
    $sid = Resolve-Account $Account
    if (-not $sid) {
        Add-Check $Id 'fail' "The $What $Account was not found in the domain." "Create the account in Active Directory (or correct the name in the answer file); the installer's own check would stop the install."
        return
    }
    $sam = (Split-Account $Account)[1]
    $uac = Get-AccountControl $sam
    if ($null -ne $uac -and ($uac -band 2)) {
        Add-Check $Id 'fail' "The $What $Account exists but is disabled." 'Enable the account in Active Directory.'
        return
    }
    Add-Check $Id 'pass' "The $What $Account exists in the domain ($sid)."
}

function Split-SqlServer {
    param([string]$Server)
    $rest = $Server
    $port = $null
    $instance = $null
    if ($rest -like '*,*') {
        $port = [int]$rest.Split(',')[1]
        $rest = $rest.Split(',')[0]
    }
    if ($rest -like '*\*') {
        $instance = $rest.Split('\')[1]
        $rest = $rest.Split('\')[0]
    }
    if (@('.', '(local)') -contains $rest) {
        $rest = 'localhost'
    }
    return @{ host = $rest; instance = $instance; port = $port }
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

$components = $Params.components
$anySspr = [bool]($components.registration_portal -or $components.reset_portal)

# --- the computer -------------------------------------------------------------------------------

Test-Step 'elevated' {
    $identity = [System.Security.Principal.WindowsIdentity]::GetCurrent()
    $principal = New-Object System.Security.Principal.WindowsPrincipal($identity)
    if ($principal.IsInRole([System.Security.Principal.WindowsBuiltInRole]::Administrator)) {
        Add-Check 'elevated' 'pass' "$($identity.Name) is an administrator of this computer, with an elevated token."
    } else {
        Add-Check 'elevated' 'fail' "$($identity.Name) is not an administrator of this computer (or its token is not elevated); the installer's DoCheckElevatedPrivileges would stop." 'Log on with an account in the local Administrators group (a domain account, or set LocalAccountTokenFilterPolicy for a local one).'
    }
}

Test-Step 'os-version' {
    $os = Get-CimInstance Win32_OperatingSystem
    $build = [int]$os.BuildNumber
    $names = @{ 14393 = 'Windows Server 2016'; 17763 = 'Windows Server 2019'; 20348 = 'Windows Server 2022' }
    if ([int]$os.ProductType -eq 1) {
        Add-Check 'os-version' 'fail' "$($os.Caption) is a client edition; MIM Service and Portal needs Windows Server." 'Install on Windows Server 2016, 2019 or 2022.'
    } elseif ($names.ContainsKey($build)) {
        Add-Check 'os-version' 'pass' "$($os.Caption) (build $build) is supported."
    } elseif ($build -lt 9600) {
        Add-Check 'os-version' 'fail' "$($os.Caption) (build $build) is too old for MIM 2016." 'Install on Windows Server 2016, 2019 or 2022.'
    } else {
        Add-Check 'os-version' 'warn' "$($os.Caption) (build $build) is not one of Windows Server 2016, 2019 or 2022." 'Check the MIM 2016 platform support list for this version.'
    }
}

Test-Step 'domain-member' {
    $cs = Get-CimInstance Win32_ComputerSystem
    if ($cs.PartOfDomain) {
        $facts.domain = [string]$cs.Domain
        Add-Check 'domain-member' 'pass' "$($env:COMPUTERNAME) is a member of the domain $($cs.Domain)."
    } else {
        Add-Check 'domain-member' 'fail' "$($env:COMPUTERNAME) is not joined to a domain (workgroup $($cs.Workgroup)); MIM Service and Portal needs domain accounts." 'Join the server to the domain, restart it, and run the pre-flight again.'
    }
}

Test-Step 'network-profile' {
    $profiles = @(Get-NetConnectionProfile)
    $domainProfiles = @($profiles | Where-Object { [string]$_.NetworkCategory -eq 'DomainAuthenticated' })
    if ($domainProfiles.Count -gt 0) {
        Add-Check 'network-profile' 'pass' "The network $($domainProfiles[0].Name) is a domain network."
    } else {
        $seen = ($profiles | ForEach-Object { "$($_.Name): $($_.NetworkCategory)" }) -join '; '
        Add-Check 'network-profile' 'warn' "No active network is a domain network ($seen); the firewall rules the installer adds may not apply." 'Check the domain controller is reachable, then restart the Network Location Awareness service (NlaSvc).'
    }
}

# --- the package --------------------------------------------------------------------------------

Test-Step 'msi-file' {
    $path = [string]$Params.msi_path
    $facts.msiOpened = $false
    if (-not (Test-Path -LiteralPath $path -PathType Leaf)) {
        Add-Check 'msi-file' 'fail' "The installer package $path does not exist on the target." 'Copy the unpacked Service and Portal folder to the target, or correct install.msi_path.'
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
        Add-Check 'msi-file' 'fail' "The file $path cannot be opened as an installer package ($why)." 'Copy the package again from the MIM media; the file may be incomplete or blocked.'
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
    Add-Check 'msi-file' 'pass' "The installer package $path opens."
}

Test-Step 'msi-product' {
    if (-not $facts.msiOpened) {
        Add-Check 'msi-product' 'skip' 'The package could not be read; see msi-file.'
        return
    }
    $code = [string]$facts.msiProductCode
    $name = [string]$facts.msiProductName
    $what = "$name $($facts.msiVersion) (ProductCode $code, UpgradeCode $($facts.msiUpgradeCode))"
    $other = @{}
    foreach ($known in $Params.known_products) {
        $other[[string]$known.code] = [string]$known.name
    }
    if ($code -eq [string]$Params.product_code) {
        Add-Check 'msi-product' 'pass' "The package is $what."
    } elseif ($other.ContainsKey($code)) {
        Add-Check 'msi-product' 'fail' "The package is $($other[$code]), not MIM 2016 Service and Portal: $what." 'Point install.msi_path at "Service and Portal.msi" from the Service and Portal folder of the MIM 2016 media.'
    } elseif ($name -match 'Identity Manager.*Service and Portal') {
        Add-Check 'msi-product' 'warn' "The package is $what; its ProductCode is not the one of MIM 2016 Service and Portal." 'Check this is the release you mean to install.'
    } else {
        Add-Check 'msi-product' 'fail' "The package is $what, not MIM 2016 Service and Portal." 'Point install.msi_path at "Service and Portal.msi" from the Service and Portal folder of the MIM 2016 media.'
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
    $procs = @(Get-CimInstance Win32_Process -Filter "Name = 'msiexec.exe'" | Where-Object { $_.CommandLine -notmatch '/V\s*$' })
    if ($busy) {
        # Process IDs only: another install's command line may hold its passwords.
        $detail = ''
        if ($procs.Count -gt 0) {
            $detail = '(msiexec PID ' + (($procs | ForEach-Object { $_.ProcessId }) -join ', ') + ')'
        }
        Add-Check 'install-running' 'fail' "Another installation is in progress on the target (the _MSIExecute mutex is held) $detail; msiexec would stop with 1618." 'Wait for it to finish (or restart the server if it hangs), then run the pre-flight again.'
    } elseif ($procs.Count -gt 0) {
        Add-Check 'install-running' 'warn' "msiexec is running ($($procs.Count) process(es)) although no installation holds the _MSIExecute mutex." 'Check nothing is being installed before starting.'
    } else {
        Add-Check 'install-running' 'pass' 'No other installation is running.'
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
        Add-Check 'pending-reboot' 'fail' "The target is waiting for a restart ($($all -join ', '))." 'Restart the server, then run the pre-flight again.'
    } elseif ($renames) {
        Add-Check 'pending-reboot' 'warn' 'Files are waiting to be replaced at the next restart (PendingFileRenameOperations).' 'Restart the server before installing if you can.'
    } else {
        Add-Check 'pending-reboot' 'pass' 'No restart is pending.'
    }
}

Test-Step 'disk-space' {
    $dir = [string]$Params.install_dir
    if (-not $dir) {
        $dir = $env:ProgramFiles
    }
    $drive = New-Object System.IO.DriveInfo([System.IO.Path]::GetPathRoot($dir))
    $freeMb = [math]::Floor($drive.AvailableFreeSpace / 1048576)
    $need = [int]$Params.min_free_mb
    $want = [int]$Params.recommended_free_mb
    if ($freeMb -lt $need) {
        Add-Check 'disk-space' 'fail' "Drive $($drive.Name) has $freeMb MB free; the install needs at least $need MB." "Free space on $($drive.Name) or install elsewhere (install.install_dir)."
    } elseif ($freeMb -lt $want) {
        Add-Check 'disk-space' 'warn' "Drive $($drive.Name) has $freeMb MB free; $want MB leaves room for logs and updates." "Free space on $($drive.Name)."
    } else {
        Add-Check 'disk-space' 'pass' "Drive $($drive.Name) has $freeMb MB free."
    }
}

Test-Step 'mim-installed' {
    $codes = @([string]$Params.product_code) + @($Params.legacy_product_codes)
    $entry = Get-UninstallEntry $codes
    $service = Get-ServiceStatus 'FIMService'
    if ($entry) {
        Add-Check 'mim-installed' 'fail' "$($entry.DisplayName) $($entry.DisplayVersion) is already installed on the target." 'To check the existing install, run the post-install checklist; to install again, uninstall it first (Programs and Features, or msiexec /x with its product code).'
    } elseif ($service) {
        Add-Check 'mim-installed' 'fail' "The FIMService service exists ($service) although no MIM Service and Portal is registered as installed: a previous install was not removed cleanly." 'Remove the leftover service (sc.exe delete FIMService) after checking what it belongs to.'
    } else {
        Add-Check 'mim-installed' 'pass' 'MIM Service and Portal is not installed yet.'
    }
}

Test-Step 'dotnet' {
    $key = Get-ItemProperty 'HKLM:\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full' -ErrorAction SilentlyContinue
    $release = 0
    if ($key -and $key.Release) {
        $release = [int]$key.Release
    }
    if ($release -ge [int]$Params.min_dotnet_release) {
        Add-Check 'dotnet' 'pass' ".NET Framework $($key.Version) (release $release) is installed."
    } else {
        Add-Check 'dotnet' 'fail' ".NET Framework 4.6 or later is not installed (release $release); the installer's CheckDotNetVersion would stop." 'Install .NET Framework 4.6 or later (4.8 recommended).'
    }
}

Test-Step 'dotnet35' {
    $key = Get-ItemProperty 'HKLM:\SOFTWARE\Microsoft\NET Framework Setup\NDP\v3.5' -ErrorAction SilentlyContinue
    if ($key -and [int]$key.Install -eq 1) {
        Add-Check 'dotnet35' 'pass' ".NET Framework 3.5 ($($key.Version)) is installed."
    } else {
        Add-Check 'dotnet35' 'fail' '.NET Framework 3.5 is not installed.' 'Install-WindowsFeature NET-Framework-Core (give -Source with the sources\sxs folder of the Windows media).'
    }
}

# --- SQL Server (CheckSQLConnectionAndVersion and what follows it) --------------------------------

$sqlIds = @('sql-reachable', 'sql-version', 'sql-sysadmin', 'sql-agent', 'sql-fulltext', 'sql-database')
if (-not $components.service -or $null -eq $Params.database) {
    foreach ($id in $sqlIds) {
        Add-Check $id 'skip' 'The MIM Service is not selected.'
    }
} else {
    $server = [string]$Params.database.server
    $dbName = [string]$Params.database.name
    $sql = Split-SqlServer $server

    Test-Step 'sql-reachable' {
        $facts.sqlReachable = $false
        $addresses = Resolve-HostName $sql.host
        if (-not $addresses) {
            Add-Check 'sql-reachable' 'fail' "The SQL Server host name $($sql.host) does not resolve from the target." 'Check database.server and the DNS settings of the target.'
            return
        }
        $port = $sql.port
        $how = ''
        if (-not $port -and $sql.instance) {
            $port = Get-SqlInstancePort $sql.host $sql.instance
            if (-not $port) {
                Add-Check 'sql-reachable' 'fail' "The SQL Server Browser on $($sql.host) did not answer for the instance $($sql.instance) (UDP 1434)." "Start the SQL Server Browser service on $($sql.host) and allow UDP 1434 through its firewall, or give the port: $($sql.host),PORT."
                return
            }
            $how = " (instance $($sql.instance), from the SQL Server Browser)"
        }
        if (-not $port) {
            $port = 1433
        }
        if (Test-Tcp $sql.host $port) {
            $facts.sqlReachable = $true
            Add-Check 'sql-reachable' 'pass' "SQL Server $server answers on $($sql.host):$port$how."
        } else {
            Add-Check 'sql-reachable' 'fail' "SQL Server $server does not answer on $($sql.host):$port$how ($addresses) from the target." "Check SQL Server is running and accepts TCP/IP connections, and that the firewall on $($sql.host) allows TCP $port from the target."
        }
    }

    Test-Step 'sql-version' {
        $facts.sql = $null
        if (-not $facts.sqlReachable) {
            Add-Check 'sql-version' 'skip' 'SQL Server is not reachable; see sql-reachable.'
            return
        }
        $conn = New-Object System.Data.SqlClient.SqlConnection("Server=$server;Database=master;Integrated Security=SSPI;Connect Timeout=10;Application Name=mimsetup-preflight")
        try {
            $conn.Open()
        } catch {
            $why = $_.Exception.InnerException.Message
            if (-not $why) {
                $why = $_.Exception.Message
            }
            if ($why -match 'ANONYMOUS LOGON') {
                $facts.sqlWhy = 'the WinRM logon cannot pass its credentials on to SQL Server (the double hop)'
                Add-Check 'sql-version' 'warn' "SQL Server $server answers, but the pre-flight could not log on to it: $($facts.sqlWhy)." 'Run the pre-flight with CredSSP (or Kerberos delegation) to let it check SQL Server, or check by hand that the install account is sysadmin there.'
            } else {
                $facts.sqlWhy = 'the install account could not log on'
                Add-Check 'sql-version' 'fail' "Logging on to SQL Server $server as $([Security.Principal.WindowsIdentity]::GetCurrent().Name) failed: $why" 'Give the install account a login on SQL Server with the sysadmin role; the installer creates the database with it.'
            }
            return
        }
        $facts.sql = $conn
        $version = [version]$conn.ServerVersion
        $min = [version]$Params.min_sql_version
        $want = [version]$Params.recommended_sql_version
        if ($version -lt $min) {
            Add-Check 'sql-version' 'fail' "SQL Server $server is version $version; the installer needs $min or later." 'Upgrade SQL Server (2016 or later is supported by MIM 2016 SP2).'
        } elseif ($version -lt $want) {
            Add-Check 'sql-version' 'warn' "SQL Server $server is version $version; MIM 2016 SP2 supports $want (SQL Server 2016) or later." 'Plan an upgrade of SQL Server.'
        } else {
            Add-Check 'sql-version' 'pass' "SQL Server $server is version $version."
        }
    }

    $noSql = $null -eq $facts.sql
    $skipWhy = 'SQL Server could not be logged on to; see sql-version.'
    if ($facts.sqlWhy) {
        $skipWhy = "Not checked: $($facts.sqlWhy); see sql-version."
    }

    Test-Step 'sql-sysadmin' {
        if ($noSql) {
            Add-Check 'sql-sysadmin' 'skip' $skipWhy
            return
        }
        $isAdmin = Invoke-SqlScalar $facts.sql "SELECT IS_SRVROLEMEMBER('sysadmin')"
        $login = Invoke-SqlScalar $facts.sql 'SELECT SUSER_SNAME()'
        if ([int]$isAdmin -eq 1) {
            Add-Check 'sql-sysadmin' 'pass' "$login is sysadmin on $server."
        } else {
            Add-Check 'sql-sysadmin' 'fail' "$login is not sysadmin on $server; the installer's CheckIfRunningUserSysadmin would stop." "Add $login to the sysadmin role on $server for the install."
        }
    }

    Test-Step 'sql-agent' {
        if ($noSql) {
            Add-Check 'sql-agent' 'skip' $skipWhy
            return
        }
        $state = Invoke-SqlScalar $facts.sql "SELECT TOP 1 status_desc FROM sys.dm_server_services WHERE servicename LIKE 'SQL Server Agent%'"
        if ([string]$state -eq 'Running') {
            Add-Check 'sql-agent' 'pass' "SQL Server Agent is running on $server."
        } else {
            Add-Check 'sql-agent' 'fail' "SQL Server Agent is not running on $server (state: $state); the MIM Service needs its jobs." "Start the SQL Server Agent service on $($sql.host) and set it to start automatically."
        }
    }

    Test-Step 'sql-fulltext' {
        if ($noSql) {
            Add-Check 'sql-fulltext' 'skip' $skipWhy
            return
        }
        $ft = Invoke-SqlScalar $facts.sql "SELECT FULLTEXTSERVICEPROPERTY('IsFullTextInstalled')"
        if ([int]$ft -eq 1) {
            Add-Check 'sql-fulltext' 'pass' "Full-Text Search is installed on $server."
        } else {
            Add-Check 'sql-fulltext' 'fail' "Full-Text Search is not installed on $server; the installer's CheckFullTextSearchInstalled would stop." 'Add the Full-Text and Semantic Extractions for Search feature with SQL Server setup.'
        }
    }

    Test-Step 'sql-database' {
        if ($noSql) {
            Add-Check 'sql-database' 'skip' $skipWhy
            return
        }
        $dbId = Invoke-SqlScalar $facts.sql 'SELECT DB_ID(@name)' @{ '@name' = $dbName }
        $exists = -not ($null -eq $dbId -or $dbId -is [System.DBNull])
        $reuse = [bool]$Params.database.existing
        if ($exists -and -not $reuse) {
            Add-Check 'sql-database' 'fail' "The database $dbName already exists on $server, and the answer file asks for a new one." "Set database.existing = true to reuse it (a second MIM Service server), or remove the old database first."
        } elseif (-not $exists -and $reuse) {
            Add-Check 'sql-database' 'fail' "The database $dbName does not exist on $server, and the answer file asks to reuse it." 'Set database.existing = false to create it, or correct database.name.'
        } elseif ($exists) {
            Add-Check 'sql-database' 'pass' "The database $dbName exists on $server and will be reused."
        } else {
            Add-Check 'sql-database' 'pass' "The database $dbName does not exist yet on $server; the installer will create it."
        }
    }

    if ($facts.sql) {
        $facts.sql.Close()
    }
}

# --- accounts and servers -----------------------------------------------------------------------

Test-Step 'mail-server' {
    if (-not $components.service -or $null -eq $Params.mail) {
        Add-Check 'mail-server' 'skip' 'The MIM Service is not selected.'
        return
    }
    $mail = [string]$Params.mail.server
    if (Test-ThisComputer $mail) {
        Add-Check 'mail-server' 'pass' "The mail server is $mail (none: mail stays on this computer)."
        return
    }
    $addresses = Resolve-HostName $mail
    if ($addresses) {
        Add-Check 'mail-server' 'pass' "The mail server $mail resolves ($addresses)."
    } else {
        Add-Check 'mail-server' 'warn' "The mail server $mail does not resolve from the target; the MIM Service will not be able to send mail." 'Correct mail.server, or use localhost when there is no mail server.'
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
        Add-Check 'service-account' 'skip' 'The MIM Service is not selected.'
        return
    }
    Test-DomainAccount 'service-account' $svcAccount 'MIM Service account'
}

Test-Step 'ma-account' {
    if (-not $maAccount) {
        Add-Check 'ma-account' 'skip' 'The MIM Service is not selected.'
        return
    }
    Test-DomainAccount 'ma-account' $maAccount 'MIM Management Agent account'
}

Test-Step 'accounts-differ' {
    if (-not $svcAccount -or -not $maAccount) {
        Add-Check 'accounts-differ' 'skip' 'The MIM Service is not selected.'
        return
    }
    $a = Split-Account $svcAccount
    $b = Split-Account $maAccount
    $sidA = Resolve-Account $svcAccount
    $sidB = Resolve-Account $maAccount
    $same = ($a[0] -eq $b[0] -and $a[1] -eq $b[1]) -or ($sidA -and $sidA -eq $sidB)
    if ($same) {
        Add-Check 'accounts-differ' 'fail' "The MIM Service account and the Management Agent account are the same ($svcAccount); the installer's ValidateSyncAccount would stop." 'Use a separate account for synchronization.ma_account.'
    } else {
        Add-Check 'accounts-differ' 'pass' "The MIM Service account ($svcAccount) and the Management Agent account ($maAccount) differ."
    }
}

Test-Step 'sspr-accounts' {
    if (-not $anySspr) {
        Add-Check 'sspr-accounts' 'skip' 'No password portal is selected.'
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
        Add-Check 'sspr-accounts' 'fail' "Application pool account(s) not found in the domain: $($missing -join ', ')." 'Create the accounts in Active Directory, or correct the answer file.'
    } else {
        Add-Check 'sspr-accounts' 'pass' "Application pool account(s) exist: $($found -join ', ')."
    }
}

Test-Step 'sync-service' {
    if (-not $components.service -or $null -eq $Params.synchronization) {
        Add-Check 'sync-service' 'skip' 'The MIM Service is not selected.'
        return
    }
    $sync = [string]$Params.synchronization.server
    if (Test-ThisComputer $sync) {
        $state = Get-ServiceStatus 'FIMSynchronizationService'
        if ($null -eq $state) {
            Add-Check 'sync-service' 'fail' "The MIM Synchronization Service is not installed on this computer, named as the synchronization server; the installer's CheckSynchronizationServiceExists would stop." 'Install the Synchronization Service first (the step before this one), or correct synchronization.server.'
        } elseif ($state -ne 'Running') {
            Add-Check 'sync-service' 'warn' "The MIM Synchronization Service is installed but $state." 'Start FIMSynchronizationService.'
        } else {
            Add-Check 'sync-service' 'pass' 'The MIM Synchronization Service is installed and running on this computer.'
        }
        return
    }
    $addresses = Resolve-HostName $sync
    if ($addresses) {
        Add-Check 'sync-service' 'pass' "The synchronization server $sync resolves ($addresses); its service is checked there."
    } else {
        Add-Check 'sync-service' 'fail' "The synchronization server $sync does not resolve from the target." 'Correct synchronization.server (the computer running the MIM Synchronization Service).'
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
        Add-Check 'service-address' 'skip' 'No portal is selected.'
        return
    }
    $bad = @($names | Where-Object { -not (Test-ThisComputer $_) -and -not (Resolve-HostName $_) })
    if ($bad.Count -gt 0) {
        Add-Check 'service-address' 'fail' "The MIM Service address(es) $($bad -join ', ') do not resolve from the target; the installer's UIValidateFimServiceServerAddress would stop." 'Give the host name of the MIM Service server (this computer on a single server).'
    } else {
        Add-Check 'service-address' 'pass' "The MIM Service address(es) resolve: $($names -join ', ')."
    }
}

Test-Step 'firewall-service' {
    $state = Get-ServiceStatus 'MpsSvc'
    $wanted = [bool]$Params.firewall
    if ($state -eq 'Running') {
        Add-Check 'firewall-service' 'pass' 'The Windows Firewall service is running.'
    } elseif ($wanted) {
        Add-Check 'firewall-service' 'fail' "The Windows Firewall service is not running ($state) and the answer file asks to open ports; the installer's CheckFirewallServiceRunning would stop." 'Start the Windows Defender Firewall service (MpsSvc), or set the open_firewall options to false.'
    } else {
        Add-Check 'firewall-service' 'warn' "The Windows Firewall service is not running ($state)." 'Start the Windows Defender Firewall service (MpsSvc).'
    }
}

Test-Step 'service-ports' {
    if (-not $components.service) {
        Add-Check 'service-ports' 'skip' 'The MIM Service is not selected.'
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
        Add-Check 'service-ports' 'fail' "The MIM Service ports are in use: $($used -join ', ')." 'Stop what listens there; if it is an earlier MIM Service, see mim-installed.'
    } else {
        Add-Check 'service-ports' 'pass' "The MIM Service ports $($Params.service_ports -join ' and ') are free."
    }
}

# --- SharePoint (portal) -------------------------------------------------------------------------

$spIds = @('sharepoint', 'sharepoint-admin-service', 'sharepoint-timer-service', 'sharepoint-site', 'sharepoint-farm')
if (-not $components.portal) {
    foreach ($id in $spIds) {
        Add-Check $id 'skip' 'The MIM Portal is not selected.'
    }
} else {
    Test-Step 'sharepoint' {
        $facts.sharepoint = $false
        $found = $null
        foreach ($v in @('16.0', '15.0')) {
            $key = "HKLM:\SOFTWARE\Microsoft\Shared Tools\Web Server Extensions\$v"
            if (Test-Path "$key\WSS") {
                $found = Get-ItemProperty $key -ErrorAction SilentlyContinue
                if ($null -eq $found.Version) {
                    $found = @{ Version = $v }
                }
                break
            }
        }
        if ($found) {
            $facts.sharepoint = $true
            Add-Check 'sharepoint' 'pass' "SharePoint $($found.Version) is installed."
        } else {
            Add-Check 'sharepoint' 'fail' 'SharePoint is not installed on the target; the MIM Portal is installed into a SharePoint site collection.' 'Install SharePoint (2016 SP1 or later, or 2019), create the web application and the site collection, then run the pre-flight again.'
        }
    }

    $spMissing = 'SharePoint is not installed; see sharepoint.'
    foreach ($pair in @(@('sharepoint-admin-service', 'SPAdminV4', 'SharePoint Administration', 'CheckSharepointAdminServiceRunning'), @('sharepoint-timer-service', 'SPTimerV4', 'SharePoint Timer', 'CheckSharepointTimerServiceRunning'))) {
        $id = $pair[0]
        Test-Step $id {
            if (-not $facts.sharepoint) {
                Add-Check $id 'skip' $spMissing
                return
            }
            $state = Get-ServiceStatus $pair[1]
            if ($state -eq 'Running') {
                Add-Check $id 'pass' "The $($pair[2]) service ($($pair[1])) is running."
            } else {
                Add-Check $id 'fail' "The $($pair[2]) service ($($pair[1])) is not running ($state); the installer's $($pair[3]) would stop." "Start-Service $($pair[1]) and set it to start automatically."
            }
        }
    }

    Test-Step 'sharepoint-site' {
        if (-not $facts.sharepoint) {
            Add-Check 'sharepoint-site' 'skip' $spMissing
            return
        }
        $url = [string]$Params.portal.sharepoint_url
        $code = $null
        $why = ''
        try {
            $r = Invoke-WebRequest -Uri $url -UseDefaultCredentials -UseBasicParsing -TimeoutSec 120 -MaximumRedirection 5
            $code = [int]$r.StatusCode
        } catch [System.Net.WebException] {
            if ($_.Exception.Response) {
                $code = [int]$_.Exception.Response.StatusCode
            } else {
                $why = $_.Exception.Message
            }
        }
        if ($null -eq $code) {
            Add-Check 'sharepoint-site' 'fail' "The SharePoint site collection $url does not answer from the target ($why)." 'Create the web application and the site collection (the walkthrough uses New-SPWebApplication and New-SPSite), and check the host name resolves.'
        } elseif ($code -eq 404) {
            Add-Check 'sharepoint-site' 'fail' "SharePoint answers at $url, but there is no site collection there (HTTP 404); the installer's CheckSharepointWebApporSiteExisting would stop." 'Create the site collection at that URL with New-SPSite, or correct portal.sharepoint_url.'
        } elseif ($code -ge 500) {
            Add-Check 'sharepoint-site' 'fail' "The SharePoint site collection $url answers with HTTP $code." 'Open the site on the target and fix SharePoint first.'
        } else {
            Add-Check 'sharepoint-site' 'pass' "The SharePoint site collection $url answers (HTTP $code)."
        }
    }

    Test-Step 'sharepoint-farm' {
        if (-not $facts.sharepoint) {
            Add-Check 'sharepoint-farm' 'skip' $spMissing
            return
        }
        try {
            if (-not (Get-PSSnapin Microsoft.SharePoint.PowerShell -ErrorAction SilentlyContinue)) {
                Add-PSSnapin Microsoft.SharePoint.PowerShell -ErrorAction Stop
            }
            $farm = Get-SPFarm -ErrorAction Stop
        } catch {
            $why = $_.Exception.Message -replace '\s+', ' '
            Add-Check 'sharepoint-farm' 'warn' "The SharePoint farm could not be read from this logon ($why); the installer checks that the install account is a farm administrator (CheckSharepointFarmAdministratorWithOpenPermission)." 'Make the install account a SharePoint farm administrator with access to the configuration database; over WinRM, use CredSSP when SQL Server is on another computer.'
            return
        }
        $existing = @(Get-SPSolution -ErrorAction SilentlyContinue | Where-Object { $_.Name -match 'fim|identitymanagement' } | ForEach-Object { $_.Name })
        if ($existing.Count -gt 0) {
            Add-Check 'sharepoint-farm' 'fail' "A MIM portal solution is already in the farm: $($existing -join ', '); the installer's CheckFIMWebSiteorSolutionPackExisting would stop." 'Retract and remove the old solution packs (Uninstall-SPSolution, Remove-SPSolution) first.'
        } else {
            Add-Check 'sharepoint-farm' 'pass' "The install account can administer the SharePoint farm (build $($farm.BuildVersion)) and no MIM portal solution is deployed yet."
        }
    }
}

# --- IIS and the password portals ----------------------------------------------------------------

Test-Step 'iis' {
    if (-not $anySspr) {
        Add-Check 'iis' 'skip' 'No password portal is selected.'
        return
    }
    $state = Get-ServiceStatus 'W3SVC'
    if ($state -eq 'Running') {
        Add-Check 'iis' 'pass' 'IIS (W3SVC) is running.'
    } elseif ($null -eq $state) {
        Add-Check 'iis' 'fail' 'IIS is not installed; the password portals are IIS sites.' 'Install-WindowsFeature Web-Server -IncludeManagementTools'
    } else {
        Add-Check 'iis' 'fail' "IIS is installed but the World Wide Web Publishing Service is $state." 'Start-Service W3SVC and set it to start automatically.'
    }
}

Test-Step 'sspr-ports' {
    if (-not $anySspr) {
        Add-Check 'sspr-ports' 'skip' 'No password portal is selected.'
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
        Add-Check 'sspr-ports' 'fail' "Port(s) already in use: $($used -join ', ')." 'Choose another port in the answer file, or stop the site that uses it.'
    } else {
        Add-Check 'sspr-ports' 'pass' "Port(s) free: $($free -join ', ')."
    }
}

$result = [ordered]@{ schema = 1; computer = $env:COMPUTERNAME; checks = $checks.ToArray() }
[Console]::Out.WriteLine(($result | ConvertTo-Json -Depth 5 -Compress))

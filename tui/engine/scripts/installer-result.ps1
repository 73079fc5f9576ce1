# mimsetup-script: installer-result
# What an install through the Windows Installer API (WindowsInstaller.Installer.InstallProduct)
# ended with, shared by the engine's runner (install-runner.ps1 includes this text) and the
# exports' install script (tui/export/common.py INSTALL_PS): one piece of PowerShell for both.

# The code an InstallProduct error carries: HRESULT_FROM_WIN32(code) when it is one; the automation
# interface's own errors are generic (DISP_E_EXCEPTION), and then the code is in the log.
function Get-InstallerError($record) {
    $e = $record.Exception
    while ($null -ne $e.InnerException) {
        $e = $e.InnerException
    }
    $hr = $e.HResult
    if ((($hr -shr 16) -band 0x1FFF) -eq 7) {
        return @{ code = ($hr -band 0xFFFF); problem = $null }
    }
    return @{ code = -1; problem = ('Windows Installer: ' + $e.Message) }
}

# The engine's own result, from the log's last "MainEngineThread is returning N" (not localised):
# the COM call reports success without 3010 and some failures without a Win32 code. The log is
# opened sharing read and write: EnableLog's logging belongs to this process, which may still
# hold the file open for writing (reading the whole file, sharing read only, would then fail and the
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

# The result: the engine's own from its log when the call gave none (success without 3010, or a
# generic error), the generic error's text then adding nothing.
function Complete-InstallResult([int]$code, $problem, [string]$logPath) {
    $logged = Get-LoggedResult $logPath
    if ($null -ne $logged -and ($code -eq 0 -or $code -eq -1)) {
        return @{ code = $logged; problem = $null }
    }
    return @{ code = $code; problem = $problem }
}

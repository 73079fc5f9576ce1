# mimsetup-script: outcomes
# Words the reports of preflight.ps1 and checklist.ps1 from the outcomes catalog (outcomes.json)
# for the exports, which run those scripts without mimsetup and pass the catalog's section as
# $Params.outcomes. mimsetup itself words them in Python (tui/engine/outcomes.py) and sends no
# catalog. Both scripts include this text where they say `# mimsetup-include: outcomes`.

function Expand-Outcome {
    # Fills {name} placeholders in one pass: a value's own braces are never expanded.
    param([string]$Text, $Values)
    $out = New-Object System.Text.StringBuilder
    $at = 0
    foreach ($m in [regex]::Matches($Text, '\{([a-z_]+)\}')) {
        [void]$out.Append($Text.Substring($at, $m.Index - $at))
        $value = $null
        if ($null -ne $Values) {
            $value = $Values.($m.Groups[1].Value)
        }
        if ($null -eq $value) {
            $value = '?'
        }
        [void]$out.Append([string]$value)
        $at = $m.Index + $m.Length
    }
    [void]$out.Append($Text.Substring($at))
    return $out.ToString()
}

function Format-Outcomes {
    # Each entry (id or kind, reason, values) gains status, message, remedy and evidence.
    param($Entries, $Catalog)
    foreach ($e in $Entries) {
        $key = $e.id
        if ($e.kind) {
            $key = $e.kind
        }
        $o = $null
        $check = $Catalog.checks.($key)
        if ($null -ne $check) {
            $o = $check.outcomes.($e.reason)
        }
        if ($null -eq $o) {
            $o = $Catalog.common.($e.reason)
        }
        if ($null -eq $o) {
            $e['status'] = 'warn'
            $e['message'] = 'Unknown outcome ' + $key + '/' + $e.reason + '.'
            $e['remedy'] = ''
            $e['evidence'] = ''
        } else {
            $e['status'] = [string]$o.status
            $e['message'] = Expand-Outcome ([string]$o.message) $e.values
            $e['remedy'] = Expand-Outcome ([string]$o.remedy) $e.values
            $e['evidence'] = Expand-Outcome ([string]$o.evidence) $e.values
        }
        $e
    }
}

"""Defects of #15 that only the PowerShell's text can show (no PowerShell runs here): each test
reads the shipped script as the engine sends it and fails on the script as it was before."""

from __future__ import annotations

import re

import pytest

from tui.engine import scripts

PREFLIGHT = scripts.text("preflight")
CHECKLIST = scripts.text("checklist")


def _branch(text: str, label: str) -> str:
    """The body of a checklist kind's switch branch (`'kind' {` to the next branch)."""
    start = text.index(f"            '{label}' {{")
    end = text.index("\n            '", start + 1)
    return text[start:end]


def test_batch_logon_right_and_stored_credentials_are_checked():  # #15.2
    assert "SeDenyBatchLogonRight" in PREFLIGHT and "SeBatchLogonRight" in PREFLIGHT
    assert "DisableDomainCreds" in PREFLIGHT
    # a deny outranks a grant: it is looked at first
    step = PREFLIGHT[PREFLIGHT.index("Test-Step 'batch-logon'"):]
    assert step.index("SeDenyBatchLogonRight") < step.index("'SeBatchLogonRight'")


def test_the_intranet_zone_is_read_in_the_install_accounts_own_hive():  # #15.4
    branch = _branch(CHECKLIST, "intranet-zone")
    assert "HKCU:" not in CHECKLIST  # in a WinRM shell HKCU is HKEY_USERS\.DEFAULT
    assert "HKEY_USERS\\" in branch and "User.Value" in branch
    # nothing is written unless that hive is loaded
    assert branch.index("Test-Path -LiteralPath $hive") < branch.index("New-Item")
    assert "'no-profile'" in branch


def test_enhanced_security_configuration_of_administrators():  # #15.5
    assert "{A509B1A7-37EF-4b3f-8CFC-4F3A74704073}" in CHECKLIST  # administrators'
    assert "EscDomains" in CHECKLIST


def test_sql_client_aliases_are_read_before_dns():  # #15.6
    assert "HKLM:\\SOFTWARE\\Microsoft\\MSSQLServer\\Client\\ConnectTo" in PREFLIGHT
    assert "HKLM:\\SOFTWARE\\WOW6432Node\\Microsoft\\MSSQLServer\\Client\\ConnectTo" in PREFLIGHT
    split = PREFLIGHT[PREFLIGHT.index("function Split-SqlServer"):]
    split = split[: split.index("\n    }\n")]
    assert re.search(r"\^\(\?:tcp\|np", split), "tcp: and np: prefixes are stripped"
    assert "Get-SqlAlias" in split
    reach = PREFLIGHT[PREFLIGHT.index("Test-Step 'sql-reachable'"):]
    assert reach.index("Resolve-HostName $sql.host") > 0  # on the alias's target, after it


def test_the_checks_of_other_computers_run_as_the_install_account():  # #15.8
    start = PREFLIGHT[PREFLIGHT.index("function Start-Probes"):]
    start = start[: start.index("\n}\n")]
    assert "RegisterTaskDefinition(" in start and "Register-ScheduledTask" not in PREFLIGHT
    # the password goes to the COM method only: not into the probe's document, not on the
    # task's command line (the arguments are the encoded loader, which reads a file)
    keys = re.search(r"foreach \(\$key in @\(([^)]*)\)\)", start).group(1)
    assert "run_as" not in keys
    uses = [line for line in start.splitlines() if "run_as_password" in line]
    assert len(uses) == 2 and "RegisterTaskDefinition" in uses[1]
    probes = PREFLIGHT[PREFLIGHT.index("$Probes = {"):PREFLIGHT.index("$ProbeLoader = {")]
    for check in ("'sql-version'", "'sql-sysadmin'", "'service-account'", "'sharepoint-farm'"):
        assert f"Test-Step {check}" in probes, check


@pytest.mark.parametrize("name", ["microsoftilmportalcommondlls.wsp", "fimportal.wsp",
                                  "MicrosoftIdentityManagementPortal.wsp"])
def test_leftover_mim_solutions_are_found(name):  # #15.12
    pattern = re.search(r"Get-SPSolution.*?-match '([^']+)'", PREFLIGHT).group(1)
    assert re.search(pattern, name, re.IGNORECASE)  # -match ignores case
    for other in ("contoso.branding.wsp", "FilmLibrary.wsp", "contoso.ilmtools.wsp"):
        assert not re.search(pattern, other, re.IGNORECASE), other  # anchored to MIM's names


def test_the_farm_check_asks_for_a_farm_administrator_and_reads_or_says_unreadable():
    step = PREFLIGHT[PREFLIGHT.index("Test-Step 'sharepoint-farm'"):]
    step = step[: step.index("\n    }\n")]
    assert "$farm.CurrentUserIsAdministrator()" in step and "'not-farm-admin'" in step
    # the solutions are listed inside the try whose catch says 'unreadable', and the listing
    # itself stops on an error (a failure is not an empty farm)
    assert step.index("Get-MimSolutions") < step.index("'unreadable'")
    assert "Get-SPSolution -ErrorAction Stop" in PREFLIGHT
    assert "Get-SPSolution -ErrorAction SilentlyContinue" not in PREFLIGHT + CHECKLIST


@pytest.mark.parametrize("text", [PREFLIGHT, CHECKLIST], ids=["preflight", "checklist"])
def test_web_requests_offer_tls12(text):  # #15.14
    lines = text.splitlines()
    calls = [i for i, line in enumerate(lines) if "Invoke-WebRequest" in line
             and not line.lstrip().startswith("#")]
    assert calls
    for i in calls:
        before = "\n".join(lines[max(0, i - 8):i])
        assert "[Net.SecurityProtocolType]::Tls12" in before and "-bor" in before, lines[i]


def test_a_portal_answering_401_is_confirmed_in_the_farm_or_unknown():  # #15.14
    branch = _branch(CHECKLIST, "portal")
    assert "$t.code -eq 401" in branch and "'denied'" not in branch
    # the site answers; the portal is confirmed by its deployed solution packs, else unknown
    assert "Get-MimSolutions" in branch and "$_.Deployed" in branch
    assert "'denied-unseen'" in branch and "'denied-not-deployed'" in branch


def test_fimautomation_import_is_invariant_and_unreachable_is_unknown():  # #15.15
    branch = _branch(CHECKLIST, "mpr-own-attributes")
    assert "$change.Locale = 'Invariant'" in branch
    assert branch.index("$change.Locale") < branch.index("| Import-FIMConfig")
    assert "'no-service'" in branch


def test_a_gmsa_is_checked_for_this_server_retrieving_its_password():  # #15.13
    step = PREFLIGHT[PREFLIGHT.index("Test-Step 'gmsa-password'"):]
    step = step[: step.index("\n    }\n")]
    assert "Test-ADServiceAccount" in step and "msDS-GroupMSAMembership" in step
    assert "tokenGroups" in step  # this computer's groups count too
    probes = PREFLIGHT[PREFLIGHT.index("$Probes = {"):PREFLIGHT.index("$ProbeLoader = {")]
    assert "Test-Step 'gmsa-password'" in probes  # asks the directory: as the install account


def test_the_firewall_rules_are_read_from_the_active_store():
    # the local persistent store (the default) may hold rules Group Policy does not apply
    branch = _branch(CHECKLIST, "firewall")
    calls = [line for line in branch.splitlines() if "Get-NetFirewallRule" in line
             and not line.lstrip().startswith("#")]
    assert calls and all("-PolicyStore ActiveStore" in line for line in calls)


def test_group_policy_zones_are_read_first_and_never_fixed():
    branch = _branch(CHECKLIST, "intranet-zone")
    assert branch.index("Get-ZonePolicy") < branch.index("Test-Path -LiteralPath $hive")
    policy = branch[branch.index("if ($policy)"):branch.index("elseif (-not (Test-Path")]
    assert "New-Item" not in policy and "New-ItemProperty" not in policy
    assert "'policy-not-listed'" in policy
    function = CHECKLIST[CHECKLIST.index("function Get-ZonePolicy"):]
    function = function[:function.index("\n}\n")]
    for name in ("ZoneMapKey", "Security_HKLM_only", "Security_zones_map_edit",
                 "'HKLM:\\' + $tail"):
        assert name in function, name


def test_empty_token_groups_are_unread_not_a_refusal():
    step = PREFLIGHT[PREFLIGHT.index("Test-Step 'gmsa-password'"):]
    step = step[: step.index("\n    }\n")]
    check = step[step.index("RefreshCache(@('tokenGroups'))"):]
    assert check.index("$groups.Count -eq 0") < check.index("'unread'") < check.index(
        "'not-allowed'")


def _function(name: str) -> str:
    body = PREFLIGHT[PREFLIGHT.index(f"function {name} {{"):]
    return body[: body.index("\n    }\n")]


def test_a_port_whose_listeners_cannot_be_read_is_not_free():
    listener = _function("Get-Listener")
    # no listener is ObjectNotFound; any other lookup error throws (Test-Step: not checked)
    assert "-ErrorVariable lookup" in listener and "'ObjectNotFound'" in listener
    assert listener.index("'ObjectNotFound'") < listener.index("throw (")
    assert "$LASTEXITCODE -ne 0" in listener  # netstat failing is not "free" either


def test_an_account_is_looked_up_in_the_directory_by_its_sid():
    # a UPN's prefix need not be the sAMAccountName
    assert "(objectSid=" in _function("Get-AccountControl")
    assert "Get-AccountControl $sid" in _function("Test-DomainAccount")
    assert "sAMAccountName=$(ConvertTo-LdapValue $Sam)" not in PREFLIGHT


def test_the_sql_connection_string_is_built_by_keyword():
    # a value holding ';' must not add keywords
    assert "SqlConnectionStringBuilder" in PREFLIGHT
    assert not re.search(r"SqlConnection\(\"[^\"]*\$", PREFLIGHT)
    assert "$csb['Data Source'] = [string]$server" in PREFLIGHT


def test_install_start_reports_the_tasks_result_when_it_never_started():
    # a missing batch logon right only warns at registration (a success code PowerShell never
    # sees): the refusal shows as the task's last result, which mimsetup names
    start = scripts.text("install-start")
    loop = start[start.index("for ($i = 0; $i -lt 80"):]
    assert loop.index("$result.task_result = '0x{0:X8}' -f $task.LastTaskResult") < loop.index(
        "throw")


def test_the_runner_and_the_exports_share_one_install_result():
    # one piece of PowerShell reads the result: the log opened sharing read and write (EnableLog's
    # process may hold it open for writing), UTF-16 then ANSI, the generic COM error dropped
    from tui.export.common import INSTALL_PS

    shared = scripts.text("installer-result").split("\n", 1)[1]
    assert shared in INSTALL_PS and shared in scripts.text("install-runner")
    assert "ReadAllBytes" not in INSTALL_PS and "ReadAllBytes" not in shared
    for text in (INSTALL_PS, scripts.text("install-runner")):
        assert "Complete-InstallResult $code $problem" in text
        assert "Get-InstallerError $_" in text

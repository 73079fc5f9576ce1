"""What tasks/mimsetup.yml of `mimsetup export ansible` holds: the same tasks for every host.

Find out whether MIM Service and Portal is installed (by the package's own ProductCode), the
pre-flight (files/preflight.ps1), the install (files/install.ps1, common.INSTALL_PS, through
`ansible.windows.win_powershell`: its parameters travel in the module's payload over WinRM, never
on a process command line, and it installs through the Windows Installer COM API), then the
checklist (files/checklist.ps1). Every template here is mimsetup's own: the values come from
host_vars, written `!unsafe`.
"""

from __future__ import annotations

from typing import Any

from tui.engine import outcomes
from tui.export.common import PACKAGE_PS
from tui.export.yamltext import Template

SUCCESS_CODES = [0, 3010, 1641]  # Windows Installer's: installed (3010, 1641: restart needed)
INSTALL_FILE = "install.ps1"
INSTALL_HEADER = ("# mimsetup: the install of MIM Service and Portal, run by win_powershell\n"
                  "# with the plan's properties as parameters (see tasks/mimsetup.yml).\n")
# Whether the product is installed: the pre-flight would fail on an installed product, and the
# install is skipped, so a second run goes straight to the checklist and changes nothing.
# The product id is the package's own, read when the play runs (each release has its own
# ProductCode): the first output is it, the last whether it (or any release) is installed.
INSTALLED_SCRIPT = ("param($MsiPath)\n$Ansible.Changed = $false\n" + PACKAGE_PS
                    + "$code = Get-PackageCode $MsiPath\n$code\nTest-MimInstalled $code\n")


def _report(rows: str, cols: tuple[str, ...]) -> Template:
    """A list of 'a | b | c' lines, one per check, built by Ansible from the parsed report."""
    zipped = ", ".join(f"{rows} | map(attribute='{c}') | list" for c in cols[1:])
    return Template(f"{{{{ {rows} | map(attribute='{cols[0]}') | zip({zipped}) "
                    f"| map('join', ' | ') | list }}}}")


def _parse_json(register: str) -> Template:
    """The script's JSON document: preflight.ps1 writes it to the console (host_out),
    checklist.ps1 to the pipeline (output); the last line that starts with { is it."""
    return Template(
        f"{{{{ (({register}.host_out | default('')).splitlines() + ({register}.output "
        "| default([]) | map('string') | list)) | map('trim') | select('match', '[{]') "
        "| list | last | from_json }}")


def _with_outcomes(name: str) -> str:
    """The script's params plus its section of the outcomes catalog (files/outcomes.json), so
    that the script words its own report."""
    return (f"{{{{ mimsetup_{name}_params | combine({{'outcomes': (lookup('ansible.builtin.file', "
            f"playbook_dir ~ '/files/{outcomes.CATALOG_FILE}') | from_json)['{name}']}}) }}}}")


def tasks() -> list[dict[str, Any]]:
    script = "{{ lookup('ansible.builtin.file', playbook_dir ~ '/files/%s.ps1') }}"
    pf_rows = "mimsetup_preflight.checks"
    cl_rows = "mimsetup_checklist['items']"
    return [
        {
            "name": "Find out whether MIM Service and Portal is installed already",
            "ansible.windows.win_powershell": {
                "script": INSTALLED_SCRIPT,
                "parameters": {"MsiPath": Template("{{ mimsetup_msi_path }}")},
            },
            "register": "mimsetup_installed_run",
        },
        {
            "name": "Remember it",
            "ansible.builtin.set_fact": {
                "mimsetup_already_installed": Template(
                    "{{ mimsetup_installed_run.output | default([false]) | last | bool }}"),
            },
        },
        {
            "name": "Pre-flight: mimsetup's checks of everything the installer needs",
            "ansible.windows.win_powershell": {
                "script": Template(script % "preflight"),
                "parameters": {"Params": Template(_with_outcomes("preflight"))},
            },
            "register": "mimsetup_preflight_run",
            "changed_when": False,
            "when": "not mimsetup_already_installed",
        },
        {
            "name": "Read the pre-flight report",
            "ansible.builtin.set_fact": {"mimsetup_preflight": _parse_json(
                "mimsetup_preflight_run")},
            "when": "not mimsetup_already_installed",
        },
        {
            "name": "Pre-flight checks (status | check | finding | remedy)",
            "ansible.builtin.debug": {
                "msg": _report(pf_rows, ("status", "id", "message", "remedy"))},
            "when": "not mimsetup_already_installed",
        },
        {
            "name": "Stop this host when a pre-flight check failed",
            "ansible.builtin.assert": {
                "that": [f"{pf_rows} | selectattr('status', 'equalto', 'fail') | list "
                         "| length == 0"],
                "fail_msg": Template(
                    "Pre-flight failed on {{ inventory_hostname }}: {{ " + pf_rows
                    + " | selectattr('status', 'equalto', 'fail') | map(attribute='id') "
                    "| join(', ') }}. Fix what the remedies above say, or run again with "
                    "-e mimsetup_ignore_preflight=true."),
                "quiet": True,
            },
            "when": "not mimsetup_already_installed and not "
                    "(mimsetup_ignore_preflight | default(false) | bool)",
        },
        {
            "name": "Check that the Vault holds every password this host needs",
            "ansible.builtin.assert": {
                "that": ["lookup('ansible.builtin.vars', item, default='') | length > 0"],
                "fail_msg": Template(
                    "{{ item }} is not set: put it in the Vault (see "
                    "group_vars/all/vault.yml.example and README.md)."),
                "quiet": True,
            },
            "loop": Template("{{ mimsetup_secret_vars }}"),
            "loop_control": {"label": Template("{{ item }}")},
            "when": "not mimsetup_already_installed",
        },
        {
            "name": "Install MIM Service and Portal (the properties of `mimsetup plan`) through "
                    "the Windows Installer API",
            "ansible.windows.win_powershell": {
                "script": Template(script % "install"),
                # module parameters: in the payload over WinRM, never on a command line
                "parameters": {"MsiPath": Template("{{ mimsetup_msi_path }}"),
                               "LogPath": Template("{{ mimsetup_log_path }}"),
                               "Properties": Template("{{ mimsetup_arguments }}")},
            },
            # The properties hold the passwords once templated: never shown, not even on failure
            # (the next task says the code; the MSI log on the target tells what went wrong).
            # no_log also keeps Ansible from writing the module's arguments to the target's
            # event log.
            "no_log": Template("{{ mimsetup_no_log | default(true) | bool }}"),
            "register": "mimsetup_install",
            "when": "not mimsetup_already_installed",
        },
        {
            "name": "Remember how the install ended (Windows Installer's code)",
            "ansible.builtin.set_fact": {
                "mimsetup_install_code": Template(
                    "{{ mimsetup_install.output | default([-1]) | first | int }}"),
                "mimsetup_install_problem": Template(
                    "{{ (mimsetup_install.output | default(['', ''], true))[1:] | join(' ') }}"),
            },
            "when": "not mimsetup_already_installed",
        },
        {
            "name": "Stop this host when the install failed",
            "ansible.builtin.assert": {
                "that": [f"mimsetup_install_code | int in {SUCCESS_CODES}"],
                "fail_msg": Template(
                    "The install failed on {{ inventory_hostname }} with Windows Installer code "
                    "{{ mimsetup_install_code }} {{ mimsetup_install_problem }}; the MSI log on "
                    "the target ({{ mimsetup_log_path }}) says why."),
                "quiet": True,
            },
            "when": "not mimsetup_already_installed",
        },
        {
            "name": "Say when Windows needs a restart to finish",
            "ansible.builtin.debug": {
                "msg": Template("{{ inventory_hostname }} needs a restart to finish the install "
                                "({{ mimsetup_install_code }}); restart it when convenient."),
            },
            "when": "not mimsetup_already_installed and mimsetup_install_code | int in "
                    "[3010, 1641]",
        },
        {
            "name": "Checklist: the walkthrough's post-install checks",
            "ansible.windows.win_powershell": {
                "script": Template(script % "checklist"),
                "parameters": {"Params": Template(_with_outcomes("checklist"))},
            },
            "register": "mimsetup_checklist_run",
            "changed_when": False,
        },
        {
            "name": "Read the checklist report",
            "ansible.builtin.set_fact": {"mimsetup_checklist": _parse_json(
                "mimsetup_checklist_run")},
        },
        {
            "name": "Checklist (status | item | finding | evidence | remedy)",
            "ansible.builtin.debug": {"msg": _report(
                cl_rows, ("status", "id", "message", "evidence", "remedy"))},
        },
        {
            "name": "Fail this host when a checklist item failed",
            "ansible.builtin.assert": {
                "that": [f"{cl_rows} | selectattr('status', 'equalto', 'fail') | list "
                         "| length == 0"],
                "fail_msg": Template(
                    "Checklist items failed on {{ inventory_hostname }}: {{ " + cl_rows
                    + " | selectattr('status', 'equalto', 'fail') | map(attribute='id') "
                    "| join(', ') }}; see the remedies above, or `mimsetup check`."),
                "quiet": True,
            },
            "when": "not (mimsetup_ignore_checklist | default(false) | bool)",
        },
    ]

"""`mimsetup export ansible`: a ready-to-run Ansible project for a fleet file or an answer file.

    DIR/
      README.md                     how to run it
      ansible.cfg                   inventory = inventory.yml
      requirements.yml              the ansible.windows collection
      inventory.yml                 the hosts and their WinRM connection, from each [target]
      site.yml                      the plays, in the fleet's order
      tasks/mimsetup.yml            pre-flight, install, checklist: the same for every host
      files/preflight.ps1           mimsetup's own target scripts, copied as they are
      files/checklist.ps1
      files/outcomes.json           the outcomes catalog the scripts word their reports with
      host_vars/<host>/mimsetup.yml what the tasks need for that host: MSI path, arguments,
                                    the scripts' parameters
      group_vars/all/vault.yml.example  the secret variables to put into an Ansible Vault

The install is `ansible.windows.win_package` with the plan's MSI path and log, and `arguments`
equal to the plan's properties in the plan's order (win_package itself adds /i, /qn, /norestart
and /L*V). A secret property's value is a Vault variable in the arguments, never the value:
nothing the export writes holds a password.

Nothing from the answer file is ever templated: every value the export writes into the
inventory and host_vars is tagged `!unsafe` (Ansible's mark for data: 2.19's templating leaves
it untrusted, older releases wrap it as AnsibleUnsafe), and the only templates are mimsetup's
own (the Vault references and the join of the arguments). The README and comments show user
text escaped. The database-creating host has its own play, run
first with any_errors_fatal; the other hosts follow, `serial` at a time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tui.engine import outcomes, scripts
from tui.engine.checklist import checklist_params
from tui.engine.preflight import preflight_params
from tui.export.ansible_readme import readme
from tui.export.common import (
    GENERATED_BY,
    PACKAGE_PS,
    WINRM_PASSWORD_VAR,
    Host,
    Source,
    vault_var,
)
from tui.export.yamltext import Template, comment_lines, dumps, quoted
from tui.model.msi import Plan, quote
from tui.model.printable import visible

COLLECTION = "ansible.windows"
COLLECTION_VERSION = ">=1.5.0"  # win_powershell (with host_out) arrived in 1.5.0
EXPECTED_RETURN_CODES = [0, 3010]
DEFAULT_SERIAL = 4
SCRIPTS = ("preflight", "checklist")
FIRST_GROUP, REST_GROUP, ALL_GROUP = "mimsetup_first", "mimsetup_rest", "mimsetup"
# Whether the product is installed: the pre-flight would fail on an installed product, so a second
# run goes straight to the checklist (win_package itself is idempotent by product_id).
# The product id is the package's own, read when the play runs (each release has its own
# ProductCode): the first output is it, the last whether it (or any release) is installed.
INSTALLED_SCRIPT = ("param($MsiPath)\n$Ansible.Changed = $false\n" + PACKAGE_PS
                    + "$code = Get-PackageCode $MsiPath\n$code\nTest-MimInstalled $code\n")


# --- the win_package arguments ---------------------------------------------------------------

def secret_expression(msi_property: str) -> str:
    """The Jinja that writes a secret property's value as msiexec wants it: always in double
    quotes, an inner double quote doubled (the same quoting as `msi.quote`)."""
    return f"{{{{ {vault_var(msi_property)} | replace('\"', '\"\"') }}}}"


def argument_parts(plan: Plan) -> list[str]:
    """The plan's properties in order, quoted as `mimsetup plan` quotes them: a secret as a
    Template of its Vault variable, every other one as plain data (written !unsafe). A value is
    never put inside a template, where `{% endraw %}` or the like could end a raw block."""
    parts: list[str] = []
    for p in plan.properties:
        if p.secret is not None:
            parts.append(Template(f'{p.name}="{secret_expression(p.name)}"'))
        else:
            parts.append(f"{p.name}={quote(p.value)}")
    return parts


ARGUMENTS = Template("{{ mimsetup_argument_parts | join(' ') }}")


def secret_vars(plan: Plan) -> list[str]:
    return [vault_var(name) for name in plan.secret_properties()]


# --- the files -------------------------------------------------------------------------------

def inventory(source: Source) -> dict[str, Any]:
    first = [h for h in source.waves[0] if h.creates_database] if source.waves else []
    rest = [h for h in source.hosts if h not in first]
    groups: dict[str, Any] = {}
    if first:
        groups[FIRST_GROUP] = {"hosts": {h.name: connection(h, source) for h in first}}
    if rest:
        groups[REST_GROUP] = {"hosts": {h.name: connection(h, source) for h in rest}}
    return {"all": {"children": {ALL_GROUP: {
        "vars": {
            "ansible_connection": "winrm",
            "ansible_password": Template(f"{{{{ {WINRM_PASSWORD_VAR} }}}}"),
            # become (runas) gives the tasks a logon with the install account's credentials, so
            # that msiexec and the pre-flight reach the SQL Server and the directory (a WinRM
            # network logon cannot: the double hop).
            "ansible_become_method": "runas",
            "ansible_become_user": Template("{{ ansible_user }}"),
            "ansible_become_password": Template("{{ ansible_password }}"),
        },
        "children": groups,
    }}}}


def connection(h: Host, source: Source) -> dict[str, Any]:
    """WinRM connection variables matching the answer file's [target]."""
    t = h.answers.target
    assert t is not None
    out: dict[str, Any] = {
        "ansible_host": t.host,
        "ansible_port": t.effective_port,
        "ansible_winrm_scheme": "https" if t.https else "http",
        "ansible_winrm_transport": t.transport,
        "ansible_winrm_server_cert_validation": "validate" if t.validate_certificate else "ignore",
        "ansible_user": t.user,
    }
    if t.https and t.validate_certificate and t.ca_bundle:
        ca = Path(t.ca_bundle).expanduser()
        out["ansible_winrm_ca_trust_path"] = str(ca if ca.is_absolute()
                                                 else (source.base_dir / ca).resolve())
    return out


def host_vars(h: Host) -> dict[str, Any]:
    plan = h.plan
    return {
        "mimsetup_creates_database": h.creates_database,
        "mimsetup_msi_path": plan.msi_path,
        "mimsetup_log_path": plan.log_path,
        "mimsetup_argument_parts": argument_parts(plan),
        "mimsetup_arguments": ARGUMENTS,
        "mimsetup_secret_vars": secret_vars(plan),
        "mimsetup_preflight_params": preflight_params(h.answers),
        "mimsetup_checklist_params": checklist_params(h.answers),
    }


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
                "mimsetup_product_id": Template(
                    "{{ mimsetup_installed_run.output | default(['']) | first }}"),
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
            "name": "Install MIM Service and Portal (the arguments of `mimsetup plan`)",
            "ansible.windows.win_package": {
                "path": Template("{{ mimsetup_msi_path }}"),
                "product_id": Template("{{ mimsetup_product_id }}"),
                "arguments": Template("{{ mimsetup_arguments }}"),
                "log_path": Template("{{ mimsetup_log_path }}"),
                "expected_return_code": EXPECTED_RETURN_CODES,
                "state": "present",
            },
            # The arguments hold the passwords once templated: never shown, not even on failure
            # (the MSI log on the target, mimsetup_log_path, tells what went wrong).
            "no_log": Template("{{ mimsetup_no_log | default(true) | bool }}"),
            "register": "mimsetup_install",
        },
        {
            "name": "Say when Windows needs a restart to finish",
            "ansible.builtin.debug": {
                "msg": Template("{{ inventory_hostname }} needs a restart to finish the install "
                                "(3010); restart it when convenient."),
            },
            "when": "mimsetup_install.reboot_required | default(false)",
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


def _play(name: str, group: str, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "hosts": group,
        "gather_facts": False,
        **extra,
        "become": True,
        "tasks": [{"name": "Pre-flight, install and checklist",
                   "ansible.builtin.import_tasks": "tasks/mimsetup.yml"}],
    }


def playbook(source: Source, serial: int = DEFAULT_SERIAL) -> list[dict[str, Any]]:
    first = [h for h in source.waves[0] if h.creates_database] if source.waves else []
    rest = [h for h in source.hosts if h not in first]
    plays = []
    if first:
        plays.append(_play(
            f"MIM Service and Portal on {first[0].name}, which creates the database",
            FIRST_GROUP,
            # the other hosts reuse its database: when it fails, nothing else is installed
            {"any_errors_fatal": True},
        ))
    if rest:
        plays.append(_play(
            "MIM Service and Portal on " + (
                "the other hosts" if first else "every host") + f", {serial} at a time",
            REST_GROUP,
            {"serial": serial},
        ))
    return plays


def vault_example(source: Source) -> str:
    used: dict[str, list[tuple[str, str]]] = {}  # var -> [(host, where the answer file says)]
    for h in source.hosts:
        t = h.answers.target
        used.setdefault(WINRM_PASSWORD_VAR, []).append(
            (h.name, f"password of {visible(t.user) if t else 'the install account'}"))
        for prop, ref in h.plan.secret_properties().items():
            used.setdefault(vault_var(prop), []).append((h.name, f"{prop}, {ref.describe()}"))
    lines = [
        "# The passwords the playbook needs, as Ansible Vault variables. Do not fill in this file:",
        "#   ansible-vault create group_vars/all/vault.yml",
        "# and write each variable below into it with its value. A host whose value differs goes",
        "# into host_vars/<host>/vault.yml (ansible-vault create host_vars/<host>/vault.yml).",
        "# A password holding {{ or {% is written with the !unsafe tag: name: !unsafe 'value'",
        "# (Ansible would template it otherwise).",
        "---",
    ]
    for var, where in used.items():
        hosts = ", ".join(dict.fromkeys(h for h, _ in where))
        detail = where[0][1].replace(f"{'*' * 8} (in the answer file)", "a literal in the "
                                     "answer file")
        lines += [*comment_lines(f"{detail}; used by {hosts}"), f"{var}: {quoted('')}"]
    return "\n".join(lines) + "\n"


def ansible_cfg() -> str:
    return ("# " + GENERATED_BY.format(source="mimsetup") + "\n"
            "[defaults]\ninventory = inventory.yml\n"
            "# Windows has no Python: do not look for an interpreter.\n"
            "interpreter_python = auto_silent\n")


def requirements() -> str:
    return dumps({"collections": [{"name": COLLECTION, "version": COLLECTION_VERSION}]},
                 "The collection the playbook uses: ansible-galaxy collection install -r "
                 "requirements.yml")


def render(source: Source, serial: int = DEFAULT_SERIAL) -> dict[str, str]:
    """Relative path -> text of every file of the project."""
    note = GENERATED_BY.format(source=source.path)
    files = {
        "README.md": readme(source, serial),
        "ansible.cfg": ansible_cfg(),
        "requirements.yml": requirements(),
        "inventory.yml": dumps(inventory(source), note, untrusted=True),
        "site.yml": dumps(playbook(source, serial), note),
        "tasks/mimsetup.yml": dumps(tasks(), note),
        "group_vars/all/vault.yml.example": vault_example(source),
    }
    for name in SCRIPTS:
        files[f"files/{name}.ps1"] = scripts.text(name)
    files[f"files/{outcomes.CATALOG_FILE}"] = json.dumps(outcomes.catalog(), indent=1) + "\n"
    for h in source.hosts:
        files[f"host_vars/{h.name}/mimsetup.yml"] = dumps(
            host_vars(h), f"{note}\nHost {h.name}: what tasks/mimsetup.yml needs for it.",
            untrusted=True)
    return files

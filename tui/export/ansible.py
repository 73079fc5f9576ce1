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
      files/install.ps1             the install through the Windows Installer API
      files/outcomes.json           the outcomes catalog the scripts word their reports with
      host_vars/<host>/mimsetup.yml what the tasks need for that host: MSI path, arguments,
                                    the scripts' parameters
      group_vars/all/vault.yml.example  the secret variables to put into an Ansible Vault

The install is files/install.ps1 (common.INSTALL_PS) run by `ansible.windows.win_powershell`
with the plan's MSI path, log and properties in the plan's order as its parameters: they travel
in the module's payload over WinRM (stdin, not a command line) and reach the script through
PowerShell's .NET API; the script installs through the Windows Installer COM API. So no password
is on msiexec's command line (win_package would put the properties there, where process creation
auditing and Sysmon record them) nor in a cmdlet's parameters (Module Logging), and the task has
no_log. A secret property's value is a Vault variable in the properties, never the value: nothing
the export writes holds a password.

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
from tui.export.ansible_tasks import INSTALL_FILE, INSTALL_HEADER, tasks
from tui.export.common import (
    GENERATED_BY,
    INSTALL_PS,
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
DEFAULT_SERIAL = 4
SCRIPTS = ("preflight", "checklist")
FIRST_GROUP, REST_GROUP, ALL_GROUP = "mimsetup_first", "mimsetup_rest", "mimsetup"


# --- the install's properties --------------------------------------------------------------

def secret_expression(msi_property: str) -> str:
    """The Jinja that writes a secret property's value in Windows Installer's property syntax
    (as msiexec and InstallProduct take it): always in double
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
    files[f"files/{INSTALL_FILE}"] = INSTALL_HEADER + INSTALL_PS
    files[f"files/{outcomes.CATALOG_FILE}"] = json.dumps(outcomes.catalog(), indent=1) + "\n"
    for h in source.hosts:
        files[f"host_vars/{h.name}/mimsetup.yml"] = dumps(
            host_vars(h), f"{note}\nHost {h.name}: what tasks/mimsetup.yml needs for it.",
            untrusted=True)
    return files

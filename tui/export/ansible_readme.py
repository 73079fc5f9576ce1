"""The README.md of the exported Ansible project: what it does, in which order, how to run it.
User text in it (the source's path, host names, targets) is shown as escaped code spans."""

from __future__ import annotations

import re

from tui.export.common import GENERATED_BY, Host, Source
from tui.model.printable import visible


def md_code(text: str) -> str:
    """User text as a Markdown code span: shown escaped, fenced by more backticks than it
    holds in a row, so that it can neither end the span nor start a line of its own."""
    text = visible(text).replace("|", "\\|")  # a | would end a table cell
    longest = max((len(m) for m in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def readme(source: Source, serial: int) -> str:
    first = [h for h in source.waves[0] if h.creates_database] if source.waves else []
    rest = [h for h in source.hosts if h not in first]
    order = []
    if first:
        order.append(f"1. {md_code(first[0].name)} alone: it creates the database. If it "
                     "fails, the run stops there (`any_errors_fatal`), since the others need its "
                     "database.")
    if rest:
        order.append(f"{len(order) + 1}. then " + ", ".join(md_code(h.name) for h in rest)
                     + f", {serial} at a time (`serial` in site.yml); a host that fails stops "
                     "alone, the others go on and the recap reports each.")
    def database(h: Host) -> str:
        if h.creates_database:
            return "creates"
        return "reuses" if h.answers.components.service else "-"

    hosts = "\n".join(
        f"| {md_code(h.name)} | {md_code(h.answers.target.host) if h.answers.target else ''} | "
        f"{', '.join(h.answers.components.selected())} | {database(h)} |"
        for h in source.hosts)
    return f"""# MIM Service and Portal with Ansible

{GENERATED_BY.format(source=md_code(source.path))}

It does what `mimsetup` does, host by host: the same pre-flight script
(`files/preflight.ps1`), the install (`files/install.ps1`, run by `ansible.windows.win_powershell`
with the MSI path, log and properties of `mimsetup plan`; Windows Installer's codes 0, 3010 and
1641 accepted; skipped when the package's own product code, read from it when the play runs, or
another release is installed, so that a second run installs nothing), then the same post-install
checklist (`files/checklist.ps1`), whose results are shown and fail the host when an item fails.

No password is on a process command line on the targets (process creation auditing, event 4688,
and Sysmon record command lines) nor in a cmdlet's parameters (Module Logging, event 4103):
`files/install.ps1` installs through the Windows Installer API (COM `InstallProduct`), not
msiexec, and its parameters travel in the module's payload over WinRM, not on a command line.
Ansible's own wrapper reads that payload (and the passwords Ansible sends itself) with
`ConvertFrom-Json` on the target: where PowerShell Module Logging covers
`Microsoft.PowerShell.Utility`, event 4103 may record them, for any Ansible module.

| host | target | components | database |
|---|---|---|---|
{hosts}

Order:

{chr(10).join(order)}

## Run it

On a Linux or macOS machine (or WSL) that reaches the targets over WinRM:

```sh
python3 -m pip install ansible-core pywinrm      # pywinrm: Ansible's WinRM connection
ansible-galaxy collection install -r requirements.yml
ansible-vault create group_vars/all/vault.yml     # write the variables listed in
                                                  # group_vars/all/vault.yml.example
ansible-inventory --list                          # check the hosts and connections
ansible-playbook site.yml --ask-vault-pass
```

Passwords are never in these files: the install arguments name Vault variables
(`group_vars/all/vault.yml.example` lists them, with the hosts that use each), and the install
task runs with `no_log` so that they are not printed either. `vault_winrm_password` is the
password of each host's `ansible_user` (the answer file's `target.user`); a host with another
password gets its own `host_vars/<host>/vault.yml`.

Options (`-e name=value`):

- `mimsetup_ignore_preflight=true`: install although a pre-flight check failed.
- `mimsetup_ignore_checklist=true`: do not fail a host whose checklist has a failed item.
- `mimsetup_no_log=false`: show the install task's parameters and result (this prints the
  passwords: only for debugging, never in a CI log).

## Good to know

- Every task runs with `become` (runas, as the install account): the install and the pre-flight then
  reach the SQL Server and the directory with the account's credentials. Over a plain WinRM
  logon they cannot (the double hop) and the database step fails. The Secondary Logon service
  must be running on the targets.
- With `ansible_winrm_transport: kerberos`, write `ansible_user` as `name@REALM` (upper-case
  realm) in `inventory.yml`; NTLM takes `DOMAIN\\name` as the answer file has it.
- The MSI must already be on each target at `mimsetup_msi_path` (`host_vars/<host>/mimsetup.yml`).
  The MSI log is at `mimsetup_log_path` on the target.
- Regenerate this directory with `mimsetup export ansible` after changing the answer or fleet
  file; `mimsetup validate` checks it first.
"""

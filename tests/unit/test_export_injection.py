"""Nothing from an answer file becomes code in an export (issue #12.1, #12.4).

The Ansible test runs the real ansible-playbook (ansible-core from the test dependencies) over
the exported inventory and host_vars: a play on this machine (local connection, no Windows
module) renders everything the install task would template, with values that try to end a raw
block and run a command. Nothing may run, and the rendered arguments must equal the plan's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.answers import contoso_data
from tests.support.cli import run_cli
from tui.export.common import load_source, vault_var
from tui.model.importer import split_msiexec
from tui.model.tomlio import dump_data

# What a render of the exported variables templates: everything the tasks hand to win_package
# and the scripts, and the connection variables.
RENDER_PLAY = """
- hosts: mimsetup
  gather_facts: false
  tasks:
    - ansible.builtin.copy:
        content: "{{ {'arguments': mimsetup_arguments, 'msi': mimsetup_msi_path,
                     'log': mimsetup_log_path, 'preflight': mimsetup_preflight_params,
                     'checklist': mimsetup_checklist_params, 'user': ansible_user,
                     'host': ansible_host} | to_json }}"
        dest: "{{ out_dir }}/{{ inventory_hostname }}.json"
      delegate_to: localhost
"""


def _payload(marker: Path, spaces: bool = True) -> str:
    cmd = f"touch {marker}" if spaces else f"touch${{IFS}}{marker}"
    text = f"{{% endraw %}}{{{{ lookup('pipe','{cmd}') }}}}{{% raw %}}"
    return text if spaces else text.replace(" ", "")


def _hostile(tmp_path: Path) -> tuple[dict, dict[str, Path]]:
    markers = {name: tmp_path / f"pwned-{name}" for name in (
        "certificate", "email", "install_dir", "extra", "log", "ca")}
    data = contoso_data()
    data["certificate"]["name"] = "FIM" + _payload(markers["certificate"])
    data["service_account"]["email"] = "a" + _payload(markers["email"], spaces=False) + "@x.local"
    data.setdefault("install", {})["install_dir"] = "C:\\MIM" + _payload(markers["install_dir"])
    data["install"]["log_path"] = "C:\\Temp\\" + _payload(markers["log"]) + ".log"
    data["msi"] = {"extra_properties": {"SQLSERVER_TIMEOUT": _payload(markers["extra"])}}
    data["target"]["ca_bundle"] = "ca" + _payload(markers["ca"]) + ".pem"
    return data, markers


def test_ansible_export_templates_no_value(tmp_path):
    data, markers = _hostile(tmp_path)
    src = tmp_path / "answers.toml"
    src.write_text(dump_data(data), encoding="utf-8")
    r = run_cli("validate", str(src))
    assert r.returncode == 0, r.stdout + r.stderr  # valid values: the export takes them
    out = tmp_path / "project"
    r = run_cli("export", "ansible", str(src), "-o", str(out))
    assert r.returncode == 0, r.stderr
    (out / "render.yml").write_text(RENDER_PLAY, encoding="utf-8")
    plan = load_source(src).hosts[0].plan
    secrets = {vault_var(p): f"pw {p} {{{{ 7*7 }}}}'\"" for p in plan.secret_properties()}
    # the Vault as the example says to write a password holding {{: !unsafe
    (out / "vault.yml").write_text("".join(f"{k}: !unsafe {json.dumps(v)}\n"
                                           for k, v in secrets.items()), encoding="utf-8")
    rendered = tmp_path / "rendered"
    rendered.mkdir()
    tool = Path(sys.executable).parent / "ansible-playbook"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update(HOME=str(tmp_path), ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"),
               ANSIBLE_NOCOLOR="1")
    r = subprocess.run(
        [str(tool) if tool.exists() else shutil.which("ansible-playbook") or "ansible-playbook",
         "render.yml", "-e", "ansible_connection=local",
         "-e", f"ansible_python_interpreter={sys.executable}", "-e", "@vault.yml",
         "-e", f"out_dir={rendered}"],
        cwd=out, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    ran = [name for name, m in markers.items() if m.exists()]
    assert ran == [], f"the export ran code from {ran}"
    got = json.loads((rendered / "CORPIDM.json").read_text(encoding="utf-8"))
    # what win_package receives is the plan, every value verbatim, the secrets from the Vault
    expected = [(p.name, secrets[vault_var(p.name)] if p.secret is not None else p.value)
                for p in plan.properties]
    assert [tuple(t.split("=", 1)) for t in split_msiexec(got["arguments"])] == expected
    assert got["log"] == data["install"]["log_path"]
    assert "{% endraw %}" in json.dumps(got["preflight"]) + json.dumps(got["checklist"])


def test_export_comments_and_readme_hold_no_raw_line_break(tmp_path):
    """A file name with a line break (or an escape) stays inside its comment line: PowerShell,
    YAML and Markdown."""
    folder = tmp_path / "x\nWrite-Host pwned\n#"
    folder.mkdir()
    src = folder / "a.toml"
    src.write_text(dump_data(contoso_data()), encoding="utf-8")
    r = run_cli("export", "powershell", str(src))
    assert r.returncode == 0, r.stderr
    assert "\nWrite-Host pwned" not in r.stdout
    assert "x\\nWrite-Host pwned" in r.stdout
    out = tmp_path / "project"
    r = run_cli("export", "ansible", str(src), "-o", str(out))
    assert r.returncode == 0, r.stderr
    for path in out.rglob("*"):
        if path.is_file() and path.suffix != ".ps1":
            text = path.read_text(encoding="utf-8")
            assert "\nWrite-Host pwned" not in text, path

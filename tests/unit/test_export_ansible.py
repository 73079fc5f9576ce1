"""`mimsetup export ansible`: the project passes Ansible's own checks (syntax, inventory), the
install arguments are the plan's, the plays follow the fleet's order, and the Jinja the tasks
rely on does what they need (rendered with Ansible's own templar). The playbook against the
real ansible.windows collection (syntax check, each module's arguments against its own
specification): test_export_ansible_modules.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support.ansible_windows import ansible_env, tool
from tests.support.answers import contoso_data
from tests.support.cli import run_cli
from tests.support.paths import ANSWERS, CONTOSO, ROOT
from tui.engine import outcomes, scripts
from tui.engine.checklist import checklist_params
from tui.engine.preflight import PRODUCT_CODE, preflight_params
from tui.export import ansible as ax
from tui.export.common import INSTALL_PS, load_source, vault_var
from tui.model.importer import split_msiexec
from tui.model.tomlio import dump_data

FLEET = ANSWERS / "fleet-contoso.toml"


def export(tmp_path: Path, text: str, *extra: str) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    src = tmp_path / "answers.toml"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    r = run_cli("export", "ansible", str(src), "-o", str(out), *extra)
    assert r.returncode == 0, r.stderr
    return out


# --- the project -----------------------------------------------------------------------------

def test_files(project):
    files = sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file())
    assert files == sorted([
        "README.md", "ansible.cfg", "requirements.yml", "inventory.yml", "site.yml",
        "tasks/mimsetup.yml", "files/preflight.ps1", "files/checklist.ps1", "files/outcomes.json",
        "files/install.ps1",
        "group_vars/all/vault.yml.example", *(f"host_vars/{h}/mimsetup.yml"
                                              for h in ("mim01", "mim02", "sspr01")),
    ])
    for name in ax.SCRIPTS:  # the engine's own scripts, unchanged
        assert (project / "files" / f"{name}.ps1").read_text(encoding="utf-8") == scripts.text(name)
    # the install both exports run, through the Windows Installer API
    assert (project / "files/install.ps1").read_text(encoding="utf-8").endswith(INSTALL_PS)
    catalog = json.loads((project / "files" / "outcomes.json").read_text(encoding="utf-8"))
    assert catalog == outcomes.catalog()  # the one the scripts word their reports with
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert "ansible-vault create group_vars/all/vault.yml" in readme
    assert "ansible-playbook site.yml --ask-vault-pass" in readme
    assert "`mim01` alone" in readme


def inventory_list(project: Path, tmp_path: Path) -> dict:
    r = subprocess.run([tool("ansible-inventory"), "--list"], cwd=project, capture_output=True,
                       text=True, env=ansible_env(tmp_path), timeout=120, check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    return json.loads(r.stdout, object_hook=_data)


def _data(obj: dict):
    """ansible-inventory lists an !unsafe value (all of the answer file's) as
    {"__ansible_unsafe": value}: the value it stands for."""
    return obj["__ansible_unsafe"] if set(obj) == {"__ansible_unsafe"} else obj


def test_inventory_lists_hosts_groups_and_connections(project, tmp_path):
    inv = inventory_list(project, tmp_path)
    assert inv[ax.FIRST_GROUP]["hosts"] == ["mim01"]
    assert inv[ax.REST_GROUP]["hosts"] == ["mim02", "sspr01"]
    fleet_hosts = {h.name: h for h in load_source(FLEET).hosts}
    for name, h in fleet_hosts.items():
        v = inv["_meta"]["hostvars"][name]
        t = h.answers.target
        assert v["ansible_host"] == t.host
        assert v["ansible_connection"] == "winrm"
        assert v["ansible_port"] == 5986 and v["ansible_winrm_scheme"] == "https"
        assert v["ansible_winrm_transport"] == "ntlm"
        assert v["ansible_winrm_server_cert_validation"] == "validate"
        assert v["ansible_user"] == "contoso\\Administrator"
        assert v["ansible_password"] == "{{ vault_winrm_password }}"
        assert v["ansible_become_method"] == "runas"
        # host_vars are loaded, the vault example is not (its values are empty placeholders)
        assert v["mimsetup_msi_path"] == h.plan.msi_path
        assert v["mimsetup_preflight_params"] == json.loads(json.dumps(preflight_params(h.answers)))
        assert v["mimsetup_checklist_params"] == checklist_params(h.answers)
        assert "vault_winrm_password" not in v


def test_connection_follows_the_target(tmp_path):
    data = contoso_data()
    data["target"].update(https=False, transport="kerberos", validate_certificate=False)
    inv_text = (export(tmp_path, dump_data(data)) / "inventory.yml").read_text(encoding="utf-8")
    assert 'ansible_port: 5985' in inv_text and 'ansible_winrm_scheme: "http"' in inv_text
    assert 'ansible_winrm_transport: "kerberos"' in inv_text
    assert 'ansible_winrm_server_cert_validation: "ignore"' in inv_text
    data = contoso_data()
    data["target"].update(port=15986, ca_bundle="ca/contoso.pem")
    inv_text = (export(tmp_path / "b", dump_data(data)) / "inventory.yml").read_text("utf-8")
    assert "ansible_port: 15986" in inv_text
    ca = (tmp_path / "b" / "ca" / "contoso.pem").resolve()
    assert f'ansible_winrm_ca_trust_path: !unsafe "{str(ca)}"' in inv_text


def test_one_answer_file_is_a_fleet_of_one(tmp_path):
    out = export(tmp_path, CONTOSO.read_text(encoding="utf-8"))
    assert (out / "host_vars" / "CORPIDM" / "mimsetup.yml").exists()
    site = (out / "site.yml").read_text(encoding="utf-8")
    assert "on CORPIDM, which creates the database" in site and "mimsetup_rest" not in site


# --- order -----------------------------------------------------------------------------------

def test_database_creating_host_runs_first_alone(project):
    plays = yaml.safe_load((project / "site.yml").read_text(encoding="utf-8"))
    assert [p["hosts"] for p in plays] == [ax.FIRST_GROUP, ax.REST_GROUP]
    assert plays[0]["any_errors_fatal"] is True and "serial" not in plays[0]
    assert plays[1]["serial"] == ax.DEFAULT_SERIAL
    assert all(p["become"] is True and p["gather_facts"] is False for p in plays)


def test_serial_option(tmp_path):
    out = tmp_path / "o"
    r = run_cli("export", "ansible", str(FLEET), "-o", str(out), "--serial", "2")
    assert r.returncode == 0, r.stderr
    assert "serial: 2" in (out / "site.yml").read_text(encoding="utf-8")
    r = run_cli("export", "ansible", str(FLEET), "-o", str(tmp_path / "p"), "--serial", "0")
    assert r.returncode == 2


def test_fleet_without_a_creator_has_one_play(tmp_path):
    data = contoso_data()
    data["database"]["existing"] = True
    out = export(tmp_path, dump_data(data))
    site = (out / "site.yml").read_text(encoding="utf-8")
    assert ax.FIRST_GROUP not in site and "on every host" in site


# --- the install arguments are the plan's ----------------------------------------------------

def _templar(variables: dict):
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar

    return DataLoader(), lambda v: Templar(loader=DataLoader(), variables=v)


def _load(loader, path: Path):
    # trusted_as_template: as Ansible trusts its own vars and task files (ansible-core >= 2.19)
    try:
        return loader.load_from_file(str(path), trusted_as_template=True)
    except TypeError:  # older ansible-core trusts every file
        return loader.load_from_file(str(path))


SECRET_VALUES = {"SERVICE_ACCOUNT_PASSWORD": 'Pa"ss word\'1 {{ x }}',
                 "REGISTRATION_ACCOUNT_PASSWORD": "reg pw", "RESET_ACCOUNT_PASSWORD": "r\"\"e"}


@pytest.mark.parametrize("host", ["mim01", "mim02", "sspr01"])
def test_install_properties_equal_the_plan(project, host):
    loader, templar = _templar({})
    hv = _load(loader, project / "host_vars" / host / "mimsetup.yml")
    plan = next(h for h in load_source(FLEET).hosts if h.name == host).plan
    variables = dict(hv, **{vault_var(k): v for k, v in SECRET_VALUES.items()})
    rendered = templar(variables).template(hv["mimsetup_arguments"])
    tokens = split_msiexec(rendered)
    expected = [(p.name, SECRET_VALUES[p.name] if p.secret is not None else p.value)
                for p in plan.properties]
    assert [tuple(t.split("=", 1)) for t in tokens] == expected
    # the rest of what `mimsetup plan` runs: the install script's other parameters
    assert hv["mimsetup_msi_path"] == plan.msi_path and hv["mimsetup_log_path"] == plan.log_path
    assert sorted(hv["mimsetup_secret_vars"]) == sorted(
        vault_var(n) for n in plan.secret_properties())


def test_install_task(project):
    tasks = yaml.safe_load((project / "tasks/mimsetup.yml").read_text(encoding="utf-8"))
    task = next(t for t in tasks if t["name"].startswith("Install MIM"))
    ps = task["ansible.windows.win_powershell"]
    assert ps["script"] == ("{{ lookup('ansible.builtin.file', playbook_dir ~ "
                            "'/files/install.ps1') }}")
    # the properties, passwords included, are module parameters: not on a command line
    assert ps["parameters"] == {"MsiPath": "{{ mimsetup_msi_path }}",
                                "LogPath": "{{ mimsetup_log_path }}",
                                "Properties": "{{ mimsetup_arguments }}"}
    assert task["no_log"] == "{{ mimsetup_no_log | default(true) | bool }}"
    # settles: a second run finds the product (by the package's own code, #14.1) and skips it
    assert task["when"] == "not mimsetup_already_installed"
    assert PRODUCT_CODE not in (project / "tasks/mimsetup.yml").read_text(encoding="utf-8")
    installed = next(t for t in tasks if "Find out whether" in t["name"])
    assert installed["ansible.windows.win_powershell"]["parameters"] == {
        "MsiPath": "{{ mimsetup_msi_path }}"}
    assert "Get-PackageCode" in installed["ansible.windows.win_powershell"]["script"]
    stop = next(t for t in tasks if t["name"] == "Stop this host when the install failed")
    assert stop["ansible.builtin.assert"]["that"] == [
        "mimsetup_install_code | int in [0, 3010, 1641]"]


def test_arguments_equal_the_plan_command_output(tmp_path):
    """What `mimsetup plan` prints (secrets masked there) is what the install gets."""
    r = run_cli("plan", "--format", "json", str(CONTOSO))
    assert r.returncode == 0, r.stderr
    shown = json.loads(r.stdout)
    out = export(tmp_path, CONTOSO.read_text(encoding="utf-8"))
    loader, templar = _templar({})
    hv = _load(loader, out / "host_vars" / "CORPIDM" / "mimsetup.yml")
    variables = dict(hv, **{vault_var(k): v for k, v in SECRET_VALUES.items()})
    tokens = split_msiexec(templar(variables).template(hv["mimsetup_arguments"]))
    got = dict(t.split("=", 1) for t in tokens)
    assert list(got) == list(shown["properties"])
    assert got == {k: SECRET_VALUES.get(k, v) if v == "********" else v
                   for k, v in shown["properties"].items()}
    assert (hv["mimsetup_msi_path"], hv["mimsetup_log_path"]) == (shown["msi"], shown["log"])


def test_jinja_in_a_value_stays_text(tmp_path):
    data = contoso_data()
    data["msi"] = {"extra_properties": {"SQLSERVER_TIMEOUT": "{{ lookup('env', 'HOME') }}"}}
    out = export(tmp_path, dump_data(data))
    loader, templar = _templar({})
    hv = _load(loader, out / "host_vars" / "CORPIDM" / "mimsetup.yml")
    variables = dict(hv, **{vault_var(k): "x" for k in SECRET_VALUES})
    rendered = templar(variables).template(hv["mimsetup_arguments"])
    assert "SQLSERVER_TIMEOUT=\"{{ lookup('env', 'HOME') }}\"" in rendered


# --- the reports ------------------------------------------------------------------------------

def test_reports_are_parsed_and_shown(project):
    loader, templar = _templar({})
    tasks = _load(loader, project / "tasks" / "mimsetup.yml")
    by_name = {t["name"]: t for t in tasks}
    variables = {
        "inventory_hostname": "mim01",
        "mimsetup_preflight_run": {"host_out": 'noise\r\n{"schema":1,"checks":[{"id":"elevated",'
                                   '"status":"pass","message":"ok","remedy":""},{"id":"dotnet",'
                                   '"status":"fail","message":"old","remedy":"update"}]}\r\n',
                                   "output": []},
        "mimsetup_checklist_run": {"host_out": "", "output": [
            '{"items":[{"id":"portal","status":"pass","message":"answers","evidence":"HTTP 200",'
            '"remedy":""},{"id":"fimservice","status":"fail","message":"stopped","evidence":"",'
            '"remedy":"start it"}]}']},
    }
    t = templar(variables)
    pf = t.template(by_name["Read the pre-flight report"]["ansible.builtin.set_fact"]
                    ["mimsetup_preflight"])
    cl = t.template(by_name["Read the checklist report"]["ansible.builtin.set_fact"]
                    ["mimsetup_checklist"])
    assert [c["id"] for c in pf["checks"]] == ["elevated", "dotnet"]
    assert [i["id"] for i in cl["items"]] == ["portal", "fimservice"]
    t = templar(dict(variables, mimsetup_preflight=pf, mimsetup_checklist=cl))
    shown = t.template(by_name["Pre-flight checks (status | check | finding | remedy)"]
                       ["ansible.builtin.debug"]["msg"])
    assert list(shown) == ["pass | elevated | ok | ", "fail | dotnet | old | update"]
    stop = by_name["Stop this host when a pre-flight check failed"]["ansible.builtin.assert"]
    assert "dotnet" in t.template(stop["fail_msg"])
    assert t.evaluate_conditional(stop["that"][0]) is False
    failed = by_name["Fail this host when a checklist item failed"]["ansible.builtin.assert"]
    assert t.evaluate_conditional(failed["that"][0]) is False
    assert "fimservice" in t.template(failed["fail_msg"])


# --- refusals ---------------------------------------------------------------------------------

def test_invalid_input_exports_nothing(tmp_path):
    data = contoso_data()
    data["database"]["server"] = ""
    src = tmp_path / "bad.toml"
    src.write_text(dump_data(data), encoding="utf-8")
    r = run_cli("export", "ansible", str(src), "-o", str(tmp_path / "out"))
    assert r.returncode == 1 and "database.server" in r.stderr
    assert not (tmp_path / "out").exists()


def test_answer_file_without_target_is_refused(tmp_path):
    data = contoso_data()
    del data["target"]
    src = tmp_path / "a.toml"
    src.write_text(dump_data(data), encoding="utf-8")
    r = run_cli("export", "ansible", str(src), "-o", str(tmp_path / "out"))
    assert r.returncode == 1 and "target" in r.stderr


def test_non_empty_directory_needs_force(project, tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "mine.txt").write_text("x")
    r = run_cli("export", "ansible", str(FLEET), "-o", str(out))
    assert r.returncode == 2 and "--force" in r.stderr
    assert run_cli("export", "ansible", str(FLEET), "-o", str(out), "--force").returncode == 0
    assert (out / "mine.txt").exists() and (out / "site.yml").exists()


def test_vault_example_lists_every_secret_with_its_hosts(project):
    text = (project / "group_vars/all/vault.yml.example").read_text(encoding="utf-8")
    assert "ansible-vault create group_vars/all/vault.yml" in text
    for var, hosts in (("vault_winrm_password", "mim01, mim02, sspr01"),
                       ("vault_service_account_password", "mim01, mim02"),
                       ("vault_registration_account_password", "sspr01"),
                       ("vault_reset_account_password", "sspr01")):
        assert f'{var}: ""' in text
        assert f"used by {hosts}\n{var}:" in text


def test_export_loads_neither_ansible_winrm_nor_textual(tmp_path):
    """The product must not need Ansible (nor the WinRM stack or the UI) to export."""
    code = (
        "import sys; from tui.cli import main; "
        f"rc = main(['export', 'ansible', {str(FLEET)!r}, '-o', {str(tmp_path / 'o')!r}]); "
        "print(rc, sorted(m for m in ('ansible', 'yaml', 'winrm', 'requests', 'textual') "
        "if m in sys.modules))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       cwd=ROOT, timeout=60, check=False)
    assert r.stdout.strip() == "0 []", r.stdout + r.stderr

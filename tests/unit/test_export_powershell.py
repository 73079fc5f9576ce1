"""`mimsetup export powershell`: the script parses (tree-sitter-powershell, no PowerShell here),
embeds mimsetup's own scripts verbatim with the same parameters, and gives msiexec the plan's
argument line."""

from __future__ import annotations

import json
import re

import pytest

from tests.support.answers import contoso_data
from tests.support.cli import run_cli
from tests.support.paths import ANSWERS, CONTOSO
from tests.support.powershell import PARSER
from tui.engine import msilog, outcomes, scripts
from tui.engine.checklist import checklist_params
from tui.engine.preflight import preflight_params
from tui.engine.runner import property_text
from tui.export.common import INSTALL_PS, Host, load_source
from tui.export.powershell import ps_string, render
from tui.model.tomlio import dump_data
from tui.model.validation import validate_data

FLEET = ANSWERS / "fleet-contoso.toml"


def syntax_errors(source: str) -> list[str]:
    tree = PARSER.parse(source.encode("utf-8"))
    found: list[str] = []

    def walk(node) -> None:
        if node.is_error or node.is_missing:
            found.append(f"{node.start_point[0] + 1}:{node.start_point[1] + 1}: "
                         f"{source.encode()[node.start_byte:node.end_byte][:60]!r}")
        for child in node.children:
            walk(child)

    walk(tree.root_node)
    if tree.root_node.has_error and not found:
        found.append("an error the parser does not locate")
    return found


def hosts():
    return [(str(CONTOSO), h) for h in load_source(CONTOSO).hosts] + [
        (str(FLEET), h) for h in load_source(FLEET).hosts]


@pytest.mark.parametrize(("source", "host"), hosts(), ids=lambda v: getattr(v, "name", ""))
def test_script_parses(source, host):
    text = render(host, source)
    assert syntax_errors(text) == []
    assert not PARSER.parse(text.encode()).root_node.has_error


def _json_after(text: str, variable: str):
    m = re.search(rf"^\${variable} = \(@'\n(.*)\n'@ \| ConvertFrom-Json\)$", text, re.M)
    assert m, variable
    return json.loads(m.group(1))


def _ps_value(text: str, variable: str) -> str:
    m = re.search(rf"^\${variable} = '((?:[^']|'')*)'$", text, re.M)
    assert m, variable
    return m.group(1).replace("''", "'")


@pytest.mark.parametrize(("source", "host"), hosts(), ids=lambda v: getattr(v, "name", ""))
def test_same_scripts_parameters_and_arguments(source, host):
    text = render(host, source)
    for name in ("preflight", "checklist"):
        block = "{\n" + scripts.text(name).rstrip("\n") + "\n}"
        assert f"${name.capitalize()}Script = {block}\n" in text
    # the params, and the catalog the scripts word their reports with
    assert _json_after(text, "PreflightParams") == json.loads(json.dumps(
        {**preflight_params(host.answers), "outcomes": outcomes.section("preflight")}))
    assert _json_after(text, "ChecklistParams") == {
        **checklist_params(host.answers), "outcomes": outcomes.section("checklist")}
    assert _json_after(text, "LogFilter") == {k: list(v) for k, v in msilog.filter_rules().items()}
    plan = host.plan
    # the engine's own public properties; the passwords join them in memory on the target
    assert _ps_value(text, "Properties") == property_text(plan)
    assert f"$InstallScript = {{\n{INSTALL_PS}}}\n" in text
    assert _ps_value(text, "MsiPath") == plan.msi_path
    assert _ps_value(text, "LogPath") == plan.log_path
    for prop in plan.secret_properties():
        assert f"@{{ Name = '{prop}'; Env = @('MIMSETUP_{prop}'" in text
    assert "Read-Host -AsSecureString" in text


def test_env_reference_of_the_answer_file_is_read_too():
    data = contoso_data()
    data["service_account"]["password"] = {"env": "CONTOSO_MIM_SVC"}
    a = validate_data(data).answers
    text = render(Host("CORPIDM", a, True), "x.toml")
    assert "Env = @('MIMSETUP_SERVICE_ACCOUNT_PASSWORD', 'CONTOSO_MIM_SVC')" in text


def test_ps_string_doubles_every_single_quote():
    assert ps_string("it's") == "'it''s'"
    assert ps_string("a\u2019b") == "'a\u2019\u2019b'"
    value = "x'\u2018y"
    text = f"$v = {ps_string(value)}\n"
    assert syntax_errors(text) == []


def test_cli_writes_a_file_windows_powershell_reads(tmp_path):
    out = tmp_path / "install.ps1"
    r = run_cli("export", "powershell", str(CONTOSO), "-o", str(out))
    assert r.returncode == 0, r.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and b"\n\n" not in raw.replace(
        b"\r\n", b"")
    assert run_cli("export", "powershell", str(CONTOSO), "-o", str(out)).returncode == 2
    r = run_cli("export", "powershell", str(CONTOSO))
    assert r.returncode == 0 and r.stdout.startswith("# mimsetup: install")


def test_cli_fleet_needs_a_host(tmp_path):
    r = run_cli("export", "powershell", str(FLEET))
    assert r.returncode == 2 and "--host" in r.stderr and "sspr01" in r.stderr
    r = run_cli("export", "powershell", str(FLEET), "--host", "nope")
    assert r.returncode == 2
    r = run_cli("export", "powershell", str(FLEET), "--host", "mim02")
    assert r.returncode == 0 and "EXISTINGDATABASE=1" in r.stdout


def test_cli_invalid_file(tmp_path):
    data = contoso_data()
    data["certificate"] = {"mode": "existing"}  # an error: no thumbprint
    src = tmp_path / "bad.toml"
    src.write_text(dump_data(data), encoding="utf-8")
    r = run_cli("export", "powershell", str(src))
    assert r.returncode == 1 and "certificate.thumbprint" in r.stderr and r.stdout == ""


def test_the_product_code_is_the_packages_own():
    # Each release has its own ProductCode (#14.1): the script reads it from the package when it
    # runs, and finds MIM installed by that code or by its Uninstall entry's name.
    text = render(load_source(CONTOSO).hosts[0], str(CONTOSO))
    assert "{0782FB14" not in text.upper()
    assert "$ProductCode = Get-PackageCode $MsiPath" in text
    assert "'Identity Manager.*Service and Portal'" in text
    assert syntax_errors(text) == []

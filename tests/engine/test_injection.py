"""Hostile values (quotes, $, backticks, %, ;, spaces, non-ASCII) in passwords, paths and names:
the scripts stay what they are, and msiexec receives exactly what the user typed."""

from __future__ import annotations

import json
import re

import tree_sitter
import tree_sitter_powershell
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.answers import contoso
from tests.support.sim import rig
from tui.engine import scripts
from tui.engine.install import InstallRequest, install, property_text
from tui.engine.sim.msiengine import parse_properties
from tui.model.msi import build_plan

NASTY = st.sampled_from(list("\"'$`%;&|^<>(){}[]@#!~ \t") + ["é", "ß", "日本", "\u00a0", "$(calc)",
                                                             "`n", "%PATH%", '""', "' + '"])
PLAIN = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=3)
VALUE = st.lists(st.one_of(NASTY, PLAIN), min_size=1, max_size=8).map("".join).filter(bool)
PATH_CHUNK = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"),
                                            blacklist_characters='<>"|?*\\/:'), min_size=1,
                     max_size=12).filter(lambda s: s.strip() == s and s not in (".", ".."))

_PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))


def _answers(password_holder: dict, msi_dir: str, cert: str, extra: str):
    a = contoso()
    install = a.install.model_copy(update={
        "msi_path": f"C:\\Install\\{msi_dir}\\Service and Portal.msi"})
    cert_section = a.certificate.model_copy(update={"name": cert})
    msi = a.msi.model_copy(update={"extra_properties": {"MIMSETUP_TEST": extra}})
    return a.model_copy(update={"install": install, "certificate": cert_section, "msi": msi})


def _secret_text(secrets: dict[str, str]) -> str:
    """What install-start.ps1 seals: NAME="value" with a double quote written twice."""
    return "".join(f' {k}="{v.replace(chr(34), chr(34) * 2)}"' for k, v in secrets.items())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(password=VALUE, msi_dir=PATH_CHUNK, cert=VALUE.filter(lambda v: v.strip()), extra=VALUE)
def test_msiexec_receives_exactly_what_was_typed(password, msi_dir, cert, extra):
    a = _answers({}, msi_dir, cert, extra)
    plan = build_plan(a)
    secrets = {name: password for name in plan.secret_properties()}
    props = parse_properties(property_text(plan) + _secret_text(secrets))
    assert plan.msi_path == a.install.msi_path  # InstallProduct's own argument, never parsed
    assert props["CERTIFICATE_NAME"] == cert
    assert props["MIMSETUP_TEST"] == extra
    for name in secrets:
        assert props[name] == password


@settings(max_examples=100, deadline=None)
@given(password=VALUE, msi_dir=PATH_CHUNK)
def test_values_never_enter_a_script_text(password, msi_dir):
    a = _answers({}, msi_dir, "cert", "x")
    plan = build_plan(a)
    payload = scripts.stdin_payload("install-start", {
        "arguments": plan.argument_line(), "secret_properties": {"P": password},
        "run_as_password": password})
    doc = json.loads(payload)
    # The command line is the fixed bootstrap; the script text is the shipped file, unchanged.
    assert doc["script"] == scripts.text("install-start")
    assert not _PARSER.parse(doc["script"].encode()).root_node.has_error
    assert scripts.decode_command(scripts.bootstrap_args()[-1]) == scripts.text("bootstrap")
    assert payload.isascii()


def test_the_runner_installs_through_the_windows_installer_api():
    runner = scripts.text("install-runner")
    assert ".InstallProduct(" in runner and "msiexec" not in runner.lower()
    assert not re.search(r"Start-Process|\.exe\b", runner)  # no process gets the properties
    assert not _PARSER.parse(runner.encode()).root_node.has_error


def test_hostile_password_reaches_msiexec_through_winrm():
    hostile = "p\"a'$b`c%d;e f|g&h^é日本$(calc)`n\"\""
    with rig(speed=400) as r:
        plan = build_plan(contoso())
        ep = r.target.endpoint
        request = InstallRequest(plan, {k: hostile for k in plan.secret_properties()}, ep.user,
                                 ep.password)
        result = install(r.shell, request, r.events.append)
        assert result.outcome == "success"
        (run,) = r.installer.runs
        for name in plan.secret_properties():
            assert run.properties[name] == hostile
        assert all(hostile not in c.command_line for c in r.target.counters.commands)

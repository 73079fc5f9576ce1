"""Facts written once and derived everywhere else: the PowerShell export asks for each password
with the title the wizard and `mimsetup apply` use; remedies cite the field's declared example;
the service ports and the portals' titles come from the model."""

from __future__ import annotations

import re

from tests.support.answers import contoso_data
from tui.engine.checklist import ITEMS
from tui.engine.job import secret_needs
from tui.export.common import Host
from tui.export.powershell import render
from tui.model.components import Components, component_title
from tui.model.portal import Portal
from tui.model.ports import SERVICE_PORTS
from tui.model.validation import validate_data


def test_the_powershell_export_asks_with_the_fields_titles():
    answers = validate_data(contoso_data(), "contoso.toml").answers
    titles = dict(re.findall(r"Name = '([A-Z_]+)'.*Title = '([^']*)'",
                             render(Host("corpidm", answers, True), "contoso.toml")))
    labels = {n.prop: n.label for n in secret_needs(answers)}
    assert titles and all(titles[prop] == labels[prop] for prop in titles)


def test_a_missing_portal_field_is_fixed_with_its_declared_example():
    data = contoso_data()
    del data["portal"]["sharepoint_url"]
    problems = validate_data(data, "t.toml").problems
    fix = next(p.fix for p in problems if p.path == "portal.sharepoint_url")
    example = next(m.example for m in Portal.fields() if m.name == "sharepoint_url")
    assert fix == f'add sharepoint_url = "{example}"'


def test_ports_and_portal_titles_come_from_the_model():
    assert all(str(p) in ITEMS["firewall"][0] for p in SERVICE_PORTS)
    for component, item in (("registration_portal", "sspr-registration"),
                            ("reset_portal", "sspr-reset")):
        title = next(m.title for m in Components.fields() if m.name == component)
        assert component_title(component) == title
        assert ITEMS[item][0].startswith(title)


def _help(command: str) -> str:
    import argparse

    from tui import cli

    parser = cli.build_parser(command)
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return " ".join(sub.choices[command].format_help().split())


def test_the_command_lines_help_lists_the_fixable_items_and_the_scenarios():
    from tui.engine.checklist import fixable_items
    from tui.engine.sim import scenarios

    assert f"({', '.join(fixable_items())})" in _help("check")
    # argparse may wrap a long list at a name's hyphen ("batch-" / "logon-denied")
    assert ", ".join(scenarios.names()) in _help("demo").replace("- ", "-")

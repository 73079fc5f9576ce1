"""PowerShell as the tests read it: a tree-sitter parser (no PowerShell runs here) and every
PowerShell text mimsetup ships, by where it goes (engine scripts, both exports)."""

from __future__ import annotations

import tree_sitter
import tree_sitter_powershell
import yaml

from tests.support.paths import CONTOSO
from tui.engine import scripts
from tui.export import ansible, powershell
from tui.export.common import load_source

PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))


def shipped() -> dict[str, str]:
    """Every PowerShell text mimsetup ships, by where it goes."""
    texts = {f"scripts/{name}.ps1": scripts.text(name) for name in scripts.names()}
    source = load_source(CONTOSO)
    for host in source.hosts:
        texts[f"export powershell ({host.name})"] = powershell.render(host, str(CONTOSO))
    for path, text in ansible.render(source).items():
        if path.endswith(".ps1"):
            texts[f"export ansible {path}"] = text
        elif path.startswith("tasks/"):
            for task in yaml.safe_load(text):
                script = (task.get("ansible.windows.win_powershell") or {}).get("script", "")
                if script and "{{" not in script:  # a file lookup is checked as the file
                    texts[f"export ansible {path}: {task['name']}"] = script
    return texts

"""The exported playbook against the real ansible.windows collection (the version pinned in
tests/support/ansible-bundle.txt, unpacked from PyPI's `ansible` bundle: no stand-in module).

`ansible-playbook --syntax-check` resolves every module (and action plugin) but never reads a
module's arguments; so each task's arguments are also validated, with ansible-core's own
ArgumentSpecValidator, against the specification the module documents (`ansible-doc -j`: names,
aliases, types, choices, required, sub-options) and, for a PowerShell module, the pairs its own
`$spec` declares (mutually_exclusive, required_one_of, required_together: its documentation does
not say them): a misspelt or unknown parameter fails.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.playbook.task import Task

from tests.support.ansible_windows import (
    COLLECTION,
    COLLECTION_VERSION,
    ansible_env,
    collections_path,
    tool,
)
from tests.support.powershell import PARSER

# A module whose documentation has one of these options takes free-form text (import_tasks) or
# any key (set_fact: the variables it sets), besides its other documented options.
FREE_FORM = {"free_form", "free-form", "key_value"}
_SPEC_KEYS = ("type", "required", "choices", "aliases", "elements", "default")
# Top-level entries of a PowerShell module's `$spec` that list groups of option names.
_GROUPS = ("mutually_exclusive", "required_one_of", "required_together")


def module_calls(project: Path) -> list[tuple[str, str, object]]:
    """(task name, module, its arguments) of every task of the playbook and its task file: a
    task's keys that are not task keywords name its module (ansible-core's own keyword list)."""
    tasks = yaml.safe_load((project / "tasks/mimsetup.yml").read_text(encoding="utf-8"))
    for play in yaml.safe_load((project / "site.yml").read_text(encoding="utf-8")):
        tasks += play["tasks"]
    calls = []
    for task in tasks:
        modules = [k for k in task if k not in Task.fattributes]
        assert len(modules) == 1, f"{task['name']}: one module per task, not {modules}"
        calls.append((task["name"], modules[0], task[modules[0]]))
    return calls


@pytest.fixture(scope="module")
def docs(project, tmp_path_factory) -> dict[str, dict]:
    """`ansible-doc -j` of every module the project uses, from the real collection."""
    modules = sorted({m for _, m, _ in module_calls(project)})
    r = subprocess.run([tool("ansible-doc"), "-j", *modules], capture_output=True, text=True,
                       env=ansible_env(tmp_path_factory.mktemp("doc")), timeout=300,
                       check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    found = json.loads(r.stdout)
    missing = [m for m in modules if not found.get(m)]
    assert missing == [], f"not in ansible-core nor {COLLECTION} {COLLECTION_VERSION}: {missing}"
    return {m: found[m]["doc"] for m in modules}


def argument_spec(options: dict) -> dict:
    """A module's documented options as an argument_spec (what AnsibleModule validates)."""
    spec = {}
    for name, option in options.items():
        spec[name] = {k: option[k] for k in _SPEC_KEYS if k in option}
        if "suboptions" in option:
            spec[name]["options"] = argument_spec(option["suboptions"])
    return spec


def ps_groups(doc: dict) -> dict[str, list[list[str]]]:
    """The option groups of the `$spec` in the module's .ps1 beside its documentation (none for a
    Python module), read with the PowerShell parser: `name = @( , @('a', 'b') )`."""
    ps1 = Path(doc["filename"]).with_suffix(".ps1")
    if not ps1.exists():
        return {}
    src = ps1.read_bytes()
    spec = _find(PARSER.parse(src).root_node, src, lambda n, t: n.type == "assignment_expression"
                 and t.startswith("$spec"))
    assert spec is not None, f"{ps1}: no $spec"
    body = _find(spec, src, lambda n, t: n.type == "hash_literal_body")
    groups = {}
    for entry in (c for c in body.children if c.type == "hash_entry"):
        key, _, value = _text(entry, src).partition("=")
        if key.strip() in _GROUPS:
            groups[key.strip()] = [re.findall(r"'([^']*)'", g)
                                   for g in re.findall(r"@\(\s*('[^()]*)\)", value)]
    return groups


def _text(node, src: bytes) -> str:
    return src[node.start_byte:node.end_byte].decode("utf-8")


def _find(node, src: bytes, match):
    if match(node, _text(node, src)):
        return node
    for child in node.children:
        if (found := _find(child, src, match)) is not None:
            return found
    return None


def argument_errors(doc: dict, args: object) -> list[str]:
    """Why `args` are not arguments `doc`'s module takes (none: they are)."""
    options = dict(doc.get("options") or {})
    free_form = FREE_FORM & set(options)
    for name in free_form:
        del options[name]
    if isinstance(args, str):
        return [] if free_form else [f"{doc['module']} takes no free-form text"]
    if free_form:  # the other keys are the free-form part (set_fact's variables)
        args = {k: v for k, v in args.items() if k in options}
    validator = ArgumentSpecValidator(argument_spec(options), **ps_groups(doc))
    result = validator.validate(dict(args))
    return list(result.error_messages)


def test_playbook_passes_ansible_syntax_check(project, tmp_path):
    r = subprocess.run([tool("ansible-playbook"), "--syntax-check", "site.yml"], cwd=project,
                       capture_output=True, text=True, env=ansible_env(tmp_path), timeout=300,
                       check=False)
    assert r.returncode == 0, r.stdout + r.stderr


def test_syntax_check_fails_without_the_collection(project, tmp_path):
    """The collection is what resolves the modules (so the syntax check does check them)."""
    r = subprocess.run([tool("ansible-playbook"), "--syntax-check", "site.yml"], cwd=project,
                       capture_output=True, text=True, timeout=300, check=False,
                       env=ansible_env(tmp_path, collections=tmp_path / "empty"))
    assert r.returncode != 0
    assert "ansible.windows.win_powershell" in r.stdout + r.stderr


def test_the_collection_is_the_pinned_release(docs):
    windows = {m: d for m, d in docs.items() if m.startswith(f"{COLLECTION}.")}
    assert windows, "the playbook uses no ansible.windows module: nothing would be checked"
    root = collections_path() / "ansible_collections" / Path(*COLLECTION.split("."))
    manifest = json.loads((root / "MANIFEST.json").read_text(encoding="utf-8"))
    assert manifest["collection_info"]["version"] == COLLECTION_VERSION
    # every file is the release's own (its FILES.json checksums, which MANIFEST.json checks)
    listed = {f["name"]: f["chksum_sha256"] for f in [manifest["file_manifest_file"], *json.loads(
        (root / "FILES.json").read_text(encoding="utf-8"))["files"]] if f["ftype"] == "file"}
    for path in root.rglob("*"):
        if path.is_file() and path.name != "MANIFEST.json":
            name = path.relative_to(root).as_posix()
            assert hashlib.sha256(path.read_bytes()).hexdigest() == listed.get(name), name
    for doc in windows.values():
        assert doc["collection"] == COLLECTION
        assert Path(doc["filename"]).resolve().is_relative_to(root.resolve()), doc["filename"]


def test_every_module_argument_is_one_the_module_takes(project, docs):
    for name, module, args in module_calls(project):
        assert argument_errors(docs[module], args) == [], f"{name} ({module})"


def test_the_powershell_specs_groups_are_read(docs):
    assert ps_groups(docs["ansible.windows.win_powershell"]) == {
        "required_one_of": [["path", "script"]], "mutually_exclusive": [["path", "script"]]}


@pytest.mark.parametrize(("change", "expected"), [
    (lambda a: a.update(paramaters=a.pop("parameters")), "paramaters"),  # misspelt
    (lambda a: a.update(error_action="ignore"), "error_action"),         # not a choice
    (lambda a: a.update(depth="deep"), "depth"),                         # not an int
    (lambda a: a.update(path="install.ps1"), "mutually exclusive"),      # the .ps1's $spec
    (lambda a: a.pop("script"), "one of the following is required"),
])
def test_a_wrong_argument_fails(project, docs, change, expected):
    """The check can fail: the install task with one argument its module does not take."""
    name, module, args = next(c for c in module_calls(project) if "Install MIM" in c[0])
    args = dict(args)
    change(args)
    errors = argument_errors(docs[module], args)
    assert len(errors) == 1 and expected in errors[0], errors

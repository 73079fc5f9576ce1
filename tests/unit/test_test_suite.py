"""The test suite's own rules (issue #11.9): helpers live in tests/support/, no test module
imports a conftest or another test module, and every test runs under a timeout."""

from __future__ import annotations

import ast

from tests.support.paths import ROOT

TESTS = ROOT / "tests"


def _imported_modules(path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
    return out


def test_tests_import_helpers_from_support_only():
    wrong = {}
    for path in sorted(TESTS.rglob("*.py")):
        if "bench" in path.parts:
            continue
        bad = {m for m in _imported_modules(path) if m.startswith("tests.")
               and (m.rsplit(".", 1)[-1].startswith("test_") or m.endswith("conftest")
                    or not m.startswith("tests.support"))}
        if bad:
            wrong[str(path.relative_to(ROOT))] = sorted(bad)
    assert not wrong, f"import these from tests/support/ instead: {wrong}"


def test_every_test_has_a_timeout(pytestconfig):
    assert pytestconfig.pluginmanager.hasplugin("timeout")
    assert float(pytestconfig.getini("timeout")) > 0


def test_no_test_writes_into_the_users_state_folder(tmp_path):
    # Every test has its own (tests/conftest.py): records of simulated installs once piled up
    # in ~/.local/state/mimsetup, and parallel workers listed one another's unfinished installs.
    from tui.folders import state_dir

    assert state_dir().is_relative_to(tmp_path)

"""A runner is never called gone, cleaned up under or killed on what was not seen.

install-tail, install-cleanup and install-cancel judge the runner by its pid and start time. A
process of another logon may refuse its start time (Process.StartTime: access denied) while it
runs: read in the same `try` as GetProcessById, that failure read as "no such process", and the
follow ended with "runner gone" and cleaned up under a running install. No PowerShell runs here:
the shipped text is parsed (tree-sitter-powershell) and every StartTime read must sit in a `try`
of its own, apart from the process lookup; only a seen $false counts as gone.
"""

from __future__ import annotations

import pytest

from tests.support.powershell import PARSER
from tui.engine import scripts

USERS = ("install-tail", "install-cleanup", "install-cancel")


def _innermost_try(node):
    while node is not None and node.type != "try_statement":
        node = node.parent
    return node


@pytest.mark.parametrize("name", USERS)
def test_a_start_time_that_cannot_be_read_is_not_a_missing_process(name):
    source = scripts.text(name).encode("utf-8")
    root = PARSER.parse(source).root_node
    reads = []

    def walk(node) -> None:
        if node.type == "member_name" and source[node.start_byte:node.end_byte] == b"StartTime":
            reads.append(node)
        for child in node.children:
            walk(child)

    walk(root)
    assert reads, "the runner is judged by its start time"
    for read in reads:
        block = _innermost_try(read)
        assert block is not None, "a StartTime read that can throw is caught"
        text = source[block.start_byte:block.end_byte]
        assert b"GetProcessById" not in text, (
            f"{name}: StartTime is read in the same try as GetProcessById")


@pytest.mark.parametrize("name", USERS)
def test_only_a_runner_seen_gone_counts_as_gone(name):
    text = scripts.text(name)
    calls = [line for line in text.splitlines() if "(Test-RunnerProcess " in line]
    assert calls
    for line in calls:
        assert "$false -ne (Test-RunnerProcess" in line or "$true -eq (Test-RunnerProcess" in line

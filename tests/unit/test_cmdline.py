"""The command-line recogniser of `mimsetup import` is linear in the length of the text: the
walks it makes by hand visit each character at most once (counted, not timed), and the shapes
that made the old recogniser quadratic give the right answer. Timing is for
tests/bench/bench_import.py."""

from __future__ import annotations

import pytest

from tui.model.cmdline import (
    ImportProblem,
    Scan,
    extract_command,
    find_msiexec,
    parse_arguments,
    split_msiexec,
)

MSI = "msiexec /i C:\\x.msi "


def test_blank_separated_words_without_msiexec():
    # 48 s for 200 KB before: the finder retried a folder pattern from every blank.
    scan = Scan()
    with pytest.raises(ImportProblem):
        extract_command("a " * 100_000, scan)
    assert scan.steps == 0


@pytest.mark.parametrize("count", [10, 1000, 20_000])
def test_folder_walks_never_overlap(count):
    # Many candidates that are not commands ($a\msiexec), each after a folder: every walk back
    # stops at the blank before it, so the walks together visit fewer characters than the line.
    line = "$a\\msiexec " * count + "C:\\Windows\\System32\\msiexec.exe /i C:\\x.msi A=1"
    scan = Scan()
    start = find_msiexec(line, scan)
    assert line[start:] == " /i C:\\x.msi A=1"
    assert scan.steps <= len(line)
    assert scan.steps == 2 * count + len("C:\\Windows\\System32\\")


@pytest.mark.parametrize("count", [10, 1000, 20_000])
def test_separators_inside_quotes_are_counted_once(count):
    line = MSI + 'A="1 | 2" ' * count + "| more"
    scan = Scan()
    args = extract_command(line, scan)
    assert args.endswith('A="1 | 2"')  # the pipe outside quotes ends the command
    assert scan.steps <= len(line)
    assert parse_arguments(args)[1] == {"A": "1 | 2"}


def test_long_values_and_many_tokens():
    value = 'b""' * 100_000
    assert split_msiexec(f'A="{value}"') == ["A=" + 'b"' * 100_000]
    assert len(split_msiexec("A=1 " * 100_000)) == 100_000
    ps = "Start-Process msiexec -ArgumentList " + "'A=1', " * 50_000 + "'B=2' -Wait"
    assert parse_arguments(extract_command(ps))[1] == {"A": "1", "B": "2"}


@pytest.mark.parametrize(
    ("line", "rest"),
    [
        ("msiexec /i x.msi", " /i x.msi"),
        ('"C:\\Program Files\\x\\msiexec.exe" /i x.msi', " /i x.msi"),
        ("C:\\Windows\\System32\\msiexec.exe /qn", " /qn"),
        ("cmd /c msiexec /i x.msi", " /i x.msi"),
        ("echo done&msiexec /x y", " /x y"),
        ("(msiexec /i x.msi)", " /i x.msi)"),
        ("notmsiexec /i x.msi", None),
        ("$a\\msiexec /i x.msi", None),
        ("msiexecute /i", None),
    ],
)
def test_what_counts_as_msiexec(line, rest):
    start = find_msiexec(line)
    assert (None if start is None else line[start:]) == rest


def test_unclosed_quote_is_refused():
    with pytest.raises(ImportProblem, match="not closed"):
        split_msiexec('A="a"" B=1')
    assert split_msiexec('A="a""" B=1') == ['A=a"', "B=1"]

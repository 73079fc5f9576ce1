"""Decoding, classifying and explaining real Windows Installer log lines."""

from __future__ import annotations

import codecs
import json
import re
from importlib import resources

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.paths import SHARED
from tests.support.reference import SHARED_LOG, log_bytes, log_classified, log_lines
from tui.engine.msilog import (
    FILTER_KEYS,
    ClockUnwrapper,
    LineKind,
    LogDecoder,
    classify,
    decode_lines,
    failure_context,
    filter_rules,
    log_filter,
    matters,
)
from tui.engine.sim.logreplay import expected_lines

# ---------------------------------------------------------------- decoding


def _text() -> str:
    return log_bytes()[2:].decode("utf-16-le")


def _variants() -> dict[str, bytes]:
    text = _text()
    return {
        "utf16-bom": log_bytes(),
        "utf16": text.encode("utf-16-le"),
        "utf8-bom": codecs.BOM_UTF8 + text.encode("utf-8"),
        "ansi": text.encode("cp1252"),  # no BOM, not UTF-16: the system code page
    }


def _whole(data: bytes) -> list[tuple[str, int]]:
    decoder = LogDecoder()
    return decoder.feed_spans(data) + decoder.flush_spans()


def _chunked(data: bytes, cuts: list[int]) -> list[tuple[str, int]]:
    decoder = LogDecoder()
    spans: list[tuple[str, int]] = []
    bounds = [0, *sorted(set(cuts)), len(data)]
    for a, b in zip(bounds, bounds[1:], strict=False):
        spans += decoder.feed_spans(data[a:b])
    return spans + decoder.flush_spans()


def test_whole_log_decodes_to_its_crlf_lines():
    lines = decode_lines(log_bytes())
    assert lines == _text().split("\r\n")[:-1]  # the file ends with CRLF: no empty line after it
    assert lines[0].startswith("=== Logging started: 15-01-2013")
    assert len(lines) == 2066
    assert "®" in "".join(lines)  # a non-ASCII character survives


@pytest.mark.parametrize("name", ["utf16-bom", "utf16", "utf8-bom", "ansi"])
def test_every_encoding_gives_the_same_lines(name):
    decoder = LogDecoder()
    lines = decoder.feed(_variants()[name]) + decoder.flush()
    assert lines == list(log_lines())
    want = {"utf16-bom": "utf-16-le", "utf16": "utf-16-le", "utf8-bom": "utf-8", "ansi": "cp1252"}
    assert decoder.encoding == want[name]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(["utf16-bom", "utf16", "utf8-bom", "ansi"]),
    cuts=st.lists(st.integers(min_value=0, max_value=len(log_bytes()) * 2), max_size=80),
)
def test_random_chunk_splits_give_identical_lines_and_offsets(name, cuts):
    data = _variants()[name]
    cuts = [c for c in cuts if c <= len(data)]
    assert _chunked(data, cuts) == _whole(data)


@settings(max_examples=25, deadline=None)
@given(
    name=st.sampled_from(["utf16-bom", "utf16", "utf8-bom", "ansi"]),
    size=st.integers(min_value=1, max_value=9),
    head=st.integers(min_value=0, max_value=4000),
)
def test_tiny_chunks_split_characters_and_crlfs(name, size, head):
    # Small odd sizes cut UTF-16 code units, the two bytes of "®" in UTF-8, and CR from LF.
    data = _variants()[name][: head * 20]
    assert _chunked(data, list(range(0, len(data), size))) == _whole(data)


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(["utf16-bom", "utf8-bom", "utf16"]), at=st.integers(0, 2065))
def test_offsets_let_a_tailer_resume_without_losing_or_repeating(name, at):
    data = _variants()[name]
    spans = _whole(data)
    checkpoint = spans[at][1]
    first = LogDecoder()
    seen = [line for line, _ in first.feed_spans(data[:checkpoint])]
    assert first.offset == checkpoint and first.pending_bytes == 0
    resumed = LogDecoder(encoding=first.encoding, offset=first.offset)
    rest = resumed.feed(data[checkpoint:]) + resumed.flush()
    assert seen + rest == list(log_lines())
    assert resumed.offset == len(data)


def test_offset_points_past_the_last_complete_line_only():
    data = "ab\r\ncd\r\nef".encode("utf-16-le")
    decoder = LogDecoder(encoding="utf-16-le")
    assert decoder.feed(data[:15]) == ["ab"]  # "cd\r" and half the LF are there
    assert decoder.offset == 8
    assert decoder.pending_bytes == 7
    assert decoder.feed(data[15:17]) == ["cd"]
    assert decoder.offset == 16
    assert decoder.feed(data[17:]) == []
    assert decoder.flush() == ["ef"]
    assert decoder.offset == len(data)


def test_a_crlf_split_between_chunks_is_one_line_end():
    decoder = LogDecoder()
    out = decoder.feed(b"\xff\xfea\x00\r\x00") + decoder.feed(b"\n\x00b\x00\r\x00\n\x00")
    assert out == ["a", "b"]


def test_a_nul_newline_pair_across_code_units_is_not_a_line_end():
    # U+0A00 followed by U+0000 in UTF-16LE: bytes 00 0A 00 00 hold b"\n\x00" at an odd offset.
    text = "x\u0a00\u0000y\r\n"
    data = text.encode("utf-16-le")
    decoder = LogDecoder(encoding="utf-16-le")
    assert decoder.feed(data) == ["x\u0a00\u0000y"]


def test_short_input_waits_for_enough_bytes_to_detect():
    decoder = LogDecoder()
    assert decoder.feed(b"\xff") == []
    assert decoder.encoding is None
    assert decoder.feed(b"\xfeA\x00\n\x00") == ["A"]
    assert decoder.encoding == "utf-16-le"
    assert decoder.offset == 6


# ---------------------------------------------------------------- classification


def _one(text: str):
    return next(ln for ln in log_classified() if ln.text == text)


def test_action_lines_from_the_real_log():
    start = _one("Action start 10:52:01: INSTALL.")
    assert (start.kind, start.action, start.seconds) == (LineKind.ACTION_START, "INSTALL", 39121)
    end = _one("Action ended 10:53:07: CheckFullTextSearchInstalled. Return value 0.")
    assert (end.kind, end.action, end.code) == (
        LineKind.ACTION_END,
        "CheckFullTextSearchInstalled",
        0,
    )
    deferred = _one("Action 10:53:50: DeployAndPopulateDatabase. ")
    assert (deferred.kind, deferred.action, deferred.detail) == (
        LineKind.ACTION_DEFERRED,
        "DeployAndPopulateDatabase",
        None,
    )
    assert deferred.clock == "10:53:50"
    files = _one("Action 10:53:11: InstallFiles. Copying new files")
    assert files.detail == "Copying new files"


def test_counts_on_the_real_log():
    kinds = [ln.kind for ln in log_classified()]
    assert kinds.count(LineKind.ACTION_START) == 180
    assert kinds.count(LineKind.ACTION_END) == 180
    assert kinds.count(LineKind.ACTION_DEFERRED) == 245
    assert kinds.count(LineKind.PRODUCT_RESULT) == 2
    errors = [ln for ln in log_classified() if ln.kind is LineKind.ERROR]
    assert len(errors) == 15
    assert all(ln.benign for ln in errors)  # that install succeeded


def test_property_lines():
    line = _one("Property(S): SQLSERVER_SERVER = DC01")
    assert (line.kind, line.action, line.detail) == (LineKind.PROPERTY, "SQLSERVER_SERVER", "DC01")
    assert classify("Property(C): EMPTY = ").detail == ""


def test_errors_and_their_codes():
    ca = next(ln for ln in log_classified() if ln.text.startswith("CustomAction DeleteCerts"))
    assert (ca.kind, ca.action, ca.code, ca.benign) == (
        LineKind.ERROR,
        "DeleteCerts",
        -2146885628,
        True,
    )
    debug = next(ln for ln in log_classified() if ln.text.startswith("DEBUG: Error 2769"))
    assert (debug.code, debug.benign) == (2769, True)
    real = classify("Error 25009.The Forefront Identity Manager Service setup wizard cannot ...")
    assert (real.kind, real.code, real.benign) == (LineKind.ERROR, 25009, False)
    failed_ca = classify(
        "CustomAction DeployAndPopulateDatabase returned actual error code 1603 (note this may not "
        "be 100% accurate if translation happened inside sandbox)"
    )
    assert (failed_ca.action, failed_ca.code, failed_ca.benign) == (
        "DeployAndPopulateDatabase",
        1603,
        False,
    )
    server = classify("MSI (s) (2C!64) [15:48:23:562]: Product: Sync -- Error 25009.The wizard ...")
    assert (server.kind, server.code, server.seconds) == (LineKind.ERROR, 25009, 56903.562)


def test_product_result_lines():
    results = [ln for ln in log_classified() if ln.kind is LineKind.PRODUCT_RESULT]
    assert [ln.code for ln in results] == [0, 0]
    assert results[0].seconds == pytest.approx(11 * 3600 + 2 * 60 + 47.941)
    assert all(ln.succeeded for ln in results)
    failed = classify(
        "MSI (s) (74:A8) [12:44:33:484]: Product: X -- Installation operation failed."
    )
    assert (failed.kind, failed.code, failed.succeeded) == (LineKind.PRODUCT_RESULT, 1603, False)
    engine = classify("MSI (c) (1C:B8) [12:44:34:065]: MainEngineThread is returning 3010")
    assert (engine.code, engine.succeeded) == (3010, True)


def test_short_hours_and_boundaries():
    line = classify("Action start 2:22:15: ProcessComponents.")
    assert (line.kind, line.seconds, line.clock) == (LineKind.ACTION_START, 8535, "02:22:15")
    assert classify(log_lines()[0]).seconds == 39121
    assert classify("Action 10:53:11: some text without an action").kind is LineKind.OTHER
    assert classify("").kind is LineKind.OTHER


def test_clock_unwraps_midnight_but_not_small_steps_back():
    clock = ClockUnwrapper()
    assert [clock(s) for s in (86390.0, 86399.5, 86399.0, 5.0, 4.9, 3600.0)] == [
        86390.0,
        86399.5,
        86399.0,
        86405.0,
        86404.9,
        90000.0,
    ]


# ---------------------------------------------------------------- failure


def test_a_successful_log_has_no_failure():
    assert failure_context(log_classified()) is None


def test_failure_context_on_a_replayed_1603_log():
    failure = failure_context(expected_lines(1603))
    assert failure is not None
    assert failure.action == "DeployAndPopulateDatabase"
    assert failure.exit_code == 1603
    assert failure.clock == "10:54:12"
    assert failure.context[0] == "Action 10:53:50: DeployAndPopulateDatabase. "
    assert failure.context[-1] == "Action ended 10:54:12: InstallExecute. Return value 3."
    assert any("Login failed" in line for line in failure.context)
    assert failure.errors[0].startswith("Error 25009.")
    assert not any("translated to success" in e or e.startswith("DEBUG:") for e in failure.errors)
    assert "DeployAndPopulateDatabase failed at 10:54:12 (exit code 1603)" in failure.summary


def test_failure_context_from_the_filtered_tail_still_names_the_action():
    failure = failure_context([line for line in expected_lines(1603) if matters(line)])
    assert failure is not None
    assert failure.action == "DeployAndPopulateDatabase"
    assert failure.exit_code == 1603
    assert any(e.startswith("Error 25009.") for e in failure.errors)


def test_an_immediate_action_that_returns_3_is_the_failing_action():
    lines = [
        "Action 9:00:00: CheckSQLConnectionAndVersion. ",
        "Action start 9:00:00: CheckSQLConnectionAndVersion.",
        *[f"detail {i}" for i in range(100)],
        "Action ended 9:00:31: CheckSQLConnectionAndVersion. Return value 3.",
        "Action ended 9:00:31: INSTALL. Return value 3.",
    ]
    failure = failure_context(lines, context_lines=10)
    assert failure is not None
    assert failure.action == "CheckSQLConnectionAndVersion"
    assert failure.exit_code == 1603
    assert len(failure.context) == 10
    assert failure.context[-1].endswith("Return value 3.")


def test_a_deferred_failure_without_a_custom_action_line_names_the_last_deferred_action():
    lines = [
        "Action start 9:00:00: InstallExecute.",
        "Action 9:00:01: InstallFiles. Copying new files",
        "Error 1310. Error writing to file: C:\\x.dll.",
        "Action ended 9:00:05: InstallExecute. Return value 3.",
    ]
    failure = failure_context(lines)
    assert failure is not None
    assert failure.action == "InstallFiles"
    assert failure.errors == ("Error 1310. Error writing to file: C:\\x.dll.",)


# ---------------------------------------------------------------- filter


def test_the_filter_keeps_what_progress_and_failures_need():
    from tui.engine.progress import PROBE_ACTIONS, SCRIPT_RUNNERS, PhaseTracker

    lines = log_classified()
    kept = [ln for ln in lines if matters(ln)]
    assert all(matters(ln) for ln in lines if ln.kind in (LineKind.ACTION_DEFERRED,
                                                          LineKind.PRODUCT_RESULT))
    assert all(matters(ln) for ln in lines
               if ln.kind in (LineKind.ACTION_START, LineKind.ACTION_END)
               and ln.action in SCRIPT_RUNNERS)
    # The installer's checks of the SharePoint farm, whose pace foretells the portal phase's.
    probes = [ln for ln in lines if ln.kind in (LineKind.ACTION_START, LineKind.ACTION_END)
              and ln.action in PROBE_ACTIONS]
    assert len(probes) >= 2 * len(PROBE_ACTIONS) and all(matters(ln) for ln in probes)
    # The phases seen from the kept lines are the phases seen from the whole log.
    def phases(seq):
        tracker = PhaseTracker()
        return [p for p in (tracker.feed(ln) for ln in seq) if p is not None]

    assert phases(kept) == phases(lines) and len(phases(lines)) >= 6
    assert not any(ln.kind is LineKind.PROPERTY for ln in kept)  # property dumps may hold secrets
    assert not any(ln.text.startswith("DEBUG: Error 28") for ln in kept)
    # Immediate actions' start and end lines are left out: they would double the traffic.
    assert sum(len(ln.text) for ln in kept) < sum(len(ln.text) for ln in lines) / 10


def test_the_filter_patterns_use_only_syntax_python_and_dotnet_share():
    raw = json.loads(
        resources.files("tui.engine.scripts").joinpath("log-filter.json").read_text("utf-8")
    )
    rules = filter_rules()
    assert set(rules) == set(FILTER_KEYS) <= set(raw)
    # Named groups, inline flags, lookaround, comments, \Z/\A/\z and possessive or atomic forms
    # differ between the engines or exist in only one of them.
    forbidden = re.compile(r"\(\?[PimsxnA-Z<=!#>]|\\[AZzGhHRXKk]|[*+?}]\+")
    for pattern in (p for patterns in rules.values() for p in patterns):
        re.compile(pattern)
        assert not forbidden.search(pattern), pattern
        assert pattern.isascii(), pattern


def test_context_triggers_fire_on_failures_only():
    rules = log_filter()
    assert not any(rules.triggers_context(line) for line in log_lines())  # a clean install
    fired = [line for line in expected_lines(1603) if rules.triggers_context(line)]
    assert fired[0].startswith("Error 25009.")
    assert any(line.startswith("CustomAction DeployAndPopulateDatabase") for line in fired)
    assert "Action ended 10:54:12: InstallExecute. Return value 3." in fired
    assert any(line.endswith("Installation operation failed.") for line in fired)


@pytest.mark.parametrize("name", ["utf16-bom", "ansi"])
@pytest.mark.parametrize("size", [1, 3])
def test_the_whole_log_fed_a_few_bytes_at_a_time(name, size):
    data = _variants()[name]
    assert _chunked(data, list(range(0, len(data), size))) == _whole(data)


def test_the_packaged_reference_log_is_shareds_byte_for_byte():
    """The tests and the simulated target read the copy the package ships; it is the published
    log of ../shared/reference, unchanged."""
    assert log_bytes() == (SHARED / SHARED_LOG).read_bytes()


# ---------------------------------------------------------------- verbose, localised, ANSI

VERBOSE_SECRET_LINES = [
    "MSI (c) (A4:B8) [10:52:01:100]: Command Line: SERVICE_ACCOUNT_PASSWORD=Secr3t ACCEPT_EULA=1",
    "MSI (c) (A4:B8) [10:52:01:101]: PROPERTY CHANGE: Adding X_PASSWORD property. Its value is "
    "'Secr3t'.",
    "MSI (s) (5C:E0) [10:53:10:500]: Executing op: CustomActionSchedule(Action=SetPolicy,"
    "ActionType=3073,Source=BinaryData,Target=SetPolicy,CustomActionData=Password=Secr3t)",
    "MSI (c) (A4:B8) [10:52:01:100]: Befehlszeile: SERVICE_ACCOUNT_PASSWORD=Secr3t",
    "MSI (c) (A4:B8) [10:52:01:101]: EIGENSCHAFTSÄNDERUNG: Eigenschaft X wird hinzugefügt. Ihr "
    "Wert ist 'Secr3t'.",
    "Property(S): RESET_ACCOUNT_NAME = Secr3t",
    "Eigenschaft(S): RESET_ACCOUNT_NAME = Secr3t",
]


@pytest.mark.parametrize("line", VERBOSE_SECRET_LINES)
def test_lines_that_carry_values_are_never_sent_not_even_as_context(line):
    rules = log_filter()
    assert rules.excluded(line) and not matters(line)


def test_only_what_matters_is_sent_from_the_reference():
    lines = log_lines()
    sent = log_filter().select(lines)
    # 264 of 2066 lines before: nearly every immediate action. Now the deferred script, the
    # script runners, the checks of the SharePoint farm, failures and the result.
    from tui.engine.progress import PROBE_ACTIONS

    assert len(sent) < 100
    immediate = [ln for ln in sent if classify(ln).kind is LineKind.ACTION_START]
    assert {classify(ln).action for ln in immediate} <= {"INSTALL", "InstallExecute",
                                                          "InstallFinalize", *PROBE_ACTIONS}


@pytest.mark.parametrize(("line", "kind", "action", "code"), [
    ("Aktion gestartet um 10:52:01: INSTALL.", LineKind.ACTION_START, "INSTALL", None),
    ("Aktion beendet um 10:54:12: InstallExecute. Rückgabewert 3.", LineKind.ACTION_END,
     "InstallExecute", 3),
    ("Aktion 10:53:49: DeployAndPopulateDatabase. ", LineKind.ACTION_DEFERRED,
     "DeployAndPopulateDatabase", None),
    ("Action terminée à 10:54:12 : InstallExecute. Valeur renvoyée 3.", LineKind.ACTION_END,
     "InstallExecute", 3),
])
def test_localised_engine_lines_are_classified_by_what_is_not_localised(line, kind, action,
                                                                        code):
    got = classify(line)
    assert (got.kind, got.action, got.code) == (kind, action, code)
    assert log_filter().triggers_context(line) == (code == 3)


def test_a_german_failure_names_the_failing_action():
    lines = [
        "Aktion gestartet um 9:00:00: InstallExecute.",
        "Aktion 9:00:01: DeployAndPopulateDatabase. ",
        "CustomAction DeployAndPopulateDatabase returned actual error code 1603",
        "Aktion beendet um 9:00:05: InstallExecute. Rückgabewert 3.",
    ]
    failure = failure_context(lines)
    assert failure is not None and failure.action == "DeployAndPopulateDatabase"


def test_a_log_without_bom_that_is_not_utf16_is_ansi():
    data = "Aktion beendet um 9:00:05: INSTALL. Rückgabewert 1.\r\n".encode("cp1252")
    assert decode_lines(data) == ["Aktion beendet um 9:00:05: INSTALL. Rückgabewert 1."]

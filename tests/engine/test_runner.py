"""The install runner on the target, its log and its follow, against the simulated target playing
Windows as documented: a runner that dies or never starts, an AllSigned policy, an earlier
attempt's log, verbose, German and ANSI logs, the runner's own error, the local record saved
before anything starts, and no password on a command line or in the module log."""

from __future__ import annotations

import json
import threading

import pytest

from tests.support.answers import contoso
from tests.support.sim import PASSWORD, rig, run_direct, target_clean
from tui.engine import preflight as pf
from tui.engine import scripts
from tui.engine.events import LogLines, PhaseStarted, Progress
from tui.engine.install import install
from tui.engine.sim.machine import WindowsMachine
from tui.engine.sim.msiengine import DISP_E_EXCEPTION, Engine, InstallerError, install_product
from tui.engine.sim.scenarios import MIM_VERSION
from tui.engine.sim.target import SimTarget
from tui.engine.state import unfinished


def _log_on_target(r) -> bytes:
    return r.machine.state.path(r.machine.state.install_log_path).read_bytes()


def test_a_runner_that_dies_ends_the_follow_with_a_sentence_and_a_clean_target():
    with rig("runner-dies", speed=40) as r:
        result = install(r.shell, r.request(), r.events.append)
        assert result.outcome == "failed" and result.exit_code is None
        assert "install runner" in result.message and "mimsetup-install-" in result.message
        assert "ended without reporting a result" in result.message
        assert "Windows Installer code" not in result.message
        target_clean(r)


def test_under_an_allsigned_group_policy_the_install_runs():
    with rig("execution-policy-allsigned") as r:
        result = install(r.shell, r.request(), r.events.append)
        assert result.outcome == "success", result.message
        (command,) = [c for c in r.machine.state.process_log if "-EncodedCommand" in c
                      and "WindowsPowerShell" in c]
        assert " -File " not in command


def test_a_task_that_never_runs_the_runner_ends_the_tail(tmp_path):
    """A `-File` task under AllSigned never starts its script: the tail says so and ends."""
    from tests.support.sim import TailSink
    from tui.engine.install import tail_params
    from tui.engine.sim.install_script import Task, WindowsView, installer_of, run_task
    from tui.engine.state import InstallState

    with WindowsMachine("execution-policy-allsigned", answers=contoso()) as m:
        inst = installer_of(m)
        m.state.write_file("C:\\w\\run.ps1", "# mimsetup-script: install-runner\n")
        task = Task("mimsetup-install-x", "CONTOSO\\Administrator", "C:\\w",
                    "powershell.exe -ExecutionPolicy Bypass -File C:\\w\\run.ps1")
        inst.tasks[task.name] = task
        run_task(m, inst, task)
        state = InstallState("x", {}, task.name, "C:\\w", "C:\\w\\status.json",
                             m.state.install_log_path, 0.0)
        sink = TailSink()
        from tui.engine.sim.tailer import tail

        tail(tail_params(state), m.state.path, sink, WindowsView(m))
        last = json.loads(sink.text.splitlines()[-1])
        assert last["done"] and last["runner_gone"] and last["exit_code"] is None
        assert "ended without starting the install" in last["error"]


def test_an_earlier_attempts_log_is_never_shown():
    with rig("stale-log") as r:
        old = _log_on_target(r)
        assert "Return value 3".encode("utf-16-le") in old
        result = install(r.shell, r.request(), r.events.append)
        assert result.outcome == "success", result.message
        shown = "\n".join(r.lines())
        assert "Return value 3" not in shown and "05-01-2026" not in shown
        assert "DEVELOP" not in shown and "Login failed" not in shown
        # renamed, not lost
        temp = r.machine.state.path("C:\\Windows\\Temp")
        (kept,) = [p for p in temp.iterdir() if ".before-" in p.name]
        assert kept.read_bytes() == old


def test_a_log_that_shrank_is_followed_from_its_start():
    from tests.support.sim import TailSink
    from tui.engine.install import tail_params
    from tui.engine.sim.tailer import tail
    from tui.engine.state import InstallState

    with WindowsMachine(answers=contoso()) as m:
        log = m.state.install_log_path
        m.state.write_file(log, b"\xff\xfe" + "Action start 9:00:00: INSTALL.\r\n".encode(
            "utf-16-le"))
        m.state.write_file("C:\\w\\status.json", json.dumps({"state": "done", "exit_code": 0}))
        state = InstallState("x", {}, "t", "C:\\w", "C:\\w\\status.json", log, 0.0, offset=5000)
        sink = TailSink()
        tail(tail_params(state), m.state.path, sink)
        batches = [json.loads(b) for b in sink.text.splitlines()]
        assert batches[0]["log_restarted"] is True
        assert [ln for b in batches for ln in b["lines"]] == ["Action start 9:00:00: INSTALL."]


def test_utf16_with_an_odd_byte_count_and_an_empty_log():
    from tests.support.sim import TailSink
    from tui.engine.install import tail_params
    from tui.engine.sim.tailer import tail
    from tui.engine.state import InstallState

    with WindowsMachine(answers=contoso()) as m:
        log = m.state.install_log_path
        m.state.write_file("C:\\w\\status.json", json.dumps({"state": "done", "exit_code": 0}))
        state = InstallState("x", {}, "t", "C:\\w", "C:\\w\\status.json", log, 0.0)
        m.state.write_file(log, b"")
        sink = TailSink()
        tail(tail_params(state), m.state.path, sink)
        assert json.loads(sink.text)["lines"] == []
        body = "Action start 9:00:00: INSTALL.\r\nAction start 9:00:01: INSTALL.\r\n"
        m.state.write_file(log, b"\xff\xfe" + body.encode("utf-16-le") + b"A")  # half a unit
        sink = TailSink()
        tail(tail_params(state), m.state.path, sink)
        doc = json.loads(sink.text)
        assert doc["lines"] == body.splitlines() and doc["offset"] == 2 + len(body) * 2


def test_verbose_log_passwords_go_nowhere(tmp_path):
    with rig("verbose-log") as r:
        result = install(r.shell, r.request(), r.events.append)
        assert result.outcome == "success", result.message
        log = _log_on_target(r)
        # the package hides nothing: the simulated Windows Installer wrote them in clear ...
        for shape in ("PROPERTY CHANGE", "Command Line: ", "CustomActionData="):
            assert any(shape in t and PASSWORD in t for t in log.decode("utf-16-le").splitlines())
        # ... and nothing the client shows, keeps or sent holds one
        assert not any(PASSWORD in line for line in r.lines())
        assert PASSWORD not in json.dumps([str(e) for e in r.events])
        for path in (tmp_path / "state").rglob("*"):
            assert not path.is_file() or PASSWORD.encode() not in path.read_bytes(), path
        state = r.machine.state
        assert not [c for c in state.process_log if PASSWORD in c]
        assert not [c for c in state.module_log if PASSWORD in c[1]]


def test_localized_log_gives_phases_100_percent_and_the_failing_action():
    with rig("localized-log") as r:
        result = install(r.shell, r.request(), r.events.append)
        assert result.outcome == "success", result.message
        assert "Aktion gestartet um".encode("utf-16-le") in _log_on_target(r)
        assert [type(e) for e in r.events].count(PhaseStarted) >= 4
        assert [e.percent for e in r.events if isinstance(e, Progress)][-1] == 100.0
    with rig("localized-log", outcome=1603) as r:
        result = install(r.shell, r.request(), r.events.append)
        assert (result.outcome, result.exit_code) == ("failed", 1603)
        assert result.failing_action == "DeployAndPopulateDatabase"
        assert any("Rückgabewert 3" in line for line in result.error_lines)


def test_an_ansi_log_is_shown_in_its_code_page():
    with rig("ansi-log") as r:
        result = install(r.shell, r.request(), r.events.append)
        assert result.outcome == "success", result.message
        raw = _log_on_target(r)
        assert not raw.startswith(b"\xff\xfe") and "Rückgabewert".encode("cp1252") in raw
        shown = r.lines()
        assert any("Rückgabewert 1." in line for line in shown)
        assert not any("\ufffd" in line or "Ã" in line for line in shown)


def test_the_log_agrees_with_the_answers_and_the_package():
    with rig(outcome=1603) as r:
        result = install(r.shell, r.request(), r.events.append)
        text = _log_on_target(r).decode("utf-16-le")
        for stranger in ("DEVELOP", "4.1.2273", "R2-FIM", "DC01", "Passw0rd"):
            assert stranger not in text, stranger
        assert MIM_VERSION in text and pf.PRODUCT_CODE in text and pf.PRODUCT_NAME in text
        user = r.target.endpoint.user.rpartition("\\")[2]
        want = f"login failed for user 'contoso\\{user.lower()}'"
        assert any(want in ln.lower() for ln in result.error_lines)


def test_the_runners_own_error_reaches_the_user():
    with rig(dpapi_fails=True) as r:
        result = install(r.shell, r.request(), r.events.append)
        assert result.outcome == "failed"
        assert "Key not valid for use in specified state" in result.message
        assert "-1" not in result.message
        target_clean(r)


def test_a_missing_log_folder_is_created():
    a = contoso()
    a = a.model_copy(update={"install": a.install.model_copy(update={
        "log_path": "C:\\Logs\\MIM\\install.log"})})
    with rig() as r:
        result = install(r.shell, r.request(a), r.events.append)
        assert result.outcome == "success", result.message
        assert r.machine.state.path("C:\\Logs\\MIM\\install.log").is_file()


def test_start_errors_in_clixml_read_as_words():
    def refuse(run) -> int:
        run.out.stderr('#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/'
                       'powershell/2004/04"><S S="Error">Access is denied._x000D__x000A_</S>'
                       '</Objs>')
        return 1

    with WindowsMachine(answers=contoso(), scripts={"install-start": refuse}) as m, \
            SimTarget(machine=m, operation_timeout_cap=1.0) as target:
        from tests.support.sim import Rig
        from tui.engine.sim.install_script import installer_of

        r = Rig(target, m, installer_of(m))
        result = install(r.shell, r.request(), r.events.append)
        assert result.outcome == "failed" and "Access is denied." in result.message
        assert "CLIXML" not in result.message and "_x000D_" not in result.message


def test_the_record_is_saved_before_anything_starts(tmp_path, monkeypatch):
    (tmp_path / "blocked").write_text("a file where the state folder should be")
    monkeypatch.setenv("MIMSETUP_STATE_DIR", str(tmp_path / "blocked"))
    with rig() as r:
        result = install(r.shell, r.request(), r.events.append)
        assert result.outcome == "failed"
        assert "not started" in result.message and "blocked" in result.message
        assert "install-start" not in r.machine.scripts_run() and r.installer.runs == []


def test_a_failed_start_leaves_nothing_behind():
    with rig() as r:
        request = r.request()
        request.run_as_password = ""
        result = install(r.shell, request, r.events.append)
        assert result.outcome == "failed" and "could not be started" in result.message
        target_clean(r)
        assert unfinished() == []


def test_no_password_on_a_command_line_or_in_the_module_log_and_no_task_outlives_it():
    with rig(speed=60) as r:
        stop = threading.Event()

        def emit(event):
            r.events.append(event)
            if isinstance(event, LogLines):
                stop.set()

        first = install(r.shell, r.request(), emit, stop=stop)
        assert first.outcome == "detached"
        r.installer.wait(60)
        assert r.installer.tasks == {}  # the runner removed its task (and the stored password)
        state = r.machine.state
        assert state.process_log and state.module_log
        for line in state.process_log:
            assert PASSWORD not in line and r.target.endpoint.password not in line
        for cmdlet, text in state.module_log:
            assert PASSWORD not in text and r.target.endpoint.password not in text, cmdlet


def test_the_preflight_never_copies_another_installs_command_line():
    from tests.support.sim import checks_of, run_direct
    from tui.engine.preflight import preflight_params
    from tui.engine.sim.state import SimProcessInfo

    with WindowsMachine("install-running", answers=contoso()) as m:
        m.state.processes.append(SimProcessInfo(
            4343, "msiexec.exe", 'msiexec.exe /i "C:\\x\\sql.msi" /qn SAPWD="Secr3t-Other"'))
        out, _err, _code = run_direct(m, "preflight", preflight_params(contoso()))
    check = checks_of(out)["install-running"]
    assert check["status"] == "fail" and "4343" in check["message"]
    assert "Secr3t-Other" not in out and "sql.msi" not in out


def test_a_preflight_that_fails_in_clixml_reads_as_words():
    from tui.engine.preflight import run_preflight

    def broken(run) -> int:
        run.out.stderr('#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/'
                       'powershell/2004/04"><S S="Error">Cannot find type [Foo]._x000D__x000A_'
                       '</S></Objs>')
        return 1

    with WindowsMachine(answers=contoso(), scripts={"preflight": broken}) as m, \
            SimTarget(machine=m, operation_timeout_cap=1.0) as target:
        from tui.engine.shell import RemoteShell

        ep = target.endpoint.client_endpoint(operation_timeout=2, read_timeout=10)
        with RemoteShell(ep) as shell:
            report = run_preflight(shell, contoso())
    text = " ".join(c.message for c in report.checks)
    assert "Cannot find type [Foo]." in text
    assert "<Objs" not in text and "_x000D_" not in text


def test_a_refused_batch_logon_is_named_and_nothing_is_left():
    # RegisterTaskDefinition succeeds (SCHED_S_BATCH_LOGON_PROBLEM, a success code), the task's
    # logon is refused when it starts: the start says so, naming the right, and cleans up.
    with rig("batch-logon-denied") as r:
        result = install(r.shell, r.request(), r.events.append)
        assert result.outcome == "failed" and result.exit_code is None
        assert "batch job" in result.message and "0x80070569" in result.message
        assert r.installer.tasks == {}
        target_clean(r)


def test_the_installers_com_error_is_generic_and_the_code_comes_from_the_log():
    # The automation interface's failures are DISP_E_EXCEPTION with a generic message: 1638 and
    # 1603 reach the user only because the runner reads the engine's result from its log (an
    # ANSI one too), and the generic text is not shown as the cause.
    a = contoso()
    with WindowsMachine("mim-installed", answers=a) as m:
        stop = threading.Event()
        with pytest.raises(InstallerError) as caught:
            install_product(m.state, Engine(), a.install.msi_path, {}, a.install.log_path,
                            "CONTOSO\\Administrator", stop)
    assert caught.value.hresult == DISP_E_EXCEPTION
    assert str(caught.value) == "InstallProduct,PackagePath,PropertyValues"
    with rig("ansi-log", outcome=1603) as r:
        result = install(r.shell, r.request(), r.events.append)
        assert (result.outcome, result.exit_code) == ("failed", 1603)
        assert "InstallProduct,PackagePath" not in result.message


def test_the_runner_reads_the_engines_result_in_utf16_then_ansi():
    runner = scripts.text("install-runner")
    logged = runner[runner.index("function Get-LoggedResult"):runner.index("$code = -1")]
    assert logged.index("[Text.Encoding]::Unicode") < logged.index("[Text.Encoding]::Default")


def test_a_work_folder_already_there_is_refused_and_left_alone():
    a = contoso()
    with WindowsMachine("healthy", answers=a) as m:
        folder = m.state.path("C:\\Windows\\Temp\\mimsetup-fixed-1")
        folder.mkdir(parents=True)
        (folder / "theirs.txt").write_text("not mimsetup's")
        params = {"install_id": "fixed-1", "package": a.install.msi_path, "properties": "",
                  "secret_properties": {}, "run_as_user": "CONTOSO\\Administrator",
                  "run_as_password": PASSWORD, "log_path": a.install.log_path,
                  "runner": scripts.text("install-runner")}
        out, _, _ = run_direct(m, "install-start", params)
        result = json.loads(out.strip().splitlines()[-1])
        assert result["started"] is False and "already exists" in result["error"]
        assert (folder / "theirs.txt").read_text() == "not mimsetup's"
        assert not list(folder.glob("secrets.bin"))


def test_the_work_and_log_folders_are_created_with_their_protected_acl():
    start = scripts.text("install-start")
    assert "New-Item -ItemType Directory" not in start and "SetAccessControl" not in start
    assert "[IO.Directory]::CreateDirectory($work, (New-ProtectedAcl" in start
    assert "[IO.Directory]::CreateDirectory($logDir, (New-ProtectedAcl" in start
    assert start.index("already exists") < start.index("CreateDirectory($work")
    assert "if ($createdWork -and [IO.Directory]::Exists($work))" in start

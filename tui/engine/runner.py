"""Starting the install on the target and cleaning up after it: the local record first, then
install-start (a scheduled task whose runner installs through the Windows Installer API), and on
any failure of the start, nothing left behind there (install-cleanup)."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field

from tui.engine import outcomes
from tui.engine.errors import EngineError, ReplyLost
from tui.engine.state import InstallState
from tui.model.msi import Plan


@dataclass
class InstallRequest:
    plan: Plan
    secrets: dict[str, str] = field(repr=False)  # MSI property -> value; never printed
    run_as_user: str = ""
    run_as_password: str = field(default="", repr=False)
    target: dict = field(default_factory=dict)
    phases: list[str] = field(default_factory=list)
    answers_file: str | None = None

    @classmethod
    def for_answers(cls, answers, endpoint, secrets: dict[str, str],
                    answers_file: str | None = None) -> InstallRequest:
        """The install of `answers` on `endpoint`'s server, as its account; `secrets` maps each
        secret MSI property of the plan to its value."""
        from tui.engine.connect import describe
        from tui.engine.progress import phases_for
        from tui.model.msi import build_plan

        plan = build_plan(answers)
        return cls(
            plan,
            {name: secrets[name] for name in plan.secret_properties()},
            endpoint.user,
            endpoint.password,
            target=describe(endpoint),
            phases=[str(p) for p in phases_for(answers.components.features())],
            answers_file=answers_file,
        )


def plain(text: object) -> str | None:
    """Text from the target as a sentence: CLIXML error records and control characters out."""
    if not text:
        return None
    from tui.engine.clixml import plain_text

    return plain_text(str(text)) or None


def property_text(plan: Plan) -> str:
    """The public properties in Windows Installer's property syntax (as msiexec takes them);
    the secret properties are added on the target from values that never travel in a script's
    text."""
    from tui.model.msi import quote

    return " ".join(f"{p.name}={quote(p.value)}" for p in plan.properties if p.secret is None)


def start(shell, request: InstallRequest) -> InstallState:
    """Start the install on the target as a scheduled task; returns the state to follow it by.

    The local state is saved before anything happens on the target: an install mimsetup cannot
    record is never started (a full disk, an unwritable state folder stop here, with the target
    untouched). When the start fails, or its answer is lost, the target is cleaned up: the
    sealed secrets, the task with its stored password and the work folder (install-cleanup
    leaves a runner that did start alone, and the state then lets `attach` follow it)."""
    from tui.engine import scripts

    install_id = time.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
    plan = request.plan
    state = InstallState(
        install_id=install_id,
        target=request.target,
        task_name=f"mimsetup-install-{install_id}",
        # Where install-start puts them on a Windows in C:\Windows; its answer says for sure.
        work_dir=f"C:\\Windows\\Temp\\mimsetup-{install_id}",
        status_path=f"C:\\Windows\\Temp\\mimsetup-{install_id}\\status.json",
        log_path=plan.log_path,
        started_at=time.time(),
        phases=request.phases,
        answers_file=request.answers_file,
    )
    try:
        state.save()
    except OSError as exc:
        raise EngineError(
            f"The install was not started: its record could not be saved in {state.path.parent} "
            f"({exc.strerror or exc}).",
            "Free space there or make it writable (or set MIMSETUP_STATE_DIR), then run the "
            "install again.") from None
    params = {
        "install_id": install_id,
        "package": plan.msi_path,
        "properties": property_text(plan),
        "secret_properties": request.secrets,
        "run_as_user": request.run_as_user,
        "run_as_password": request.run_as_password,
        "log_path": plan.log_path,
        "runner": scripts.text("install-runner"),
    }
    try:
        result = shell.run_script("install-start", params)
        started = _last_json(result.stdout)
    except ReplyLost as exc:
        # Starting twice is not safe (two installs), and neither is cleaning up a start whose
        # outcome is unknown: the record stays, so `attach` can follow it if it did start.
        raise ReplyLost(
            f"The install may have started on the target as scheduled task {state.task_name}"
            ": the answer to starting it was lost on the way, and it was not started again.",
            f"Check Task Scheduler on the target for {state.task_name} and the MSI log "
            f"{plan.log_path}, or follow it with: mimsetup attach {install_id}",
            exc.message,
        ) from None
    except EngineError:
        _forget_quietly(shell, state)
        raise
    if (refused := outcomes.refusal(result.stdout)) is not None:
        # The bootstrap refused before running any script (Constrained Language Mode): nothing
        # was started or written on the target, and a cleanup would be refused the same way.
        # The one worded sentence the pre-flight gives too, never "could not be started: nothing".
        _drop_record(state)
        raise EngineError(refused.message, refused.remedy)
    if not started or not started.get("started"):
        said = (started or {}).get("error") or plain(result.stderr) or "nothing"
        _forget_quietly(shell, state)
        if (started or {}).get("task_result") == BATCH_LOGON_REFUSED:
            raise EngineError(
                f"The install could not be started on the target: {request.run_as_user} may not "
                "log on as a batch job there. Task Scheduler registered the install's task (it "
                "only warns of a missing batch logon right) but refused its logon when it "
                f"started (task result {BATCH_LOGON_REFUSED}).",
                "Grant the install account \"Log on as a batch job\" on the target (Group Policy "
                "or secpol.msc; a \"Deny log on as a batch job\" outranks it), then run the "
                "install again; the pre-flight's batch-logon check shows who holds the right.")
        raise EngineError(
            "The install could not be started on the target: " + str(said).rstrip(".") + ".",
            "Check that the install account may log on as a batch job and that its password is "
            "right; the pre-flight checks both.")
    state.work_dir = started["work_dir"]
    state.status_path = started["status_path"]
    state.save()
    return state


# The task's last result when its logon is refused for want of the batch logon right
# (ERROR_LOGON_TYPE_NOT_GRANTED as an HRESULT), as install-start reports it.
BATCH_LOGON_REFUSED = "0x80070569"


def _last_json(stdout: str) -> dict | None:
    for line in reversed(stdout.strip().splitlines()):
        try:
            doc = json.loads(line)
        except ValueError:
            continue
        return doc if isinstance(doc, dict) else None
    return None


def _forget_quietly(shell, state: InstallState) -> None:
    """After a failed start: clean the target, and drop the local record unless a runner is
    still at work there (then `attach` can follow it)."""
    try:
        removed = cleanup(shell, state)
    except EngineError:
        return  # the target is unreachable: the record stays, so the install can be found again
    if not removed.get("running"):
        _drop_record(state)


def _drop_record(state: InstallState) -> None:
    """Forget locally an install that did not start (nothing for `attach` to follow)."""
    try:
        state.path.unlink(missing_ok=True)
    except OSError:
        pass


def cleanup(shell, state: InstallState) -> dict:
    """Remove the task, the work folder and any sealed secrets; a runner still at work is left
    alone (the answer says `running`)."""
    result = shell.run_script("install-cleanup", {"install_id": state.install_id,
                                                  "task_name": state.task_name,
                                                  "work_dir": state.work_dir})
    return _last_json(result.stdout) or {}

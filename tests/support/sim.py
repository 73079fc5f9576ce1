"""The simulated target in the engine tests: a script run directly on a WindowsMachine (no WinRM
in between), the install rig (a SimTarget over loopback), and answers pointed at a target."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.answers import contoso
from tests.support.paths import CONTOSO
from tui.engine import outcomes, scripts
from tui.engine.events import Event, Finished, LogLines
from tui.engine.install import InstallRequest, cancel, install, tail_params
from tui.engine.progress import phases_for
from tui.engine.shell import RemoteShell
from tui.engine.sim.install_script import Installer, installer_of
from tui.engine.sim.machine import WindowsMachine
from tui.engine.sim.tailer import tail
from tui.engine.sim.target import SimTarget
from tui.engine.state import InstallState, unfinished
from tui.model.msi import build_plan

ADMIN = "CONTOSO\\Administrator"
# The environment variable the answers of target_toml name for the administrator's password.
PW_ENV = "MIMSETUP_TEST_TARGET_PASSWORD"
PASSWORD = 'Pa$$ "w0rd" `x` 100% ;é'

# What each scenario must make fail (nothing else may fail).
EXPECTED_FAILURES: dict[str, set[str]] = {
    "healthy": set(),
    "no-sharepoint": {"sharepoint"},
    "sql-unreachable": {"sql-reachable"},
    "install-running": {"install-running"},
    "pending-reboot": {"pending-reboot"},
    "mim-installed": {"mim-installed", "sql-database", "service-ports", "sharepoint-farm"},
    "wrong-msi": {"msi-product"},
    # Releases (#14.1, #14.2): another ProductCode is still MIM; SP3's portal needs SharePoint SE.
    "sp2-media": set(),
    "sp3-media": {"release-sharepoint"},
    "sp2-installed": {"mim-installed"},
    # The install scenarios: the machine is healthy; only msiexec's outcome differs.
    "reboot-required": set(),
    "install-fails": set(),
    "sql-login-refused": {"sql-version"},
    "runner-dies": set(),
    "execution-policy-allsigned": set(),
    "stale-log": set(),
    "verbose-log": set(),
    "localized-log": set(),
    "ansi-log": set(),
    # Windows as hardened or remote as it gets (tui/engine/sim/hardened.py)
    "batch-logon-denied": {"batch-logon"},
    "no-profile": set(),
    "remote-sql-ntlm": set(),
    "constrained-language": {"preflight"},  # the bootstrap refuses: no script runs
    "sql-alias": set(),
}
# Where the pre-flight script itself runs (the others: tests/engine/test_hardened_scenarios.py).
PREFLIGHT_SCENARIOS = [s for s in EXPECTED_FAILURES if s != "constrained-language"]


# --- a script run directly on the machine ------------------------------------------------------


def with_password(params: dict, user: str = ADMIN) -> dict:
    """Pre-flight params as `run_preflight` sends them over a logon with a password: the checks
    of other computers then run in a logon of the install account (probe-logon)."""
    return {**params, "run_as_user": user, "run_as_password": PASSWORD}



def run_direct(
    machine: WindowsMachine, name: str, params: dict, user: str = ADMIN
) -> tuple[str, str, int]:
    """Start the bootstrap on the machine as the transport would, feed stdin, collect output."""
    proc = machine.start(scripts.POWERSHELL, scripts.bootstrap_args(), user)
    proc.write_stdin(scripts.stdin_payload(name, params), True)
    out, err = b"", b""
    limit = time.monotonic() + 10
    while time.monotonic() < limit:
        o, e, code = proc.read(0.5)
        out, err = out + o, err + e
        if code is not None:
            return out.decode(), err.decode(), code
    raise AssertionError("the simulated script did not finish")


def run_command(machine: WindowsMachine, command: str, args: list[str] | None = None,
                user: str = ADMIN) -> tuple[str, str, int]:
    proc = machine.start(command, args or [], user)
    proc.write_stdin(b"", True)
    out, err = b"", b""
    while True:
        o, e, code = proc.read(2)
        out, err = out + o, err + e
        if code is not None:
            return out.decode(), err.decode(), code


def checks_of(stdout: str) -> dict[str, dict]:
    """The script's checks by id, each with the catalog's status beside its reason and values.
    Worded strictly: a placeholder the script left without a value fails the test."""
    doc = json.loads(stdout)
    found = {}
    for c in doc["checks"]:
        worded = outcomes.word("preflight", c["id"], c["reason"], c["values"], strict=True)
        assert worded is not None, f"the catalog lacks {c['id']}/{c['reason']}"
        found[c["id"]] = {**c, "status": worded.status, "message": worded.message,
                          "remedy": worded.remedy}
    return found


# --- the install rig ---------------------------------------------------------------------------


@dataclass
class Rig:
    target: SimTarget
    machine: WindowsMachine
    installer: Installer
    events: list[Event] = field(default_factory=list)

    def shell(self) -> RemoteShell:
        return RemoteShell(self.target.endpoint.client_endpoint(operation_timeout=2,
                                                                 read_timeout=10))

    def request(self, answers=None) -> InstallRequest:
        a = answers or contoso()
        plan = build_plan(a)
        ep = self.target.endpoint
        return InstallRequest(plan, {k: PASSWORD for k in plan.secret_properties()}, ep.user,
                              ep.password, target={"host": ep.host, "port": ep.port},
                              phases=[str(p) for p in phases_for(a.components.features())])

    def lines(self) -> list[str]:
        return [line for e in self.events if isinstance(e, LogLines) for line in e.lines]

    def finished(self) -> list[Finished]:
        return [e for e in self.events if isinstance(e, Finished)]


def target_clean(r) -> None:
    """No task, no work folder, no sealed secrets left on the target."""
    assert r.installer.tasks == {}
    temp = r.machine.state.path("C:\\Windows\\Temp")
    assert not [p for p in temp.iterdir() if p.is_dir() and p.name.startswith("mimsetup-")]
    assert not list(r.machine.root.rglob("secrets.bin"))


@contextlib.contextmanager
def rig(scenario: str = "healthy", speed: float = 150.0, **installer: object) -> Iterator[Rig]:
    machine = WindowsMachine(scenario, answers=contoso())
    inst = installer_of(machine)
    inst.speed = speed
    for k, v in installer.items():
        setattr(inst, k, v)
    try:
        with SimTarget(machine=machine, operation_timeout_cap=1.0) as target:
            yield Rig(target, machine, inst)
    finally:
        inst.wait(30)
        machine.close()


class TailSink:
    """An OutputSink for running the tail emulation once over a finished log."""

    terminated = False

    def __init__(self) -> None:
        self.text = ""

    def stdout(self, data) -> None:
        self.text += data if isinstance(data, str) else data.decode()

    def sleep(self, seconds: float) -> None:
        pass


def expected_lines(machine: WindowsMachine, log_path: str) -> list[str]:
    """Every line the filter keeps, from one uninterrupted pass over the finished log."""
    state = InstallState("x", {}, "t", "C:\\w", "C:\\w\\status.json", log_path, 0.0)
    machine.state.write_file("C:\\w\\status.json", json.dumps({"state": "done", "exit_code": 0}))
    sink = TailSink()
    tail(tail_params(state), machine.state.path, sink)
    return [line for b in sink.text.splitlines() for line in json.loads(b)["lines"]]


# --- answers pointed at a simulated target -----------------------------------------------------


def answers_for(target: SimTarget, tmp_path: Path) -> Path:
    """contoso.toml pointed at the simulated target, saved as tmp_path/sim.toml; every password
    from $MIM_PW, the administrator's from $SIM_ADMIN_PW."""
    from tui.model.secrets import SecretRef
    from tui.model.target import Target
    from tui.model.tomlio import save

    a = contoso().model_copy(deep=True)
    ep = target.endpoint
    env = SecretRef(env="MIM_PW")
    a.target = Target(host=ep.host, port=ep.port, https=ep.https, ca_bundle=str(ep.ca_path),
                      user=ep.user, password=SecretRef(env="SIM_ADMIN_PW"))
    a.service_account = a.service_account.model_copy(update={"password": env})
    a.registration_portal = a.registration_portal.model_copy(update={"password": env})
    a.reset_portal = a.reset_portal.model_copy(update={"password": env})
    path = tmp_path / "sim.toml"
    save(a, path)
    return path


def write_answers(tmp_path, target: str, name: str = "answers.toml"):
    """contoso.toml with its [target] replaced by `target` (TOML text), saved in tmp_path."""
    text = CONTOSO.read_text(encoding="utf-8")
    path = tmp_path / name
    path.write_text(text[: text.index("[target]")] + target, encoding="utf-8")
    return path


def target_toml(t: SimTarget, *, https: bool, ca: bool = True, password: str | None = None,
                transport: str = "ntlm") -> str:
    """A [target] table for the simulated target `t`; the password from $PW_ENV unless given."""
    ep = t.endpoint
    lines = [
        "[target]",
        f'host = "{ep.host}"',
        f"port = {ep.port}",
        f"https = {'true' if https else 'false'}",
        f'transport = "{transport}"',
        f"user = '{ep.user}'",
        f"password = {{ env = \"{PW_ENV}\" }}" if password is None else f"password = '{password}'",
    ]
    if https and ca:
        lines.append(f"ca_bundle = '{ep.ca_path}'")
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def two_targets(second_scenario: str = "healthy"):
    """Two simulated servers (healthy, then `second_scenario`) that share one SQL Server's
    database as a fleet's hosts do."""
    with contextlib.ExitStack() as stack:
        sims = []
        for scenario in ("healthy", second_scenario):
            machine = stack.enter_context(WindowsMachine(scenario, answers=contoso()))
            installer_of(machine).speed = 150
            sims.append((stack.enter_context(SimTarget(machine=machine, https=True)), machine))
        # Both servers use one SQL Server; the simulation keeps one per machine, so the second
        # sees the database the first creates.
        for inst in sims[1][1].state.sql.values():
            inst.databases.add("FIMService")
        yield sims
        for _, machine in sims:
            installer_of(machine).wait(30)


def fleet_file(tmp_path, sims) -> str:
    """fleet.toml in tmp_path: hosts mim01 (creates the database) and mim02 on the two servers."""
    (t1, _), (t2, _) = sims
    answers_for(t1, tmp_path)  # sim.toml: the base, passwords from the environment
    hosts = {"mim01": ("127.0.0.1", t1), "mim02": ("localhost", t2)}
    text = ['schema_version = 1', 'kind = "fleet"', 'base = "sim.toml"']
    for name, (host, target) in hosts.items():
        text += [f"[hosts.{name}.components]", "registration_portal = false",
                 "reset_portal = false", f"[hosts.{name}.target]", f'host = "{host}"',
                 f"port = {target.endpoint.port}", f"ca_bundle = '{target.endpoint.ca_path}'"]
    text += ["[hosts.mim02.database]", "existing = true"]
    (tmp_path / "fleet.toml").write_text("\n".join(text) + "\n")
    return str(tmp_path / "fleet.toml")


def install_acting_at_first_lines(r: Rig, act: Callable[[InstallState], object]) -> Finished:
    """Install on rig `r`; once the first log lines arrive, `act(state)` runs in a thread of its
    own with the install's recorded state (as `mimsetup attach` finds it). Returns the end."""
    started = threading.Event()

    def emit(event: Event) -> None:
        r.events.append(event)
        if isinstance(event, LogLines) and not started.is_set():
            started.set()
            (state,) = unfinished()
            threading.Thread(target=act, args=(state,), daemon=True).start()

    return install(r.shell, r.request(), emit)


def cancel_from(r: Rig, state: InstallState, said: list | None = None):
    """Cancel the install of `state` in a shell of its own; its CancelResult, kept in `said`."""
    with r.shell() as shell:
        result = cancel(shell, state)
    if said is not None:
        said.append(result)
    return result

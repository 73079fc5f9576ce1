"""The lines the simulated target's msiexec writes, each with its log time (logreplay.py writes
them over time).

They are the reference log's (FIM 2010 R2 Service and Portal, see data/README.md). Outcome 0 is
the log byte for byte as it is; 3010 adds the reboot lines Windows Installer writes when files
were in use; 1603 cuts the log inside a custom action and appends the failure, rollback and
closing lines a real failure shows, with timestamps that continue from the cut. The product lines
are the log's own: nothing is renamed. `scale` grows the log, `rebase` moves its timestamps.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import resources

from tui.engine.sim.logformat import action_line, log_text_lines, on_one_timeline, time_of_day

REFERENCE_LOG = "fim2010r2-service-and-portal-install.log.gz"
OUTCOMES = (0, 3010, 1603)
DEFAULT_SPEED = 40.0  # the reference log's 647 s in about 16 s
FAIL_ACTION = "DeployAndPopulateDatabase"
FAIL_AFTER = 22.0  # seconds the failing custom action runs before giving up
# What makes a 1603: each failure, its custom action and what that action writes as it fails.
# "sql-login": SQL Server refuses the install account while the database is created (the
# reference log's own Error 25009). "sharepoint-deployment-under-way": SharePoint refuses to deploy
# the portal's solution because a deployment job for it is already in the timer service, which
# nothing before the install can see (a job scheduled after any check ran).
SQL_LOGIN = "sql-login"
DEPLOYMENT_UNDER_WAY = "sharepoint-deployment-under-way"
FAILURE_ACTIONS = {SQL_LOGIN: FAIL_ACTION, DEPLOYMENT_UNDER_WAY: "InstallFIMPortal"}

# Line shapes that occur in long runs in real logs; repeating them is how `scale` grows a log.
_REPEATABLE = (
    "InstallFiles: File:",
    "1: {",
    "WriteRegistryValues: Key:",
    "CreateFolders: Folder:",
    "MsiPublishAssemblies: ",
    "PublishFeatures: Feature:",
)


@cache
def reference_lines() -> tuple[str, ...]:
    """The packaged reference log's lines."""
    return tuple(log_text_lines(reference_bytes()))


def reference_bytes() -> bytes:
    """The packaged reference log, as the installer wrote it."""
    data = resources.files("tui.engine.sim").joinpath("data", REFERENCE_LOG).read_bytes()
    return gzip.decompress(data)


@dataclass(frozen=True, slots=True)
class ReplayLine:
    at: float  # log seconds since the log's first line, for pacing
    text: str


def build_script(
    outcome: int = 0,
    *,
    scale: int = 1,
    rebase: datetime | None = None,
    fail_action: str | None = None,
    source: Sequence[str] | None = None,
    failure: str = SQL_LOGIN,
) -> list[ReplayLine]:
    """The lines to write, each with its log time; `rebase` moves every timestamp to start then."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}, not {outcome}")
    if scale < 1:
        raise ValueError("scale must be at least 1")
    lines = list(source if source is not None else reference_lines())
    if outcome == 3010:
        lines = _reboot_required(lines)
    elif outcome == 1603:
        if failure not in FAILURE_ACTIONS:
            raise ValueError(f"failure must be one of {tuple(FAILURE_ACTIONS)}, not {failure}")
        lines = _failed(lines, fail_action or FAILURE_ACTIONS[failure], failure)
    if scale > 1:
        lines = _scaled(lines, scale)
    times = _line_times(lines)
    if rebase is not None:
        lines = _rebased(lines, rebase)
    start = times[0] if times else 0.0
    return [ReplayLine(t - start, text) for t, text in zip(times, lines, strict=True)]


def _line_times(lines: Sequence[str]) -> list[float]:
    """Each line's log time: its own stamp, or interpolated between its neighbours' stamps."""
    stamped = on_one_timeline(time_of_day(text) for text in lines)
    known = [i for i, t in enumerate(stamped) if t is not None]
    if not known:
        return [0.0] * len(lines)
    times = [0.0] * len(lines)
    prev_i, prev_t = known[0], stamped[known[0]]
    for i in range(known[0] + 1):
        times[i] = prev_t  # type: ignore[assignment]
    for i in known[1:]:
        t = stamped[i]
        assert t is not None and prev_t is not None
        t = max(t, prev_t)  # millisecond and second stamps may disagree by a fraction
        for k in range(prev_i + 1, i):
            times[k] = prev_t + (t - prev_t) * (k - prev_i) / (i - prev_i)
        times[i] = t
        prev_i, prev_t = i, t
    for k in range(prev_i + 1, len(lines)):
        times[k] = prev_t  # type: ignore[assignment]
    return times


def _engine_prefix(lines: Sequence[str]) -> tuple[str, datetime]:
    """The `MSI (c) (pid:tid)` prefix and the time of the log's last engine line."""
    for text in reversed(lines):
        if m := re.match(r"^(MSI \([a-z]\) \([0-9A-Fa-f]+[:!][0-9A-Fa-f]+\)) \[([\d:]+)\]", text):
            return m[1], datetime.strptime(m[2], "%H:%M:%S:%f")
    return "MSI (c) (48:DC)", datetime(1900, 1, 1)


def _stamp(t: datetime) -> str:
    return f"{t:%H:%M:%S}:{t.microsecond // 1000:03d}"


def _reboot_required(lines: list[str]) -> list[str]:
    """Success, but files were in use: the closing lines ask for a restart (exit code 3010)."""
    out: list[str] = []
    cleanup = max(i for i, t in enumerate(lines) if "RollbackCleanup. Removing backup files" in t)
    for i, text in enumerate(lines):
        if text.startswith("Property(") and not (out and out[-1].startswith("Property(")):
            out.append(f"{text[:13]}ReplacedInUseFiles = 1")
        out.append(text)
        if i == cleanup:
            out.append(
                "Info 1903.Scheduling reboot operation: Deleting file C:\\Config.Msi\\3b6c1e.rbf. "
                "Must reboot to complete operation."
            )
    prefix, at = _engine_prefix(out)
    product = _product_facts(out)
    while out and not out[-1].strip():
        out.pop()
    out += [
        "",
        f"{prefix} [{_stamp(at + timedelta(milliseconds=1))}]: Windows Installer requires a system "
        f"restart. {product} Type of System Restart: 2. Reason for Restart: 1.",
        "",
        f"{prefix} [{_stamp(at + timedelta(milliseconds=1))}]: Product: {_product_name(out)}. "
        "Restart required. The installation or update for the product required a restart for all "
        "changes to take effect. The restart was deferred to a later time.",
        "",
        f"{prefix} [{_stamp(at + timedelta(milliseconds=3))}]: MainEngineThread is returning 3010",
        "",
    ]
    return out


def _product_facts(lines: Sequence[str]) -> str:
    """`Product Name: ... Manufacturer: ....` as the log's own closing line states it."""
    for text in reversed(lines):
        if m := re.search(r"(Product Name: .*?Manufacturer: [^.]*\.)", text):
            return m[1]
    return f"Product Name: {_product_name(lines)}."


def _product_name(lines: Sequence[str]) -> str:
    for text in lines:
        if text.startswith("Property(S): ProductName = "):
            return text.split(" = ", 1)[1]
    return "Forefront Identity Manager Service and Portal"


def _failed(lines: list[str], fail_action: str, failure: str = SQL_LOGIN) -> list[str]:
    """Cut inside `fail_action` and append what Windows Installer writes when it fails."""
    # The deferred script runs inside InstallExecute (or InstallFinalize when there is none);
    # each of its actions is an "Action T: Name. text" line.
    log = [action_line(t) for t in lines]
    runner = next(
        i
        for i, ln in enumerate(log)
        if ln and ln.kind == "start" and ln.name in ("InstallExecute", "InstallFinalize")
    )
    script = {i: ln for i, ln in enumerate(log) if i > runner and ln and ln.kind == "script"}
    cut = next((i for i, ln in script.items() if ln.name == fail_action), None)
    if cut is None:
        raise ValueError(f"{fail_action} is not a deferred action of this log")
    day = datetime(1900, 1, 1)
    t = day + timedelta(seconds=script[cut].seconds + FAIL_AFTER)
    ran = [ln for i, ln in script.items() if i <= cut]
    server_props = [t for t in lines if t.startswith("Property(S): ")]
    client_props = [t for t in lines if t.startswith("Property(C): ")]
    user = _property(lines, "LogonUser") or "administrator"
    domain = _property(lines, "SERVICE_ACCOUNT_DOMAIN") or "CONTOSO"
    name = _product_name(lines)

    def clock(at: datetime) -> str:
        return f"{at.hour}:{at:%M:%S}"

    out = lines[: cut + 1]
    if failure == DEPLOYMENT_UNDER_WAY:
        out += _deployment_under_way(lines, cut)
    else:
        out += [
            "SFXCA: Binding to CLR version v2.0.50727",
            f"Error 25009.The Forefront Identity Manager Service setup wizard cannot configure "
            f"the specified database. Login failed for user '{domain}\\{user}'.",
        ]
    out += [
        f"CustomAction {fail_action} returned actual error code 1603 (note this may not be 100% "
        "accurate if translation happened inside sandbox)",
        f"Action ended {clock(t)}: InstallExecute. Return value 3.",
        f"Action {clock(t)}: Rollback. Rolling back action:",
    ]
    for k, ln in enumerate(reversed(ran)):
        if k and k % 12 == 0:
            t += timedelta(seconds=1)
            out.append(f"Action {clock(t)}: Rollback. Rolling back action:")
        out.append(f"Rollback: {ln.rest.strip() or ln.name}")
    t += timedelta(seconds=2)
    out.append(f"Action ended {clock(t)}: INSTALL. Return value 3.")
    out += server_props
    out.append(f"Action ended {clock(t)}: ExecuteAction. Return value 3.")
    out += [
        f"Action {clock(t)}: FatalError. ",
        f"Action start {clock(t)}: FatalError.",
        f"Action {clock(t)}: FatalError. Dialog created",
    ]
    t += timedelta(seconds=4)
    out += [
        f"Action ended {clock(t)}: FatalError. Return value 2.",
        f"Action ended {clock(t)}: INSTALL. Return value 3.",
    ]
    out += client_props
    started = next((x for x in lines if x.startswith("=== Logging started: ")), "")
    date = re.search(r"started: (\S+)", started)
    out.append(f"=== Logging stopped: {date[1] if date else ''}  {t:%H:%M:%S} ===")
    prefix, _ = _engine_prefix(lines)
    stamp = _stamp(t + timedelta(milliseconds=512))
    out += [
        f"{prefix} [{stamp}]: Product: {name} -- Installation operation failed.",
        "",
        f"{prefix} [{stamp}]: Windows Installer installed the product. {_product_facts(lines)} "
        "Installation success or error status: 1603.",
        "",
        f"{prefix} [{_stamp(t + timedelta(milliseconds=530))}]: MainEngineThread is returning 1603",
        "",
    ]
    return out


def _deployment_under_way(lines: Sequence[str], cut: int) -> list[str]:
    """What SolutionPackUtility.exe (run by WiX's CAQuietExec) writes when SharePoint refuses to
    deploy the portal's solution: its own lines up to "Deploying X.wsp" as the log has them, then
    SharePoint's SPException and CAQuietExec's two failure lines (the exit code is the tool's)."""
    own: list[str] = []
    for text in lines[cut + 1 :]:
        if not text.startswith("CAQuietExec:") or "Adding feature" in text:
            break  # the feature is added only after the deployment succeeded
        own.append(text)
    wsp = next((m[1] for t in own if (m := re.search(r"Deploying (\S+\.wsp)", t))),
               "MicrosoftIdentityManagement.wsp")
    return own + [
        "CAQuietExec:  Microsoft.SharePoint.SPException: A deployment or retraction is already "
        f'under way for the solution "{wsp.lower()}", and only one deployment or retraction at a '
        "time is supported.",
        "CAQuietExec:  Error 0x80070001: Command line returned an error.",
        "CAQuietExec:  Error 0x80070001: CAQuietExec Failed",
    ]


def _property(lines: Sequence[str], name: str) -> str | None:
    head = f"Property(S): {name} = "
    return next((t[len(head) :] for t in lines if t.startswith(head)), None)


def _scaled(lines: list[str], scale: int) -> list[str]:
    """About `scale` times the bytes, by repeating the line kinds real logs have thousands of."""
    total = sum(len(t) + 2 for t in lines)
    repeatable = [i for i, t in enumerate(lines) if t.startswith(_REPEATABLE)]
    extra_chars = (scale - 1) * total
    pool = sum(len(lines[i]) + 2 for i in repeatable)
    if not pool:
        raise ValueError("nothing in this log to repeat")
    copies = extra_chars / pool  # extra copies per repeatable line, fractional
    wanted = set(repeatable)
    out: list[str] = []
    owed = 0.0
    for i, text in enumerate(lines):
        out.append(text)
        if i in wanted:
            owed += copies
            n = int(owed)
            owed -= n
            out.extend([text] * n)
    return out


_ACTION_TIME = re.compile(r"^(Action (?:start |ended )?)(\d{1,2}):(\d{2}):(\d{2})(: )")
_ENGINE_TIME = re.compile(r"^(MSI \([a-z]\) \([^)]*\) \[)(\d{2}):(\d{2}):(\d{2}):(\d{3})(\]: )")
_BOUNDARY = re.compile(r"^(=== .*?: )(\d{2})-(\d{2})-(\d{4})  (\d{1,2}):(\d{2}):(\d{2})( ===)")


def _rebased(lines: Sequence[str], start: datetime) -> list[str]:
    """Every timestamp moved so the log starts at `start`, dates rolling over midnight."""
    first = next((m for t in lines if (m := _BOUNDARY.match(t))), None)
    origin = (
        datetime(
            int(first[4]), int(first[3]), int(first[2]), int(first[5]), int(first[6]), int(first[7])
        )
        if first
        else None
    )
    out: list[str] = []
    for text, t in zip(lines, on_one_timeline(time_of_day(text) for text in lines), strict=True):
        if t is None:
            out.append(text)
            continue
        if origin is None:
            origin = datetime.combine(start.date(), datetime.min.time()) + timedelta(seconds=t)
        base = datetime.combine(origin.date(), datetime.min.time())
        at = start + (base + timedelta(seconds=t) - origin)
        if m := _ACTION_TIME.match(text):
            text = f"{m[1]}{at.hour}:{at:%M:%S}{m[5]}{text[m.end() :]}"
        elif m := _ENGINE_TIME.match(text):
            text = f"{m[1]}{_stamp(at)}{m[6]}{text[m.end() :]}"
        elif m := _BOUNDARY.match(text):
            text = f"{m[1]}{at:%d-%m-%Y}  {at:%H:%M:%S}{m[8]}{text[m.end() :]}"
        out.append(text)
    return out

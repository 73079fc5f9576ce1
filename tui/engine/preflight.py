"""The pre-flight: everything that would make the MIM installer fail, checked on the target in one
round trip (`scripts/preflight.ps1`), returned as typed checks.

`preflight_params(answers)` is exactly what the script receives as `$Params` (never a secret);
`run_preflight(shell, answers)` runs it and parses its JSON. A script that fails or prints
something unreadable gives a report with one failed check saying so, never a traceback; losing the
connection raises the shell's `ConnectionProblem`, which the caller reports.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from typing import Literal

from tui.engine import outcomes
from tui.engine.errors import EngineError
from tui.model import releases
from tui.model.answers import AnswerFile
from tui.model.components import component_title
from tui.model.ports import SERVICE_PORTS

Status = Literal["pass", "warn", "fail", "skip"]
STATUSES: tuple[Status, ...] = ("pass", "warn", "fail", "skip")

SCRIPT = "preflight"

# What the target is compared with. Evidence levels as in the reference (section 6 and the log).
# The package is recognised by its name (and its UpgradeCode, once one is published: none is),
# its release by its ProductVersion in tui/model/releases.json; never by one ProductCode, which
# changes with each release packaged as a major upgrade. PRODUCT_CODE is the SP1-era media's, as
# published scripts give it: the simulated target's default media carry it.
PRODUCT_CODE = "{0782FB14-023A-430F-B0D5-4AE1D1CCFCAA}"
PRODUCT_NAME = "Microsoft Identity Manager Service and Portal"
UPGRADE_CODES: tuple[str, ...] = ()
LEGACY_PRODUCT_CODES = ("{8EB24D93-91BA-435D-BF88-9339C1C46362}",)  # FIM 2010 R2 S&P
KNOWN_PRODUCTS = (
    ("{5A7CB0A3-7AA2-4F40-8899-02B83694085F}", "the MIM Synchronization Service package"),
    ("{8EB24D93-91BA-435D-BF88-9339C1C46362}", "FIM 2010 R2 Service and Portal"),
)
MIN_SQL_VERSION = "10.0.2531.0"  # MIN_SQLSERVER_VERSION in the installer's log
RECOMMENDED_SQL_VERSION = "13.0"  # SQL Server 2016: what MIM 2016 SP2 supports
MIN_DOTNET_RELEASE = 393295  # .NET Framework 4.6
MIN_FREE_MB = 1024
RECOMMENDED_FREE_MB = 4096

# Every check the script reports, in its order, with the title shown in tables: the catalog's.
CHECKS: dict[str, str] = outcomes.titles("preflight")
PREFLIGHT_ID = "preflight"  # the id of a check about the pre-flight itself (it did not run)


@dataclass(frozen=True)
class PreflightRow:
    """One row of the pre-flight: what the target showed about one prerequisite. ("Checks" are
    the model's cross-field rules; `mimsetup check` is the post-install checklist.)"""

    id: str
    status: Status
    message: str
    remedy: str = ""
    reason: str = ""  # the catalog's reason, as the script reported it
    values: dict = field(default_factory=dict, compare=False)

    @property
    def title(self) -> str:
        return CHECKS.get(self.id, "Pre-flight" if self.id == PREFLIGHT_ID else self.id)


@dataclass
class PreflightReport:
    checks: list[PreflightRow]
    computer: str = ""
    seconds: float = 0.0
    # What the connection cost, over the shell's whole life (logon legs, Create and Delete
    # included), when the shell counts it: HTTP requests, logons, shells opened.
    requests: int | None = None
    logons: int | None = None
    shells: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def status(self) -> Status:
        """fail if any check failed, else warn if any warned, else pass."""
        states = {c.status for c in self.checks}
        if "fail" in states:
            return "fail"
        if "warn" in states:
            return "warn"
        return "pass"

    @property
    def ok(self) -> bool:
        """Nothing would stop the installer (warnings allowed)."""
        return self.status != "fail"

    def by_status(self, status: Status) -> list[PreflightRow]:
        return [c for c in self.checks if c.status == status]

    def get(self, check_id: str) -> PreflightRow | None:
        return next((c for c in self.checks if c.id == check_id), None)

    def to_json(self) -> dict:
        return {
            "status": self.status,
            "computer": self.computer,
            "seconds": round(self.seconds, 3),
            "checks": [asdict(c) | {"title": c.title} for c in self.checks],
            "notes": self.notes,
        }


def preflight_params(a: AnswerFile) -> dict:
    """What preflight.ps1 receives as $Params: names, paths and choices, never a secret."""
    comps = a.components
    svc = comps.service
    params: dict = {
        "components": {
            "service": comps.service,
            "portal": comps.portal,
            "registration_portal": comps.registration_portal,
            "reset_portal": comps.reset_portal,
        },
        "msi_path": a.install.msi_path if a.install else "",
        "install_dir": (a.install.install_dir or "") if a.install else "",
        # The package is known by its name and release, not by one ProductCode (#14.1).
        "releases": releases.releases(),
        "upgrade_codes": list(UPGRADE_CODES),
        "wants": {
            "gmsa": bool(a.service_account and a.service_account.managed and svc),
            "exchange_online": bool(a.mail and a.mail.exchange_online and svc),
        },
        "since": {"gmsa": releases.since("gmsa"),
                  "exchange_online": releases.since("exchange_online")},
        "legacy_product_codes": list(LEGACY_PRODUCT_CODES),
        "known_products": [{"code": c, "name": n} for c, n in KNOWN_PRODUCTS],
        "min_free_mb": MIN_FREE_MB,
        "recommended_free_mb": RECOMMENDED_FREE_MB,
        "min_dotnet_release": MIN_DOTNET_RELEASE,
        "min_sql_version": MIN_SQL_VERSION,
        "recommended_sql_version": RECOMMENDED_SQL_VERSION,
        "service_ports": list(SERVICE_PORTS),
        "database": None,
        "mail": None,
        "service_account": None,
        "synchronization": None,
        "portal": None,
        "sspr": [],
        "firewall": False,
    }
    if svc and a.database:
        params["database"] = {
            "server": a.database.server,
            "name": a.database.name,
            "existing": a.database.existing,
        }
    if svc and a.mail:
        params["mail"] = {"server": a.mail.server}
    if svc and a.service_account:
        sa = a.service_account
        params["service_account"] = {
            "name": sa.name,
            "domain": sa.domain,
            "email": sa.email,
            "managed": sa.managed,
        }
    if svc and a.synchronization:
        params["synchronization"] = {
            # not given: this computer, the package's default
            "server": a.synchronization.server or "localhost",
            "ma_account": a.synchronization.ma_account,
        }
    firewall = False
    if (svc or comps.portal) and a.portal:
        params["portal"] = {
            "service_address": a.portal.service_address or "",
            "sharepoint_url": a.portal.sharepoint_url or "",
        }
        firewall = svc and a.portal.open_firewall
    for key in ("registration_portal", "reset_portal"):
        title = component_title(key)
        section = getattr(a, key)
        if getattr(comps, key) and section is not None:
            params["sspr"].append(
                {
                    "portal": key,
                    "title": title,
                    "account": section.account,
                    "host_name": section.host_name,
                    "port": section.port,
                    "service_address": section.service_address,
                }
            )
            firewall = firewall or section.open_firewall
    params["firewall"] = firewall
    return params


def parse_output(stdout: str, stderr: str = "", exit_code: int = 0) -> PreflightReport:
    """The report in the script's output; a failed check about the pre-flight when unreadable."""
    refused = outcomes.refusal(stdout)
    if refused is not None:
        return PreflightReport([_broken(refused.message, refused.remedy)])
    doc = _find_document(stdout)
    if doc is None:
        why = _first_line(stderr) or _first_line(stdout) or "it printed nothing"
        message = f"The pre-flight script did not report its checks (exit code {exit_code}): {why}"
        remedy = (
            "Run it again; if it keeps failing, check that PowerShell 5.1 works on the target "
            "(powershell -NoProfile -Command $PSVersionTable) and report it with this message."
        )
        return PreflightReport([_broken(message, remedy)])
    checks: list[PreflightRow] = []
    notes: list[str] = []
    for i, raw in enumerate(doc.get("checks") or []):
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            notes.append(f"entry {i} of the pre-flight's output is not a check and was ignored")
            continue
        if "reason" in raw:
            checks.append(_worded(raw, notes))
            continue
        status = str(raw.get("status", "")).lower()
        message = str(raw.get("message") or "")
        if status not in STATUSES:
            notes.append(f"check {raw['id']} had the unknown status {raw.get('status')!r}")
            message = f"{message} (reported with the unknown status {raw.get('status')!r})"
            status = "warn"
        checks.append(PreflightRow(raw["id"], status, message, str(raw.get("remedy") or "")))  # type: ignore[arg-type]
    # In the catalog's order: the checks of other computers come back from another logon last.
    order = {cid: i for i, cid in enumerate(CHECKS)}
    checks.sort(key=lambda c: order.get(c.id, len(order)))
    seen = {c.id for c in checks}
    missing = [cid for cid in CHECKS if cid not in seen]
    if missing:
        checks.append(
            PreflightRow(
                PREFLIGHT_ID,
                "warn",
                f"The pre-flight did not report {len(missing)} check(s): {', '.join(missing)}.",
                "Check those by hand, and report it: the script may have stopped early.",
            )
        )
    if exit_code != 0:
        notes.append(f"the pre-flight script exited with {exit_code}: {_first_line(stderr)}")
    return PreflightReport(checks, computer=str(doc.get("computer") or ""), notes=notes)


def _worded(raw: dict, notes: list[str]) -> PreflightRow:
    """A check the script reported as (id, reason, values), worded from the catalog."""
    cid, reason = raw["id"], str(raw.get("reason"))
    values = raw.get("values") if isinstance(raw.get("values"), dict) else {}
    worded = outcomes.word("preflight", cid, reason, values)
    if worded is None or worded.status not in STATUSES:
        notes.append(f"check {cid} reported the reason {reason!r}, which the catalog lacks")
        message = f"The pre-flight reported {reason!r} for {cid}, which this mimsetup cannot word."
        return PreflightRow(cid, "warn", message, "Check it by hand, and report it.", reason,
                            values)
    return PreflightRow(cid, worded.status, worded.message,  # type: ignore[arg-type]
                        worded.remedy, reason, values)


def run_preflight(shell, answers: AnswerFile, *, timeout: float = 300.0) -> PreflightReport:
    """Run the pre-flight through `shell` (a RemoteShell): one command, one JSON answer.

    Raises the shell's ConnectionProblem when the target cannot be reached; everything else
    (a script error, unreadable output, a timeout) comes back as a failed check.
    """
    from tui.engine.errors import CommandTimeout, ConnectionProblem

    params = {**preflight_params(answers), **probe_account(shell)}
    started = time.monotonic()
    try:
        # The pre-flight only reads: a run whose output was lost on the way is run again.
        result = shell.run_script(SCRIPT, params, deadline=started + timeout, if_lost="rerun")
    except ConnectionProblem:
        raise
    except CommandTimeout as exc:
        return _report_error(exc, started)
    except EngineError as exc:
        return _report_error(exc, started)
    report = parse_output(result.stdout, result.stderr, result.exit_code)
    report.seconds = time.monotonic() - started
    return report


def count_connection(report: PreflightReport, shell) -> None:
    """Put what `shell` (a closed RemoteShell) cost into `report` (#13.7: as they are)."""
    report.requests = getattr(shell, "requests", None)
    report.logons = getattr(shell, "logons", None)
    report.shells = getattr(shell, "shells_opened", None)


def probe_account(shell) -> dict:
    """The install account and its password, so that the checks of SQL Server, the directory and
    SharePoint run in a logon with the password (as the install does) instead of the WinRM logon,
    which cannot reach other computers (the double hop). Sent on stdin like the install's
    secrets, never in the script's text or on a command line; nothing without a password."""
    ep = getattr(shell, "endpoint", None)
    user, password = getattr(ep, "user", ""), getattr(ep, "password", "")
    if not user or not password:
        return {}
    return {"run_as_user": user, "run_as_password": password}


def _report_error(exc: EngineError, started: float) -> PreflightReport:
    report = PreflightReport([_broken(exc.message, exc.remedy)])
    report.seconds = time.monotonic() - started
    return report


def _broken(message: str, remedy: str) -> PreflightRow:
    return PreflightRow(PREFLIGHT_ID, "fail", message, remedy)


def _find_document(stdout: str) -> dict | None:
    """The JSON document: the whole output, or else the last line that is one."""
    text = (stdout or "").strip().lstrip("\ufeff")
    candidates = [text] + [line.strip() for line in reversed(text.splitlines())]
    for candidate in candidates:
        if not candidate.startswith("{"):
            continue
        try:
            doc = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(doc, dict) and isinstance(doc.get("checks"), list):
            return doc
    return None


def _first_line(text: str) -> str:
    if "#< CLIXML" in (text or ""):  # powershell's error stream as CLIXML: its words, not XML
        from tui.engine.clixml import plain_text

        return plain_text(text, 300)
    for line in (text or "").splitlines():
        line = line.strip()
        if line and not line.startswith("#< CLIXML"):
            return line[:300]
    return ""


def split_sql_server(server: str) -> tuple[str, str | None, int | None]:
    """(host, instance, port) of `host`, `host\\instance` or `host,port`, as the script does."""
    rest, _, port = server.partition(",")
    host, _, instance = rest.partition("\\")
    if host in (".", "(local)"):
        host = "localhost"
    return host, instance or None, int(port) if port.isdigit() else None

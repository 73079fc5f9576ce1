"""What the wizard's install flow carries from screen to screen: the engine's install job
(tui/engine/job.py: the answers, where to connect, the passwords of this run in memory only, and
what each step found, for the report), plus what only the wizard needs (the demo's simulated
server, where the report is proposed, the follower's end). No Textual here.

The wizard builds a session when Install is pressed (`secret_needs`, `resolve_known`, then
`connect`), and the screens (screens/preflight.py, install.py, result.py, checklist.py) share it.
"""

from __future__ import annotations

import secrets as random
import threading
from dataclasses import dataclass, field
from pathlib import Path

from tui.engine.endpoint import Endpoint
from tui.engine.job import (
    TARGET,
    InstallJob,
    RemoteShellType,
    by_prop,
    connection_endpoint,
    resolve_known,
    secret_needs,
)
from tui.model.answers import AnswerFile


@dataclass(frozen=True)
class DemoTarget:
    """The simulated server `mimsetup demo` points the wizard at: no password is asked."""

    endpoint: Endpoint
    label: str
    secrets: dict[str, str] = field(repr=False)  # MSI property -> throwaway value
    time_scale: float = 1.0
    scenario: str = "healthy"
    report: str | None = None  # `mimsetup demo --report FILE`: where the report is proposed


def demo_secrets_for(answers: AnswerFile, demo: DemoTarget, base_dir: Path) -> dict[str, str]:
    """The demo's passwords, plus a throwaway one for any the answers need that it lacks (a
    password portal added in the wizard); references to the environment or a file are read."""
    needs = secret_needs(answers)
    known = by_prop(resolve_known(needs, base_dir)[0])
    return {n.prop: demo.secrets.get(n.prop) or known.get(n.prop) or (
        "demo-" + random.token_urlsafe(12)) for n in needs if n.prop != TARGET}


@dataclass
class InstallSession(InstallJob):
    demo: DemoTarget | None = None
    engine_done: threading.Event | None = field(default=None, repr=False)  # the follower ended

    @classmethod
    def connect(cls, answers: AnswerFile, values: dict[str, str], base_dir: Path,
                answers_file: str | None, remote_shell: RemoteShellType) -> InstallSession:
        """A session for the answer file's [target] with the passwords in `values` (by prop).
        Raises ConnectionProblem for settings that cannot work."""
        endpoint = connection_endpoint(answers, base_dir, values[TARGET])
        return cls(answers, endpoint, remote_shell, endpoint.url, answers_file,
                   {k: v for k, v in values.items() if k != TARGET})

    @classmethod
    def for_demo(cls, answers: AnswerFile, demo: DemoTarget, base_dir: Path,
                 answers_file: str | None, remote_shell: RemoteShellType) -> InstallSession:
        return cls(answers, demo.endpoint, remote_shell, demo.label, answers_file,
                   demo_secrets_for(answers, demo, base_dir), demo.time_scale, demo=demo)

    @property
    def where(self) -> str:
        """The target in a few words, for titles."""
        if self.demo is not None:
            return f"the simulated server ({self.demo.scenario})"
        return self.endpoint.host

    def default_report_path(self) -> Path:
        """Where the report is proposed: `mimsetup demo --report FILE`'s FILE, or a name with
        the target and the time in the current folder."""
        if self.demo is not None and self.demo.report:
            return Path(self.demo.report).expanduser().resolve()
        return Path.cwd() / self.default_report_name()

    def default_report_name(self) -> str:
        import time

        host = "".join(ch if ch.isalnum() or ch in "-." else "-" for ch in self.endpoint.host)
        if self.demo is not None:
            host = "demo"
        return f"mimsetup-report-{host}-{time.strftime('%Y%m%d-%H%M')}.md"

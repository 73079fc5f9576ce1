"""The local record of an install in progress, so `mimsetup attach` can follow it again after a
detach, a closed laptop or a crash. Mode 0600; it never holds a secret."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tui.folders import state_dir
from tui.model.atomic import atomic_write


@dataclass
class InstallState:
    install_id: str
    target: dict  # host, port, https, transport, user, cert_validation, ca_bundle: no password
    task_name: str
    work_dir: str
    status_path: str
    log_path: str
    started_at: float
    phases: list[str] = field(default_factory=list)
    answers_file: str | None = None
    offset: int = 0
    in_script: bool = False  # the tail was inside the deferred script at `offset`
    finished: bool = False
    exit_code: int | None = None

    @property
    def path(self) -> Path:
        return state_dir() / "installs" / f"{self.install_id}.json"

    def save(self) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return atomic_write(self.path, json.dumps(asdict(self), indent=2), 0o600)

    @classmethod
    def load(cls, path: Path | str) -> InstallState:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def unfinished() -> list[InstallState]:
    """Installs started from this machine and not followed to their end, newest first."""
    folder = state_dir() / "installs"
    found = []
    for path in folder.glob("*.json") if folder.is_dir() else ():
        try:
            state = InstallState.load(path)
        except (OSError, ValueError, TypeError):
            continue
        if not state.finished:
            found.append(state)
    return sorted(found, key=lambda s: s.started_at, reverse=True)

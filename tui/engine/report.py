"""The report of a run: the answers (secrets as references, never values), the pre-flight, the
install result and the checklist, as JSON and Markdown, saved locally with mode 0600."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tui.engine.checklist import Item
from tui.engine.events import Finished
from tui.engine.preflight import PreflightReport
from tui.model.answers import AnswerFile
from tui.model.outputs import report_paths, write_outputs
from tui.model.tomlio import to_data

_ICON = {"pass": "pass", "warn": "warning", "fail": "FAIL", "skip": "skipped",
         "unknown": "unknown", "manual": "manual"}


@dataclass
class Report:
    answers: AnswerFile
    answers_file: str | None = None
    target: str = ""
    preflight: list[dict] = field(default_factory=list)  # Check.to_json()-like dicts
    install: Finished | None = None
    checklist: list[Item] = field(default_factory=list)
    created: str = field(default_factory=lambda: time.strftime("%Y-%m-%d %H:%M:%S %z"))

    def to_json(self) -> dict:
        return {
            "created": self.created,
            "answers_file": self.answers_file,
            "target": self.target,
            "answers": to_data(self.answers, include_secrets=False),
            "preflight": self.preflight,
            "install": self.install.to_json() if self.install else None,
            "checklist": [i.to_json() for i in self.checklist],
        }

    def to_markdown(self) -> str:
        out = [f"# mimsetup report: MIM 2016 Service and Portal on {self.target or '?'}", "",
               f"Created {self.created}" + (f" from `{self.answers_file}`" if self.answers_file
                                             else "") + ".", ""]
        if self.preflight:
            out += ["## Pre-flight", "", "| check | status | message | remedy |",
                    "|---|---|---|---|"]
            out += [f"| {c['id']} | {_ICON.get(c['status'], c['status'])} | {_cell(c['message'])} "
                    f"| {_cell(c.get('remedy', ''))} |" for c in self.preflight]
            out.append("")
        if self.install:
            f = self.install
            out += ["## Install", "", f"- result: **{f.outcome}** ({f.message})",
                    f"- exit code: {f.exit_code if f.exit_code is not None else 'none'}"]
            if f.duration_seconds is not None:
                out.append(f"- duration: {f.duration_seconds:.0f} s")
            if f.log_path:
                out.append(f"- log on the target: `{f.log_path}`")
            if f.rolled_back:
                out.append("- Windows Installer rolled back the changes it had made")
            if f.failing_action:
                out.append(f"- failing action: `{f.failing_action}`")
            if f.cause:
                out += [f"- cause: **{_cell(f.cause.title)}**. {_cell(f.cause.cause)}",
                        f"- seen in the log: `{_cell(f.cause.evidence)}`",
                        f"- source: {_cell('; '.join(f.cause.sources))}"]
            if f.error_lines:
                out += ["", "```", *f.error_lines, "```"]
            if f.next_steps:
                out.append(f"- next: {f.next_steps}")
            out.append("")
        if self.checklist:
            out += ["## Checklist", "", "| item | status | evidence | remedy |",
                    "|---|---|---|---|"]
            out += [f"| {_cell(i.title)}{' (fixed)' if i.fixed else ''} | "
                    f"{_ICON.get(i.status, i.status)} | {_cell(i.evidence or i.message)} | "
                    f"{_cell(i.remedy)} |" for i in self.checklist]
            out.append("")
        out += ["## Answers", "", "Passwords are shown as where they come from, never as values.",
                "", "```json", json.dumps(self.to_json()["answers"], indent=2), "```", ""]
        return "\n".join(out)

    def save(self, path: Path | str, *, force: bool = True,
             protect: Iterable[Path | str | None] = ()) -> list[Path]:
        """Markdown to `path` (.md) or JSON (.json); the other format beside it. Never over a
        file in `protect` (the answer file); over an existing one only with `force`."""
        md, js = report_paths(path)
        return write_outputs([
            (md, self.to_markdown(), 0o600),
            (js, json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n", 0o600),
        ], force=force, protect=protect)



def preflight_rows(report: PreflightReport | None) -> list[dict]:
    """The pre-flight's rows as the report keeps them (each with its title)."""
    return [c.__dict__ | {"title": c.title} for c in report.checks] if report else []


def _cell(text: object) -> str:
    return str(text or "").replace("|", "\\|").replace("\n", " ")

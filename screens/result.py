"""The install's result in plain words: success, success with a restart needed, or failure with
the failing action, its log lines, the log's path on the target and what to do next; also
cancelled, already installed, and detached (with how to follow it again)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from screens.flow import FlowHeader, FlowScreen, duration
from tui.engine.events import Finished

HEADLINES = {
    "success": ("✓", "-ok"),
    "reboot": ("✓", "-warning"),
    "already-installed": ("=", "-ok"),
    "failed": ("✗", "-error"),
    "cancelled": ("↺", "-warning"),
    "detached": ("⇢", "-warning"),
}


def next_steps(f: Finished, install_id: str | None = None) -> str:
    """What to do next, in the wizard's words (the engine's speak of the command line)."""
    if f.outcome == "detached" and install_id:
        return ("Follow it again: a here, or from any terminal on this machine with\n"
                f"  mimsetup attach {install_id}")
    return {
        "success": "Next: work through the post-install checklist (c), then save the report (s).",
        "reboot": "Next: restart the server when convenient, then work through the checklist "
                  "(c) and save the report (s).",
        "already-installed": "Next: the checklist (c) checks the existing install.",
        "detached": f.next_steps,
    }.get(f.outcome, f"Next: {f.next_steps}" if f.next_steps else "")


class ResultScreen(FlowScreen):
    STEP = "Result"
    BINDINGS = [
        Binding("c", "checklist", "Checklist"),
        Binding("a", "attach", "Attach again"),
        Binding("s", "save_report", "Save report"),
        Binding("escape", "back", "Back"),
    ]
    DEFAULT_CSS = """
    ResultScreen .result-headline { text-style: bold; padding: 0 1; margin-bottom: 1; }
    ResultScreen .result-headline.-ok { color: $text-success; }
    ResultScreen .result-headline.-warning { color: $text-warning; }
    ResultScreen .result-headline.-error { color: $text-error; }
    ResultScreen .result-facts { padding: 0 1; margin-bottom: 1; }
    ResultScreen .result-next { padding: 0 1; margin-bottom: 1; text-style: bold; }
    ResultScreen #result-body { height: 1fr; scrollbar-size-vertical: 1; }
    ResultScreen #result-lines {
        height: auto; border: round $error 60%; padding: 0 1;
    }
    """

    def compose(self) -> ComposeResult:
        f = self.session.finished
        assert f is not None
        glyph, cls = HEADLINES.get(f.outcome, ("•", ""))
        yield FlowHeader(icon="≡")
        # One scrolling body: at 80x24 a failure's cause, next step and log lines can take more
        # than the screen, and none of them may be cut off or squeezed to nothing.
        with VerticalScroll(id="result-body", can_focus=True):
            yield Static(Text(f"{glyph} {f.message}"), classes=f"result-headline {cls}")
            yield Static(self._facts(f), classes="result-facts")
            state = self.session.state
            yield Static(Text(next_steps(f, state.install_id if state else None)),
                         classes="result-next")
            if f.error_lines:
                lines = Static(Text("\n".join(f.error_lines)), markup=False, id="result-lines")
                lines.border_title = f"The failing action's log lines ({len(f.error_lines)})"
                yield lines
        yield Footer()


    @staticmethod
    def _facts(f: Finished) -> Text:
        out = Text()
        rows: list[tuple[str, str]] = []
        if f.exit_code is not None:
            rows.append(("Exit code", str(f.exit_code)))
        if f.duration_seconds is not None:
            rows.append(("Duration", duration(f.duration_seconds)))
        if f.log_path:
            rows.append(("Log on the target", f.log_path))
        if f.failing_action:
            rows.append(("Failing action", f.failing_action))
        if f.rolled_back:
            rows.append(("Rolled back", "yes: Windows Installer undid the changes it had made"))
        if f.cause:
            rows += [("Cause", f"{f.cause.title}. {f.cause.cause}"),
                     ("Seen in the log", f.cause.evidence),
                     ("Source", "; ".join(f.cause.sources))]
        for i, (label, value) in enumerate(rows):
            out.append(f"{label}: ", style="bold")
            out.append(value + ("\n" if i < len(rows) - 1 else ""))
        return out

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        f = self.session.finished
        outcome = f.outcome if f else ""
        if action == "checklist":
            return outcome in ("success", "reboot", "already-installed")
        if action == "attach":
            return outcome == "detached" and self.session.state is not None
        return True

    def action_checklist(self) -> None:
        self.move_on("checklist")

    def action_attach(self) -> None:
        from tui.engine.state import InstallState

        state = self.session.state
        if state is None:
            return
        try:
            fresh = InstallState.load(state.path)  # as the follower left it
        except (OSError, ValueError, TypeError):
            fresh = state
        self.session.finished = None
        self.move_on("progress", attach_state=fresh)

"""The pre-flight, after Install on the Review page: every check on the target in one command,
shown as a table (failures and warnings first), with the highlighted check's message and remedy
below it. Failures stop the way on; warnings need an explicit yes."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from screens.flow import FlowHeader, TableFlowScreen, detail_box, mark
from screens.prompts import Choice
from tui.engine.errors import EngineError
from tui.engine.job import preflight_gate
from tui.engine.preflight import PreflightReport, PreflightRow

ORDER = {"fail": 0, "warn": 1, "pass": 2, "skip": 3}


def verdict(report: PreflightReport) -> tuple[str, str]:
    """(class, sentence) of the pre-flight as a whole."""
    counts = {s: len(report.by_status(s)) for s in ("fail", "warn", "pass", "skip")}
    words = {"fail": ("failure", "failures"), "warn": ("warning", "warnings"),
             "pass": ("passed", "passed"), "skip": ("skipped", "skipped")}
    summary = ", ".join(f"{n} {words[s][n != 1]}" for s, n in counts.items() if n)
    gate = preflight_gate(report)
    if gate.already_installed:
        return "-error", (f"✗ {summary}. MIM Service and Portal is already installed: there is "
                          "nothing to install. c: the post-install checklist.")
    if gate.decision == "stop":
        return "-error", (f"✗ {summary}: the installer would fail. Fix what is marked ✗ (its "
                          "remedy is under the table), then r runs the pre-flight again.")
    if gate.decision == "confirm":
        return "-warning", (f"! {summary}: the installer should succeed; read the warnings. "
                            "i installs (after a yes to the warnings).")
    return "-ok", f"✓ {summary}: nothing stands in the installer's way. i installs."


class PreflightScreen(TableFlowScreen):
    STEP = "Pre-flight"
    STATUS_ID = "pf-status"
    COLUMNS = (("Status", "status", 8), ("Check", "check", 28), ("Message", "message", 20))
    BINDINGS = [
        Binding("i", "install", "Install"),
        Binding("c", "checklist", "Checklist"),
        Binding("r", "rerun", "Run again"),
        Binding("escape", "back", "Back"),
    ]
    def __init__(self, session, *, run: bool = True) -> None:
        super().__init__(session, run=run)
        self.report: PreflightReport | None = None
        self._rows: list[PreflightRow] = []

    def compose(self) -> ComposeResult:
        yield FlowHeader(icon="≡")
        yield Static(f"Pre-flight on {self.session.where}", classes="flow-title")
        yield Static("", id="pf-status", classes="flow-status")
        table: DataTable = DataTable(id="pf-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield detail_box("pf-detail")
        yield Footer()


    # --- running --------------------------------------------------------------------------------

    def start(self) -> None:
        self.run_checks()

    def run_checks(self) -> None:
        self.report = None
        self.query_one("#pf-detail", Static).update("")
        self._busy(f"Running the pre-flight on {self.session.where} (every check in one round "
                   "trip) …")
        self._run()

    @work(thread=True, exclusive=True, group="preflight")
    def _run(self) -> None:
        from tui.engine.preflight import run_preflight

        try:
            with self.session.shell() as shell:
                report = run_preflight(shell, self.session.answers)
        except EngineError as exc:
            self.from_thread(self.show_problem, exc.message, exc.remedy)
            return
        self.from_thread(self.show, report)

    def show_problem(self, message: str, remedy: str) -> None:
        """The pre-flight could not run (the connection, the logon): a sentence and a remedy."""
        self.running = False
        table = self.query_one(DataTable)
        table.loading = False
        table.clear()
        table.display = False
        self._status("-error", f"✗ {message}" + (f"\nWhat to do: {remedy}" if remedy else "")
                     + "\nr tries again; Escape goes back to the answers (Install asks for the "
                     "passwords again).")
        self.refresh_bindings()

    def show(self, report: PreflightReport) -> None:
        self.running = False
        self.report = report
        self.session.preflight = report
        table = self.query_one(DataTable)
        table.loading = False
        table.display = True
        self._rows = sorted(report.checks, key=lambda c: ORDER.get(c.status, 9))
        self._fill()
        cls, text = verdict(report)
        self._status(cls, text)
        table.move_cursor(row=0)
        self._detail(0)
        table.focus()
        self.refresh_bindings()


    def _fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for c in self._rows:
            table.add_row(mark(c.status), Text(c.title, no_wrap=True, overflow="ellipsis"),
                          Text(c.message, no_wrap=True, overflow="ellipsis"), key=c.id)

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail(event.cursor_row)

    def _detail(self, row: int) -> None:
        detail = self.query_one("#pf-detail", Static)
        if not 0 <= row < len(self._rows):
            detail.update("")
            return
        c = self._rows[row]
        text = Text.assemble(mark(c.status), " ", (c.title, "bold"), "\n", c.message)
        if c.remedy and c.status in ("fail", "warn"):
            text.append("\nWhat to do: ", style="bold")
            text.append(c.remedy)
        detail.update(text)

    # --- the way on -----------------------------------------------------------------------------

    def _already_installed(self) -> bool:
        return self.report is not None and preflight_gate(self.report).already_installed

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "install":
            if self.report is not None and preflight_gate(self.report).decision == "stop":
                return None  # shown dimmed: the failures stop the way (the status line says so)
            return not self._already_installed()
        if action == "checklist":
            return self._already_installed()
        if action == "rerun":
            return None if self.running else True
        return True

    def action_rerun(self) -> None:
        if not self.running:
            self.run_checks()

    def action_checklist(self) -> None:
        if self._already_installed():
            self.move_on("checklist")

    def action_install(self) -> None:
        self._install()

    @work(exclusive=True, group="preflight-install")
    async def _install(self) -> None:
        report = self.report
        if report is None:
            self.notify("The pre-flight has not finished yet." if self.running else
                        "The pre-flight could not run: r tries again.", severity="warning")
            return
        gate = preflight_gate(report)
        if gate.decision == "stop":
            n = len(gate.failures)
            self.notify(f"The pre-flight found {n} failure{'s' if n != 1 else ''}: the installer "
                        f"would fail. Fix {'them' if n != 1 else 'it'}, then r runs the "
                        "pre-flight again.", severity="error")
            return
        warnings = gate.warnings
        if gate.decision == "confirm":
            n = len(warnings)
            listed = "\n".join(f"! {c.title}: {c.message}" for c in warnings[:6])
            more = f"\n… and {n - 6} more (see the table)" if n > 6 else ""
            choice = await self.app.push_screen_wait(Choice(
                "Warnings",
                f"The pre-flight found {n} warning{'s' if n != 1 else ''}:\n{listed}{more}\n\n"
                "The installer should succeed despite them. Install anyway?",
                [("install", "Install anyway", "y"), ("cancel", "Not now", "n")],
            ))
            if choice != "install":
                return
        self.move_on("progress")

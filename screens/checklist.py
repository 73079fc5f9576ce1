"""The walkthrough's last section: the post-install checklist, each item checked on the target
with pass, fail or unknown and its evidence. Fix (f) asks, fixes what can be fixed remotely and
checks everything again; manual items are ticked by hand (space); r checks everything again."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from screens.flow import FlowHeader, TableFlowScreen, detail_box, mark
from screens.prompts import Choice
from tui.engine.checklist import Item, what_fix_does
from tui.engine.errors import EngineError


def summary(items: list[Item], ticked: set[str]) -> tuple[str, str]:
    """(class, sentence) for the checklist as a whole."""
    fails = [i for i in items if i.status == "fail"]
    unknown = [i for i in items if i.status == "unknown"]
    todo = [i for i in items if i.status == "manual" and i.id not in ticked]
    fixable = [i for i in items if i.fixable and i.status != "pass"]
    passed = sum(i.status == "pass" for i in items)
    if not fails and not unknown and not todo:
        return "-ok", (f"✓ The checklist is complete: {passed} item{'s' if passed != 1 else ''} "
                       "pass and the manual ones are ticked. s saves the report.")
    parts = []
    if fails:
        parts.append(f"{len(fails)} failed")
    if unknown:
        parts.append(f"{len(unknown)} unknown")
    if todo:
        parts.append(f"{len(todo)} to tick by hand (space)")
    hint = f"; f fixes the {len(fixable)} marked fixable" if fixable else ""
    cls = "-error" if fails else "-warning"
    return cls, f"{'✗' if fails else '!'} {passed} passed, {', '.join(parts)}{hint}."


class ChecklistScreen(TableFlowScreen):
    STEP = "Checklist"
    STATUS_ID = "cl-status"
    COLUMNS = (("Status", "status", 10), ("Item", "item", 34), ("Evidence", "evidence", 16))
    BINDINGS = [
        Binding("f", "fix", "Fix"),
        Binding("space", "tick", "Tick"),
        Binding("r", "recheck", "Re-check"),
        Binding("s", "save_report", "Save report"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, session, *, run: bool = True) -> None:
        super().__init__(session, run=run)
        self.items: list[Item] = list(session.checklist)

    def compose(self) -> ComposeResult:
        yield FlowHeader(icon="≡")
        yield Static(f"Post-install checklist on {self.session.where}", classes="flow-title")
        yield Static("", id="cl-status", classes="flow-status")
        yield DataTable(id="cl-table", cursor_type="row", zebra_stripes=True)
        yield detail_box("cl-detail")
        yield Footer()


    # --- checking -------------------------------------------------------------------------------

    def start(self) -> None:
        self.check()

    def check(self, fix: tuple[str, ...] = ()) -> None:
        what = "Fixing and checking again" if fix else "Checking every item"
        self._busy(f"{what} on {self.session.where} …")
        self._run(fix)

    @work(thread=True, exclusive=True, group="checklist")
    def _run(self, fix: tuple[str, ...]) -> None:
        from tui.engine.checklist import run_checklist

        try:
            with self.session.shell() as shell:
                items = run_checklist(shell, self.session.answers, fix)
        except EngineError as exc:
            self.from_thread(self.show_problem, exc.message, exc.remedy)
            return
        self.from_thread(self.show, items, fix)

    def show_problem(self, message: str, remedy: str) -> None:
        self.running = False
        table = self.query_one(DataTable)
        table.loading = False
        table.display = bool(self.items)  # what was found before stays, if anything
        self._status("-error", f"✗ {message}" + (f"\nWhat to do: {remedy}" if remedy else "")
                     + "\nr tries again.")
        self.refresh_bindings()

    def show(self, items: list[Item], fixed: tuple[str, ...] = ()) -> None:
        self.running = False
        # an item mimsetup fixed in an earlier round stays "fixed" while it passes (a second
        # fix re-checks everything, and that round fixed only the other item)
        earlier = {i.id for i in self.session.checklist if i.fixed}
        items = [replace(i, fixed=True) if i.id in earlier and i.status == "pass" else i
                 for i in items]
        self.items = list(items)
        self.session.checklist = list(items)
        table = self.query_one(DataTable)
        # the first time, the first item that needs something; after a fix, where it was
        row = table.cursor_row if table.row_count else next(
            (n for n, i in enumerate(self.items) if i.status in ("fail", "unknown")), 0)
        table.loading = False
        self._fill()
        table.move_cursor(row=min(row, len(self.items) - 1) if self.items else 0)
        self._detail(table.cursor_row)
        table.focus()
        self._status(*summary(self.items, self.session.ticked))
        for item_id in fixed:
            item = next((i for i in self.items if i.id == item_id), None)
            if item is None:
                continue
            if item.status == "pass":
                self.notify(f"Fixed: {item.title}.")
            else:
                self.notify(f"Still {item.status}: {item.title}. {item.remedy}", severity="warning",
                            timeout=8)
        self.refresh_bindings()

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for i in self.items:
            table.add_row(*self._cells(i), key=i.id)

    def _cells(self, i: Item) -> tuple[Text, Text, Text]:
        status = "ticked" if i.status == "manual" and i.id in self.session.ticked else i.status
        if i.fixed and i.status == "pass":
            status = "fixed"
        title = i.title
        evidence = i.evidence or i.message
        if i.status == "manual":
            evidence = "ticked: done by hand" if status == "ticked" else "space ticks it when done"
        return (mark(status), Text(title, no_wrap=True, overflow="ellipsis"),
                Text(evidence, no_wrap=True, overflow="ellipsis", style="dim"))


    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail(event.cursor_row)
        self.refresh_bindings()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        item = self.current()
        if item is not None and item.status == "manual":
            self.action_tick()
        elif item is not None and item.fixable:
            self.action_fix()

    def _detail(self, row: int) -> None:
        detail = self.query_one("#cl-detail", Static)
        if not 0 <= row < len(self.items):
            detail.update("")
            return
        i = self.items[row]
        ticked = i.status == "manual" and i.id in self.session.ticked
        status = "ticked" if ticked else "fixed" if i.fixed and i.status == "pass" else i.status
        text = Text.assemble(mark(status), " ", (i.title, "bold"))
        if i.fixed:
            text.append(" (fixed by mimsetup)")
        if i.message and i.status != "manual":
            text.append("\n" + i.message)
        if i.evidence:
            text.append("\nEvidence: ", style="bold")
            text.append(i.evidence)
        if i.status == "manual":
            text.append("\nA manual item: install what your deployment needs, then tick it "
                        "(space).")
        elif i.status != "pass" and i.remedy:
            text.append("\nWhat to do: ", style="bold")
            text.append(i.remedy)
        if i.fixable and i.status != "pass":
            text.append("\nf fixes it from here.", style="bold")
        detail.update(text)

    def current(self) -> Item | None:
        tables = self.query(DataTable)
        if not tables:  # the footer asks (check_action) before the table is composed
            return None
        row = tables.first().cursor_row
        return self.items[row] if 0 <= row < len(self.items) else None

    # --- keys -----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("fix", "recheck", "tick") and self.running:
            return None
        if action == "fix":
            item = self.current()
            return True if item is not None and item.fixable and item.status != "pass" else None
        if action == "tick":
            item = self.current()
            return True if item is not None and item.status == "manual" else None
        return True

    def action_recheck(self) -> None:
        if not self.running:
            self.check()

    def action_tick(self) -> None:
        item = self.current()
        if item is None or item.status != "manual":
            return
        self.session.ticked ^= {item.id}
        table = self.query_one(DataTable)
        row = table.cursor_row
        self._fill()
        table.move_cursor(row=row)
        self._detail(row)
        self._status(*summary(self.items, self.session.ticked))

    def action_fix(self) -> None:
        self._fix()

    @work(exclusive=True, group="checklist-fix")
    async def _fix(self) -> None:
        item = self.current()
        if item is None or not item.fixable or item.status == "pass" or self.running:
            return
        does = what_fix_does(item.id)
        choice = await self.app.push_screen_wait(Choice(
            "Fix on the target?",
            f"Fix \u201c{item.title}\u201d on {self.session.where}?\n\nmimsetup {does} Then it "
            "checks every item again.",
            [("fix", "Fix", "y"), ("cancel", "Not now", "n")],
        ))
        if choice == "fix" and not self.running:
            self.check((item.id,))

"""The Review page: every value (passwords only say how they are kept), every remaining problem
(Enter jumps to its field), the msiexec plan as `mimsetup plan` prints it, and the actions.

Adding an action (the Install action will be one): append a `ReviewAction` to
`ReviewPage.ACTIONS` and give the app the action method it names, e.g.

    ReviewPage.ACTIONS.append(ReviewAction("Install", "app.install", "install", needs_valid=True))

and `async def action_install(self) -> None` on the App (or a subclass). Actions with
`needs_valid` are disabled while the answers have errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from tui.widgets.page import WizardPage
from tui.widgets.wraptext import WrappedText

if TYPE_CHECKING:  # the model loads after the first frame
    from tui.model.problems import Problem


class ReviewAction(NamedTuple):  # a named tuple: a dataclass costs ~1 ms of every start
    label: str
    action: str  # an action string run when the button is pressed, e.g. "app.save"
    id: str
    needs_valid: bool = False  # disabled while the answers have errors


class ProblemList(OptionList):
    """The remaining problems; Enter on one jumps to its field."""


class ReviewPage(WizardPage):
    PAGE_ID = "review"
    TITLE = "Review"

    # In the order Tab reaches them, after the problem list: Install first, what the page is
    # for once nothing is wrong (while it is dimmed, Tab goes on to Save); then the values and
    # the plan, which take focus to be brought into view (README key table).
    ACTIONS: ClassVar[list[ReviewAction]] = [
        ReviewAction("Install", "app.install", "install", needs_valid=True),
        ReviewAction("Save", "app.save", "save"),
        ReviewAction("Save as", "app.save_as", "save-as"),
    ]

    class JumpToProblem(Message):
        def __init__(self, problem: Problem) -> None:
            super().__init__()
            self.problem = problem

    def __init__(self) -> None:
        super().__init__()
        self._problems: list[Problem] = []

    def compose(self) -> ComposeResult:
        yield Static(self.TITLE, classes="page-title")
        yield Static("", classes="review-summary")
        yield ProblemList(id="review-problems")
        with Horizontal(classes="review-actions"):
            for a in self.ACTIONS:
                yield Button(a.label, id=f"action-{a.id}", action=a.action, compact=True)
            if not any(a.id == "install" for a in self.ACTIONS):
                yield Static("(Install: comes with the install engine)",
                             id="install-slot")
        yield Static("Values", classes="review-heading")
        yield WrappedText(classes="review-values", indent=2)
        yield Static("msiexec plan", classes="review-heading")
        yield WrappedText(classes="review-plan")

    def refresh_page(self, data: dict[str, Any], found: list[Problem], reveal: bool) -> None:

        errors = [p for p in found if p.is_error]
        warnings = [p for p in found if not p.is_error]
        summary = self.query_one(".review-summary", Static)
        summary.set_class(bool(errors), "-error")
        summary.set_class(not errors, "-ok")
        if found:
            counts = " and ".join(
                f"{n} {w}{'s' if n != 1 else ''}"
                for n, w in ((len(errors), "error"), (len(warnings), "warning")) if n
            )
            summary.update(
                f"{'✗' if errors else '!'} {counts}. Enter on one jumps to its field."
            )
        else:
            summary.update("✓ No problems: the answer file is complete.")
        self._problems = list(found)
        problems = self.query_one(ProblemList)
        problems.display = bool(found)
        was = problems.highlighted
        problems.set_options(
            Option(self._problem_text(p), id=str(i)) for i, p in enumerate(found)
        )
        if found:  # a row is always highlighted: Enter on the list jumps at once
            problems.highlighted = min(was or 0, len(found) - 1)
        for a in self.ACTIONS:
            if a.needs_valid:
                self.query_one(f"#action-{a.id}", Button).disabled = bool(errors)
        self.query_one(".review-values", WrappedText).set_text(self._values(data))
        self.query_one(".review-plan", WrappedText).set_text(self._plan(data, errors))

    @staticmethod
    def _where(p: Problem) -> str:
        from tui.form import state

        return state.place(p.loc) or p.path

    def _problem_text(self, p: Problem) -> Text:
        from tui.form.words import in_form_words

        glyph, style = ("✗", "red") if p.is_error else ("!", "yellow")
        section = str(p.loc[0]) if p.loc else ""
        fix = f". Fix: {in_form_words(p.fix, section, self.specs)}" if p.fix else ""
        message = in_form_words(p.message, section, self.specs)
        return Text.assemble((glyph + " ", style), (self._where(p), "bold"), f": {message}{fix}")

    @staticmethod
    def _values(data: dict[str, Any]) -> Text:
        from tui.form import state
        from tui.form.build import model_specs

        eff = state.effective_data(data)
        out = Text()
        for name, section in model_specs().items():
            table = eff.get(name)
            if not isinstance(table, dict):
                continue
            shown = state.shown_values(name, table)
            if not shown:
                continue
            out.append(section.title + "\n", style="bold")
            for v in shown:
                out.append(f"  {v.title}: ", style="dim")
                out.append(v.text + "\n")
        out.rstrip()
        return out if out.plain else Text("(nothing yet)")

    @staticmethod
    def _plan(data: dict[str, Any], errors: list[Problem]) -> Text:
        from tui.form import state

        if errors:
            return Text("The plan is shown once the answers have no errors.", style="dim")
        text = state.plan_text(data)
        return Text(text) if text else Text("(no plan)", style="dim")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.JumpToProblem(self._problems[int(event.option.id)]))

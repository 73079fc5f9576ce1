"""A wizard page: the fields of one or more answer-file sections, built from the model.

A page module in `screens/` subclasses `SectionPage` and names its sections; titles, fields,
help and rules all come from the model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.form import spec as specs_
from tui.form.spec import Specs, problems_at
from tui.widgets.field import FieldRow

if TYPE_CHECKING:  # the model loads after the first frame
    from tui.model.problems import Problem


class WizardPage(VerticalScroll, can_focus=False):
    """Base of every page in the wizard's ContentSwitcher."""

    PAGE_ID: ClassVar[str] = ""
    TITLE: ClassVar[str] = ""
    SECTIONS: ClassVar[tuple[str, ...]] = ()

    def __init__(self) -> None:
        super().__init__(id=self.PAGE_ID, classes="wizard-page")

    @classmethod
    def title(cls, specs: Specs) -> str:
        return cls.TITLE

    @property
    def specs(self) -> Specs:
        return self.app.specs  # type: ignore[attr-defined]

    def refresh_page(self, data: dict[str, Any], found: list[Problem], reveal: bool) -> None:
        """Show the current data's state; `reveal`: show every problem, not only those of
        fields the user has left."""


class SectionPage(WizardPage):
    """A page of fields: one block per section in SECTIONS."""

    INTRO: ClassVar[str] = ""

    @classmethod
    def title(cls, specs: Specs) -> str:
        return cls.TITLE or specs[cls.SECTIONS[0]].title

    def compose(self) -> ComposeResult:
        data: dict[str, Any] = self.app.data  # type: ignore[attr-defined]
        specs = self.specs
        yield Static(self.title(specs), classes="page-title")
        if self.INTRO:
            yield Static(self.INTRO, classes="page-intro")
        # the skipped banner and the page's own problems are mounted when there is one
        for section in self.SECTIONS:
            if len(self.SECTIONS) > 1:
                yield Static(specs[section].title, classes="section-title")
            table = data.get(section)
            table = table if isinstance(table, dict) else {}
            for meta in specs[section].fields:
                yield FieldRow(meta, table.get(meta.name, meta.default))

    @property
    def rows(self) -> list[FieldRow]:
        return list(self.query(FieldRow))

    def row(self, section: str, name: str) -> FieldRow | None:
        for r in self.query(FieldRow):
            if r.section == section and r.meta.name == name:
                return r
        return None

    def fill(self, data: dict[str, Any]) -> None:
        """Show `data` in the fields, without it counting as edits."""
        for r in self.rows:
            table = data.get(r.section)
            table = table if isinstance(table, dict) else {}
            r.fill(table.get(r.meta.name, r.meta.default))

    def skipped(self, data: dict[str, Any]) -> bool:
        return all(specs_.skipped(self.specs, s, data) for s in self.SECTIONS)

    def _note(self, name: str, needed: bool) -> Static | None:
        """The page's note `name` (a Static under the title), mounted the first time it is
        needed; None while it never was."""
        found = self.query_children(f".{name}")
        if found:
            return found.first(Static)
        if not needed:
            return None
        note = Static("", classes=name)
        self.mount(note, after=self.query_children(".page-intro, .page-title").last())
        return note

    def _as_installer(self, r: FieldRow, data: dict[str, Any]) -> bool:
        """What the installer does to a field that depends on others (the model declares it):
        greys it out, unchecked, while none of `enabled_by` is on; fills an empty field with
        the value it `offer`s. False: the field is greyed out."""
        m = r.meta
        table = data.get(r.section)
        table = table if isinstance(table, dict) else {}
        if m.enabled_by:
            defaults = {f.name: f.default for f in self.specs[r.section].fields}
            if not any(table.get(n, defaults.get(n)) for n in m.enabled_by):
                if r.value:
                    r.control.value = False  # an edit: the answer file says it is off
                return False
        if m.offer and r.value in (None, "") and not r.touched:
            section, _, name = m.offer.partition(".")
            source = data.get(section)
            offered = source.get(name) if isinstance(source, dict) else None
            if isinstance(offered, str) and offered.strip():
                r.control.value = offered.strip().split(".")[0]
        return True

    def refresh_page(self, data: dict[str, Any], found: list[Problem], reveal: bool) -> None:
        skipped = self.skipped(data)
        banner = self._note("page-banner", skipped)
        if banner is not None:
            banner.set_class(skipped, "-shown")
        if banner is not None and skipped:
            needs = ", ".join(
                c for s in self.SECTIONS for c in self.specs[s].required_by
            )
            banner.update(
                f"Skipped: none of the components that need this page ({needs}) is selected "
                "on the Components page. What is here is not saved."
            )
        for r in self.rows:
            r.disabled = skipped or not self._as_installer(r, data)
            hits = problems_at(found, r.section, r.meta.name)
            r.show_problem(hits[0] if hits else None, reveal)
        # problems of the page that no field shows: a missing section, an unknown key
        names = {(r.section, r.meta.name) for r in self.rows}
        other = [
            p for p in found
            if p.loc[:1] and p.loc[0] in self.SECTIONS and tuple(p.loc[:2]) not in names
        ]
        box = self._note("page-problems", bool(other) and not skipped)
        if box is None:
            return
        box.remove_class("-error", "-warning")
        if other and not skipped:
            box.add_class("-error" if any(p.is_error for p in other) else "-warning")
            from tui.form.words import problem_words

            box.update(Text("\n".join(
                ("✗ " if p.is_error else "! ") + problem_words(p, self.specs) for p in other
            )))
        else:
            box.update("")

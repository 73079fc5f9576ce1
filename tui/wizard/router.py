"""Routing between the wizard's pages: which page shows, which pages Next and Back reach (the
skipped ones are passed over), each page's state in the page list, and where a problem's field
is. The pages themselves are declared in screens/pages.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.widget import Widget
from textual.widgets import ContentSwitcher

from screens.pages import PAGE_IDS, PAGES, page_class, page_of
from screens.review import ReviewPage
from tui.form import spec
from tui.widgets.page import SectionPage, WizardPage
from tui.widgets.sections import SectionList

if TYPE_CHECKING:
    from tui.model.problems import Problem
    from tui.wizard.host import Wizard


class Router:
    """The page shown (`current`), the pages visited and left (`started`: their problems count
    in the page list) and those whose every problem shows (`revealed`)."""

    def __init__(self, app: Wizard) -> None:
        self.app = app
        self.current: str = PAGE_IDS[0]
        self.started: set[str] = set()
        self.revealed: set[str] = set()

    def reset(self, data: dict[str, Any] | None = None, pages: Any = ()) -> None:
        """Forget the visits; the pages holding a section of `data` (a file's) or those named in
        `pages` (a draft's) count as started and revealed."""
        self.started = set(pages)
        if data is not None:
            self.started |= {p.PAGE_ID for p in PAGES if any(s in data for s in p.SECTIONS)}
        self.revealed = set(self.started)

    def reveal_all(self) -> None:
        self.started |= set(PAGE_IDS)
        self.revealed |= set(PAGE_IDS)

    # --- the pages --------------------------------------------------------------------------------

    def page(self, page_id: str | None = None) -> WizardPage | None:
        page_id = page_id or self.current
        found = self.app.query_one("#pages", ContentSwitcher).query_children(f"#{page_id}")
        return found.first() if found else None  # type: ignore[return-value]

    async def show(self, page_id: str, field: tuple[str, str] | None = None) -> None:
        """Switch to a page (building it the first time) and focus `field` or its first field."""
        app = self.app
        switcher = app.query_one("#pages", ContentSwitcher)
        app.screen.set_focus(None)  # never switch while a field of the old page has focus
        page = self.page(page_id)
        if page is None:
            page = page_class(page_id)()
            await switcher.mount(page)
        if self.current != page_id:
            self.started.add(self.current)  # a page that was visited and left
        switcher.current = page_id
        self.current = page_id
        page.refresh_page(app.data, app.found, page_id in self.revealed)
        self.update_states()
        app.query_one(SectionList).show_current(page_id)
        app.refresh_bindings()
        target: Widget | None = None
        if field is not None and isinstance(page, SectionPage):
            row = page.row(*field)
            if row is not None:
                target = row.control
        if target is None:
            chain = self.focus_chain(page)
            target = chain[0] if chain else None
        if target is not None and field is not None:
            target.focus()
            app.call_after_refresh(target.scroll_visible, animate=False)
        else:
            # a page opens at its top, title shown: scrolling to its first field raced with
            # that field's help unfolding on focus (the page then sat a line or two down)
            if target is not None:
                target.focus(scroll_visible=False)
            page.scroll_home(animate=False)
            app.call_after_refresh(page.scroll_home, animate=False)

    def focus_chain(self, page: Widget) -> list[Widget]:
        return [w for w in self.app.screen.focus_chain if page in w.ancestors]

    def navigable(self) -> list[str]:
        app = self.app
        return [
            p.PAGE_ID for p in PAGES
            if not (issubclass(p, SectionPage)
                    and all(spec.skipped(app.specs, s, app.data) for s in p.SECTIONS))
        ]

    def neighbour(self, step: int) -> str | None:
        navigable = self.navigable()
        i = PAGE_IDS.index(self.current) + step
        while 0 <= i < len(PAGE_IDS):
            if PAGE_IDS[i] in navigable:
                return PAGE_IDS[i]
            i += step
        return None

    # --- states -----------------------------------------------------------------------------------

    def page_state(self, page: type[WizardPage]) -> spec.PageState:
        app = self.app
        if page is ReviewPage:
            if ReviewPage.PAGE_ID not in self.started and self.current != ReviewPage.PAGE_ID:
                return "not-started"
            return spec.problems_state(app.found, app.data)
        return spec.page_state(app.specs, page.SECTIONS, app.data, app.found,
                               page.PAGE_ID in self.started)

    def update_states(self) -> None:
        sections = self.app.query(SectionList)
        if not sections:
            return
        for page in PAGES:
            sections.first().set_state(page.PAGE_ID, self.page_state(page))  # type: ignore

    def first_incomplete(self) -> str:
        if self.started:
            for page in PAGES:
                if page is not ReviewPage and self.page_state(page) in (
                        "errors", "incomplete", "not-started"):
                    return page.PAGE_ID
        return PAGE_IDS[0]

    # --- moving on --------------------------------------------------------------------------------

    async def next(self) -> None:
        """Validate the page explicitly, then go on; stay (showing why) when it has errors."""
        app = self.app
        page = self.page()
        self.revealed.add(self.current)
        if self.current != ReviewPage.PAGE_ID:
            self.started.add(self.current)
        app.revalidate()
        if isinstance(page, SectionPage):
            errors = [
                p for p in app.found if p.is_error and p.loc[:1] and p.loc[0] in page.SECTIONS
            ]
            if errors:
                n = len(errors)
                app.notify(
                    f"{n} error{'s' if n != 1 else ''} on this page: fix "
                    f"{'them' if n != 1 else 'it'} to go on (F2 jumps to any page).",
                    severity="error",
                )
                first = next((r for r in page.rows if r.message and r.message[0] == "error"),
                             None)
                if first is not None:
                    first.focus_control()
                return
        target = self.neighbour(1)
        if target:
            await self.show(target)

    async def back(self) -> None:
        target = self.neighbour(-1)
        if target:
            await self.show(target)

    async def next_field(self) -> None:
        """Enter: the next field of the page; after its last field, the next page."""
        page = self.page()
        if page is None:
            return
        chain = self.focus_chain(page)
        focused = self.app.focused
        owner = next((w for w in chain if focused is w or (focused and w in focused.ancestors)),
                     None)
        if owner is not None and chain.index(owner) < len(chain) - 1:
            chain[chain.index(owner) + 1].focus()
        elif owner is not None:
            await self.next()
        else:
            self.app.screen.focus_next()

    def page_list(self) -> None:
        sections = self.app.query_one(SectionList)
        sections.show_current(self.current)
        sections.focus()

    async def show_problem(self, problem: Problem) -> None:
        """The page and field of `problem`, its message shown."""
        loc = problem.loc
        page = page_of(str(loc[0])) if loc else None
        if page is None:
            self.app.notify(f"{problem.path} is not on a page: fix it in the file.",
                            severity="warning")
            return
        self.revealed.add(page)
        field = (str(loc[0]), str(loc[1])) if len(loc) >= 2 else None
        await self.show(page, field)

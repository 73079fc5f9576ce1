"""The wizard's pages, in order: declared here once. A page of answer-file sections is a line
in `PAGES` (its id, its sections, and a title and an intro where the first section's title is
not enough); titles, fields, help and rules all come from the model. The Review page is its own
widget (screens/review.py)."""

from __future__ import annotations

from screens.review import ReviewPage
from tui.widgets.page import SectionPage, WizardPage


def section_page(page_id: str, *sections: str, title: str = "", intro: str = "",
                 ) -> type[SectionPage]:
    """A page class showing `sections` (the page's own `sections` default to its id)."""
    name = "".join(part.title() for part in page_id.split("_")) + "Page"
    return type(name, (SectionPage,), {
        "PAGE_ID": page_id, "SECTIONS": sections or (page_id,), "TITLE": title, "INTRO": intro,
        "__module__": __name__, "__qualname__": name,
    })


PAGES: tuple[type[WizardPage], ...] = (
    section_page("components", intro="Choose what to install. The pages of components you "
                                     "leave out are skipped. (The Password Change Notification "
                                     "Service is a separate package, for domain controllers.)"),
    section_page("database"),
    section_page("mail"),
    section_page("certificate"),
    section_page("service_account"),
    section_page("synchronization"),
    section_page("portal"),
    section_page("registration_portal"),
    section_page("reset_portal"),
    section_page("target", "install", "target", title="Target",
                 intro="Where the package is and which server it goes on (reached over WinRM)."),
    ReviewPage,
)
PAGE_IDS: tuple[str, ...] = tuple(p.PAGE_ID for p in PAGES)


def page_class(page_id: str) -> type[WizardPage]:
    return next(p for p in PAGES if p.PAGE_ID == page_id)


def page_of(section: str) -> str | None:
    """The page that shows answer-file section `section`, if any."""
    return next((p.PAGE_ID for p in PAGES if section in p.SECTIONS), None)

"""The Database page."""

from tui.widgets.page import SectionPage


class DatabasePage(SectionPage):
    PAGE_ID = "database"
    SECTIONS = ("database",)

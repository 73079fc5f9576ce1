"""The Synchronization server page."""

from tui.widgets.page import SectionPage


class SynchronizationPage(SectionPage):
    PAGE_ID = "synchronization"
    SECTIONS = ("synchronization",)

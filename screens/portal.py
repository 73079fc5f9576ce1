"""The Portal page."""

from tui.widgets.page import SectionPage


class PortalPage(SectionPage):
    PAGE_ID = "portal"
    SECTIONS = ("portal",)

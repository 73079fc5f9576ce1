"""The Password Reset portal page."""

from tui.widgets.page import SectionPage


class ResetPortalPage(SectionPage):
    PAGE_ID = "reset_portal"
    SECTIONS = ("reset_portal",)

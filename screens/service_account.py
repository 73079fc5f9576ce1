"""The Service account page."""

from tui.widgets.page import SectionPage


class ServiceAccountPage(SectionPage):
    PAGE_ID = "service_account"
    SECTIONS = ("service_account",)

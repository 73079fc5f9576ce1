"""The Password Registration portal page."""

from tui.widgets.page import SectionPage


class RegistrationPortalPage(SectionPage):
    PAGE_ID = "registration_portal"
    SECTIONS = ("registration_portal",)

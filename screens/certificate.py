"""The Certificate page."""

from tui.widgets.page import SectionPage


class CertificatePage(SectionPage):
    PAGE_ID = "certificate"
    SECTIONS = ("certificate",)

"""The Mail server page."""

from tui.widgets.page import SectionPage


class MailPage(SectionPage):
    PAGE_ID = "mail"
    SECTIONS = ("mail",)

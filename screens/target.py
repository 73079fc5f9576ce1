"""The Target (install options and WinRM connection) page."""

from tui.widgets.page import SectionPage


class TargetPage(SectionPage):
    PAGE_ID = "target"
    TITLE = "Target"
    SECTIONS = ("install", "target")
    INTRO = "Where the package is and which server it goes on (reached over WinRM)."

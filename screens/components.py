"""The Components page."""

from tui.widgets.page import SectionPage


class ComponentsPage(SectionPage):
    PAGE_ID = "components"
    SECTIONS = ("components",)
    INTRO = "Choose what to install. The pages of components you leave out are skipped."

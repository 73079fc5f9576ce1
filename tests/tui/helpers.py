"""Shared helpers of the wizard tests."""

from __future__ import annotations

import copy
import tomllib

from tests.tui.conftest import CONTOSO
from tui.app import WizardApp
from tui.widgets.field import FieldRow


def contoso() -> dict:
    return tomllib.loads(CONTOSO.read_text(encoding="utf-8"))


def app_with(changes: dict | None = None, drop: tuple[str, ...] = (), **kwargs) -> WizardApp:
    """The app on the contoso answers with some sections changed (merged) or dropped."""
    data = copy.deepcopy(contoso())
    for section, table in (changes or {}).items():
        data.setdefault(section, {}).update(table)
    for section in drop:
        data.pop(section, None)
    return WizardApp(data=data, from_file=True, **kwargs)


def row(app: WizardApp, section: str, name: str) -> FieldRow:
    return app.query_one(f"#field-{section}-{name}", FieldRow)


def message(app: WizardApp, section: str, name: str) -> tuple[str, str] | None:
    return row(app, section, name).message

"""The answer file: every section of the installer, the install options and the target."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tui.model import behaviour, shape
from tui.model.components import Components
from tui.model.declare import Section
from tui.model.portal import Portal, RegistrationPortal, ResetPortal
from tui.model.service import Certificate, Database, Mail, ServiceAccount, Synchronization
from tui.model.shape import SCHEMA_VERSION
from tui.model.target import Install, Msi, Target

__all__ = ["SCHEMA_VERSION", "AnswerFile", "planned", "section_needed", "section_types"]


class AnswerFile(behaviour.AnswersBehaviour, BaseModel):
    """A MIM 2016 Service and Portal installation, as the wizard and msiexec see it."""

    model_config = ConfigDict(
        extra="forbid",
        validate_assignment=True,
        title="mimsetup answers",
        hide_input_in_errors=True,
    )

    schema_version: Literal[1] = Field(
        title="Schema version", description="Version of the answer file format; 1."
    )
    components: Components = Field(default_factory=Components, title="Components")
    database: Database | None = Field(default=None, title=Database.title)
    mail: Mail | None = Field(default=None, title=Mail.title)
    certificate: Certificate | None = Field(default=None, title=Certificate.title)
    service_account: ServiceAccount | None = Field(default=None, title=ServiceAccount.title)
    synchronization: Synchronization | None = Field(default=None, title=Synchronization.title)
    portal: Portal | None = Field(default=None, title=Portal.title)
    registration_portal: RegistrationPortal | None = Field(
        default=None, title=RegistrationPortal.title
    )
    reset_portal: ResetPortal | None = Field(default=None, title=ResetPortal.title)
    install: Install | None = Field(default=None, title=Install.title)
    target: Target | None = Field(default=None, title=Target.title)
    msi: Msi = Field(default_factory=Msi, title=Msi.title)


    @classmethod
    def section_types(cls) -> dict[str, type[Section]]:
        return section_types()

    @classmethod
    def allowed_keys(cls, loc: tuple) -> list[str]:
        """The keys the table at `loc` takes ([] when `loc` is not a table of the model)."""
        model: Any = cls
        for part in loc:
            fi = getattr(model, "model_fields", {}).get(part)
            if fi is None:
                return []
            ann = fi.annotation
            model = next(
                (c for c in getattr(ann, "__args__", (ann,)) if hasattr(c, "model_fields")), None
            )
        return list(getattr(model, "model_fields", {}))


def section_types() -> dict[str, type[Section]]:
    """Section name -> its model, in page order."""
    out: dict[str, type[Section]] = {}
    for name, fi in AnswerFile.model_fields.items():
        ann = fi.annotation
        for candidate in getattr(ann, "__args__", (ann,)):
            if isinstance(candidate, type) and issubclass(candidate, Section):
                out[name] = candidate
    return out


def section_needed(name: str, components: Components) -> bool:
    """Whether a section is required by the selected components."""
    return shape.section_needed(section_types(), name, components)


def planned(name: str, components: Components) -> bool:
    """Whether the msiexec plan passes a section's properties (see shape.planned)."""
    return shape.planned(section_types(), name, components)

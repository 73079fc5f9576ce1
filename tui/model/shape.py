"""The answer file's shape, with nothing to import: its format version and which sections the
selected components need. The model, its compiled twin and the wizard's first frame (which
starts before the model is loaded) all read it here."""

from __future__ import annotations

from typing import Any

SCHEMA_VERSION = 1  # of the answer file format


def section_needed(types: dict[str, Any], name: str, components: Any) -> bool:
    """Whether a section is required by the selected components (`types`: section name -> an
    object with `required_by`; `components`: an object with a bool attribute per component)."""
    required_by = getattr(types[name], "required_by", ())
    if "*" in required_by:
        return True
    return any(getattr(components, c, False) for c in required_by)


def planned(types: dict[str, Any], name: str, components: Any) -> bool:
    """Whether the msiexec plan passes a section's properties: it leaves out the sections of
    components that are not selected (sections no component requires are always passed)."""
    return not types[name].required_by or section_needed(types, name, components)

"""What the emulated pre-flight collects: (id, reason, values), as preflight.ps1's Add-Check."""

from __future__ import annotations


class Checks:
    def __init__(self) -> None:
        self.items: list[dict] = []

    def add(self, check_id: str, reason: str, **values: object) -> None:
        self.items.append({"id": check_id, "reason": reason, "values": values})

    def skip_all(self, ids: tuple[str, ...], reason: str) -> None:
        for cid in ids:
            self.add(cid, reason)


# Catalog outcomes the simulated target never produces, and why: (section, id, reason) -> why.
# The catalog test fails on an outcome neither produced by some situation nor listed here, and on
# one listed here that the target does produce.
NOT_EMULATED: dict[tuple[str, str, str], str] = {
    ("preflight", "*", "error"): "a check whose PowerShell throws (a cmdlet missing, WMI broken) "
    "is a runtime failure of the script, not a fact of the simulated state",
    ("preflight", "batch-logon", "unreadable"): "secedit failing to export the user rights (a "
    "damaged security database) is not a fact the simulated state holds",
    ("checklist", "*", "error"): "as for the pre-flight: the simulated checks do not throw",
}

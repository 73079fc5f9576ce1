"""What msiexec's exit code means for the admin (reference section 3), in one table."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    outcome: str  # success | reboot | failed | already-installed | cancelled | busy
    message: str
    next_steps: str


_TABLE: dict[int, Outcome] = {
    0: Outcome("success", "MIM Service and Portal installed successfully.",
               "Work through the post-install checklist: `mimsetup check FILE`."),
    3010: Outcome("reboot", "MIM Service and Portal installed; Windows needs a restart to finish.",
                  "Restart the server when convenient, then run `mimsetup check FILE`."),
    1641: Outcome("reboot", "MIM Service and Portal installed; the installer started a restart.",
                  "Wait for the server to come back, then run `mimsetup check FILE`."),
    1603: Outcome("failed", "The installation failed (1603, a fatal error during installation).",
                  "Read the failing action and its log lines shown with it; fix the cause and "
                  "run the install again (the pre-flight checks the usual causes)."),
    1618: Outcome("busy", "Another installation is in progress on the target (1618).",
                  "Wait for it to finish (see msiexec processes on the target), then try again."),
    1619: Outcome("failed", "The installer package could not be opened (1619).",
                  "Check install.msi_path: the file must exist on the target and be readable."),
    1620: Outcome("failed", "The installer package is not a valid Windows Installer package "
                  "(1620).", "Check install.msi_path points at 'Service and Portal.msi'."),
    1622: Outcome("failed", "Windows Installer could not open the install log (1622).",
                  "Check install.log_path: the install account must be able to write the file "
                  "there (mimsetup creates a missing folder; a UNC path cannot work from the "
                  "target's logon)."),
    1638: Outcome("already-installed", "Another version of this product is already installed "
                  "(1638).", "Uninstall it first, or run `mimsetup check FILE` on the existing "
                  "install."),
    1602: Outcome("cancelled", "The installation was cancelled (1602); Windows Installer rolled "
                  "back its changes.", "Run the install again when ready."),
}


def interpret(exit_code: int | None) -> Outcome:
    if exit_code is None:
        return Outcome("failed", "The installer ended without an exit code.",
                       "Read the log on the target for the cause.")
    if exit_code in _TABLE:
        return _TABLE[exit_code]
    return Outcome("failed", f"The installation failed with Windows Installer code {exit_code}.",
                   "Look the code up (`net helpmsg`) and read the log lines shown with it.")

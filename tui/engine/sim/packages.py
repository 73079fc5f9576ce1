"""Service and Portal packages of several releases, as the simulated target's media offer them.

Only the SP1-era ProductCode is public (published scripts); the other codes here are stand-ins.
What the simulation keeps of Windows Installer's rules: a release packaged as a major upgrade has
a new ProductCode and keeps the UpgradeCode of the product it upgrades (MSDN, "Major Upgrades"),
and the product's name stays "Microsoft Identity Manager Service and Portal"."""

from __future__ import annotations

from tui.engine.sim.verbose import REFERENCE_HIDDEN

NAME = "Microsoft Identity Manager Service and Portal"
UPGRADE_CODE = "{E5D4A3A4-8C47-4C4C-8E3C-6C1A2D55F0A1}"  # stand-in: not in the reference
SP1_PRODUCT_CODE = "{0782FB14-023A-430F-B0D5-4AE1D1CCFCAA}"  # published for SP1-era media


def table(code: str, version: str) -> dict[str, str]:
    """The Property table's values a pre-flight reads from a package."""
    return {
        "ProductName": NAME,
        "ProductCode": code,
        "UpgradeCode": UPGRADE_CODE,
        "ProductVersion": version,
        "Manufacturer": "Microsoft Corporation",
        "MsiHiddenProperties": REFERENCE_HIDDEN,
    }


SP2 = table("{6A1F2B3C-4D5E-4F60-8172-93A4B5C6D7E8}", "4.6.673.0")  # stand-in code
SP3 = table("{9B8C7D6E-5F40-4132-A3B4-C5D6E7F80912}", "4.7.1.0")  # stand-in code and build

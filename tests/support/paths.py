"""Where the tests find things: the checkout, its example answers, and ../shared beside it."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ANSWERS = ROOT / "answers"
CONTOSO = ANSWERS / "contoso.toml"
# The project's shared material, beside the checkout (CI lays a copy there too).
SHARED = ROOT.parent / "shared"

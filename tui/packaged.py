"""Files the package carries. The example answer files, one copy each: `answers/` in a
checkout is the source, and the wheel carries that folder as `tui/examples/` (pyproject's
force-include), so an installed mimsetup (pip, pipx) finds the files `mimsetup demo` opens
without a checkout beside it. (Not in tui/model/: the compiled model's fingerprint covers every
module there.)"""

from __future__ import annotations

from pathlib import Path

_PACKAGED = Path(__file__).resolve().parent / "examples"
_CHECKOUT = Path(__file__).resolve().parents[1] / "answers"


def examples_dir() -> Path:
    """Where the example answer files are: inside the installed package, else the checkout's."""
    return _PACKAGED if _PACKAGED.is_dir() else _CHECKOUT


def example(name: str) -> Path:
    """The example answer file `name` (e.g. "contoso.toml")."""
    return examples_dir() / name

"""The README's answer-file reference, generated from the model. `python -m tui.model.docs
--write README.md` refreshes it; a test fails when README and model disagree."""

from __future__ import annotations

import sys
from pathlib import Path

from tui.model.answers import section_types

BEGIN = (
    "<!-- BEGIN answer-file reference (generated: python -m tui.model.docs --write README.md) -->"
)
END = "<!-- END answer-file reference -->"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def reference_table() -> str:
    rows = [
        "| key | title | MSI property | default / example | help |",
        "|---|---|---|---|---|",
    ]
    for section, model in section_types().items():
        needs = ", ".join(getattr(model, "required_by", ())) or "optional"
        needs = "always" if needs == "*" else needs
        rows.append(f"| **[{section}]** | {_cell(model.title)} | | | required by: {needs} |")
        for m in model.fields():
            if m.secret:
                shown = "`{ prompt = true }` (secret)"
            elif m.required:
                shown = f"required, e.g. `{_cell(m.example)}`"
            elif m.default in (None, {}) and m.example is not None:
                shown = f"e.g. `{_cell(m.example)}`"
            else:
                shown = f"`{_cell(m.default)}`".replace("`True`", "`true`").replace(
                    "`False`", "`false`"
                )
            feature = f"ADDLOCAL `{m.feature}`" if m.feature else ""
            msi = ", ".join(f"`{p}`" for p in m.msi) or feature
            rows.append(
                f"| `{section}.{m.name}` | {_cell(m.title)} | {msi} | {shown} | {_cell(m.help)} |"
            )
    return "\n".join(rows) + "\n"


def splice(readme: str) -> str:
    head, _, rest = readme.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{reference_table()}{END}{tail}"


def main(argv: list[str]) -> int:
    if argv[:1] == ["--write"] and len(argv) == 2:
        path = Path(argv[1])
        path.write_text(splice(path.read_text(encoding="utf-8")), encoding="utf-8")
        return 0
    sys.stdout.write(reference_table())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

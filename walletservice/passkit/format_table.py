"""docs/pass-format.md's support table, rendered from passkit.pass_format.PASS_KEYS.

`python -m walletservice.passkit.format_table` rewrites the table in docs/pass-format.md
(everything after GENERATED_MARKER; the notes above it are written by hand);
`--check` exits 1 when the file differs from the table, and `--print` prints the table.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .pass_format import PASS_KEYS

GENERATED_MARKER = (
    "<!-- Generated from walletservice/passkit/pass_format.py by "
    "`python -m walletservice.passkit.format_table`: do not edit below. -->"
)
DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "pass-format.md"
_COLUMNS = ("built", "validated", "v2", "v3")


def render_table() -> str:
    """One Markdown row per key: key, iOS version, then yes/no per support column."""
    lines = [
        "| key | iOS | built | validated | v2 | v3 |",
        "|---|---|---|---|---|---|",
    ]
    for key in PASS_KEYS:
        flags = " | ".join("yes" if getattr(key, column) else "no" for column in _COLUMNS)
        lines.append(f"| `{key.path}` | {key.ios} | {flags} |")
    return "\n".join(lines) + "\n"


def render_document(current: str) -> str:
    """The document with its hand-written part kept and the table after the marker renewed."""
    notes = current.split(GENERATED_MARKER, 1)[0].rstrip("\n")
    return f"{notes}\n\n{GENERATED_MARKER}\n\n{render_table()}"


def main(argv: list[str]) -> int:
    if "--print" in argv:
        sys.stdout.write(render_table())
        return 0
    current = DOC_PATH.read_text(encoding="utf-8")
    wanted = render_document(current)
    if "--check" in argv:
        if current != wanted:
            sys.stderr.write(f"{DOC_PATH} is out of date: run python -m walletservice.passkit.format_table\n")
            return 1
        return 0
    DOC_PATH.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""The capability matrix of docs/capabilities.md, generated from each provider's Capabilities.

``uv run python docs_build/capability_matrix.py`` writes ``docs_build/capabilities-table.md``,
which the page includes (``pymdownx.snippets``); tests/test_capability_matrix.py fails when
the file is not what the installed providers declare, so it cannot go stale. A generated
file rather than an mkdocs hook, so the site builds the same with MkDocs and with Zensical.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

TABLE = Path(__file__).with_name("capabilities-table.md")
"""The generated table the page includes."""
PROVIDERS = ("local", "stripe", "dodo")
"""The columns, in this order (providers the docs cover)."""

YES, NO = "✓", "—"


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return YES if value else NO
    if value is None:
        return "no limit"
    if value == 0:
        return NO
    return f"`{value}`" if isinstance(value, str) else str(value)


def matrix(described: Mapping[str, Mapping[str, Any]]) -> str:
    """A markdown table: one row per capability (one per value for list-valued ones)."""
    names = list(described)
    first = described[names[0]]
    rows: list[list[str]] = []
    for key in first:
        values = [described[name][key] for name in names]
        if isinstance(values[0], list):
            options = sorted({option for value in values for option in value})
            rows.extend(
                [f"`{key}`: `{option}`", *(_cell(option in value) for value in values)] for option in options
            )
        else:
            rows.append([f"`{key}`", *(_cell(value) for value in values)])
    header = ["capability", *names]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def installed_matrix() -> str:
    """The matrix for the providers registered in this environment."""
    from prorata.provider import get_registry

    registry = get_registry()
    return matrix({name: registry.provider(name).capabilities.describe() for name in PROVIDERS})


def main() -> None:
    TABLE.write_text(installed_matrix() + "\n", encoding="utf-8")
    print(f"wrote {TABLE}")


if __name__ == "__main__":
    main()

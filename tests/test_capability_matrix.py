"""docs/capabilities.md: the table is generated from the providers' Capabilities at build time."""

from __future__ import annotations

import sys
from pathlib import Path

from prorata.provider import get_registry

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs_build"))
import capability_matrix  # noqa: E402


def _rows() -> dict[str, list[str]]:
    table = capability_matrix.installed_matrix().splitlines()
    assert table[0] == "| capability | local | stripe | dodo |"
    cells = [[cell.strip() for cell in line.strip("|").split("|")] for line in table[2:]]
    return {row[0]: row[1:] for row in cells}


def test_the_page_holds_the_marker_and_the_build_runs_the_hook() -> None:
    assert capability_matrix.MARKER in (ROOT / "docs" / "capabilities.md").read_text(encoding="utf-8")
    assert "docs_build/capability_matrix.py" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    page = capability_matrix.on_page_markdown(f"before\n{capability_matrix.MARKER}\nafter")
    assert capability_matrix.MARKER not in page
    assert "| capability | local | stripe | dodo |" in page


def test_every_declared_value_has_a_row_that_matches_the_declaration() -> None:
    rows = _rows()
    registry = get_registry()
    for column, name in enumerate(capability_matrix.PROVIDERS):
        described = registry.provider(name).capabilities.describe()
        for pair in described["proration"]:
            assert rows[f"`proration`: `{pair}`"][column] == capability_matrix.YES
        assert rows["`tax_rates`"][column] == (capability_matrix.YES if described["tax_rates"] else "—")


def test_known_differences_show() -> None:
    rows = _rows()
    assert rows["`timings`: `schedule`"] == ["✓", "✓", "—"]  # Dodo has no subscription schedules
    assert rows["`max_base_items`"] == ["no limit", "no limit", "1"]

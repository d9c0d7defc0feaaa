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


def test_the_generated_table_is_current_and_included() -> None:
    current = capability_matrix.installed_matrix() + "\n"
    assert capability_matrix.TABLE.read_text(encoding="utf-8") == current, (
        "stale: run `uv run python docs_build/capability_matrix.py`"
    )
    page = (ROOT / "docs" / "capabilities.md").read_text(encoding="utf-8")
    assert f'--8<-- "{capability_matrix.TABLE.name}"' in page


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

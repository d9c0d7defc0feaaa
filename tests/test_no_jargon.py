"""User docs, READMEs and docstrings speak to users: no internal ticket or seed numbers."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
JARGON = re.compile(r"\bseeds? \d{3}\b|\bseed \d{3}'s\b", re.IGNORECASE)


def _user_facing() -> list[Path]:
    found = [*ROOT.glob("*.md"), *(ROOT / "docs").rglob("*.md")]
    for folder in ("core/src", "adapters", "contract_tests/src", "examples"):
        found += [
            p for p in (ROOT / folder).rglob("*") if p.suffix in {".py", ".md"} and "tests" not in p.parts
        ]
    return found


def test_no_internal_seed_numbers() -> None:
    hits = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _user_facing()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if JARGON.search(line)
    ]
    assert hits == [], "say what the case is, not its internal seed number:\n" + "\n".join(hits)

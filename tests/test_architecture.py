"""ARCHITECTURE.md stays true: one diagram, and every path and module it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")


def test_one_diagram() -> None:
    assert PAGE.count("```mermaid") == 1


def test_every_named_path_exists() -> None:
    paths = re.findall(r"^\| `([^`]+)`", PAGE, flags=re.MULTILINE)
    paths += re.findall(r"`([\w/]+\.py)`", PAGE)
    assert len(paths) > 10
    core = ROOT / "core" / "src" / "prorata"
    sources = {found.name for top in ("core", "adapters") for found in (ROOT / top).rglob("*.py")}
    for path in paths:
        if "/" not in path:  # a module name such as _mapping.py (every adapter has one)
            assert path in sources, path
            continue
        assert (ROOT / path).exists() or (core / path).exists(), path

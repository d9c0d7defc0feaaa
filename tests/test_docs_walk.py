"""The shell walks in the docs run as written: each command its own `prorata` process.

The commands are parsed out of the markdown (every ```sh block of the pages below), so the
docs cannot drift from what the CLI does. Each block runs in a fresh directory.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("docs/cli.md", "docs/index.md")
PRORATA = str(Path(sys.executable).with_name("prorata"))


def _sh_blocks(page: str) -> list[list[str]]:
    text = (ROOT / page).read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL)
    return [[line for line in block.splitlines() if line.strip()] for block in blocks]


WALKS = [(page, index, block) for page in PAGES for index, block in enumerate(_sh_blocks(page))]


def _run(line: str, cwd: Path, env: dict[str, str]) -> str:
    """One documented command: `prorata ARGS [> FILE]`; returns its stdout."""
    words = shlex.split(line, comments=True)
    target = None
    if ">" in words:
        at = words.index(">")
        words, target = words[:at], words[at + 1]
    assert words[0] == "prorata", f"the docs walk runs prorata only, not {line!r}"
    done = subprocess.run(
        [PRORATA, *words[1:]], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"{line!r} exited {done.returncode}: {done.stderr or done.stdout}"
    if target is not None:
        (cwd / target).write_text(done.stdout, encoding="utf-8")
    return done.stdout


def test_the_pages_have_walks() -> None:
    assert {page for page, _, _ in WALKS} == set(PAGES)


@pytest.mark.parametrize(("page", "index", "block"), WALKS, ids=[f"{p}#{i}" for p, i, _ in WALKS])
def test_the_documented_walk_runs_as_written(page: str, index: int, block: list[str], tmp_path: Path) -> None:
    assert block[0] == "prorata init", f"{page} walk #{index} starts with prorata init, so state persists"
    env = {k: v for k, v in os.environ.items() if k not in ("PRORATA_CONFIG", "PRORATA_PROVIDER")}
    env["PRORATA_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # the walks use the built-in local provider only
    outputs = {line: _run(line, tmp_path, env) for line in block}
    for line, out in outputs.items():
        if line.startswith("prorata apply") and "--preview" in line:
            assert "matches the preview" in out, out
        if line.startswith("prorata invoices"):
            # the upgrade on 16 November is prorated, the renewal on 1 December is on Pro
            assert re.search(r"2026-11-16 .*Unused time on 1 x Basic.*-USD 5\.00", out), out
            assert re.search(r"2026-12-01 .*1 x Pro \(2026-12-01 - 2027-01-01\).*USD 20\.00", out), out

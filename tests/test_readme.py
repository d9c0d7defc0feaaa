"""The README stays true: its example runs, and its commands are the ones CI runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from prorata import ChangePreview

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")

CONFIG = """
provider = "local"

[providers.local]
start = "2026-01-01T00:00:00Z"

[plans.basic]
name = "Basic"
price = "10.00"
currency = "USD"

[plans.pro]
name = "Pro"
price = "20.00"
currency = "USD"
"""


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def test_the_two_commands_come_first_and_ci_runs_the_test_command() -> None:
    [commands, *_] = _blocks("sh")
    lines = [line.split("#")[0].strip() for line in commands.strip().splitlines()]
    assert lines == ["uv run prorata demo", "uv run pytest"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "uv run pytest" in ci
    assert "uv run prorata demo" in ci


def test_the_python_example_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    [example] = _blocks("python")
    (tmp_path / "prorata.toml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PRORATA_CONFIG", raising=False)
    monkeypatch.delenv("PRORATA_PROVIDER", raising=False)
    namespace: dict[str, object] = {}
    exec(compile(example, "README.md", "exec"), namespace)  # the example asserts matches_preview itself
    preview = namespace["preview"]
    assert isinstance(preview, ChangePreview)
    # previewed at the very start of the period: the whole Basic month is credited, Pro charged
    assert [line.amount.amount for line in preview.lines] == [-1000, 2000]
    assert preview.totals.amount_due.amount == 1000

"""``prorata emulate`` and ``prorata demo``."""

from __future__ import annotations

import json
import sys
import types
from typing import Any

import pytest
from click.testing import CliRunner
from rich.console import Console

from prorata.cli import main
from prorata.provider import Registry


def test_emulate_starts_serves_and_stops(fake_registry: Registry, emulator_events: list[str]) -> None:
    result = CliRunner().invoke(main, ["emulate", "fakeapi", "--port", "8765", "--json"], obj=fake_registry)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"emulator": "fakeapi", "url": "http://127.0.0.1:8765"}
    assert result.stdout.count("\n") == 1  # exactly one line, so a script can read it and go on
    assert emulator_events == ["serve", "stop"]


def test_emulate_binds_the_given_host(fake_registry: Registry) -> None:
    result = CliRunner().invoke(
        main, ["emulate", "fakeapi", "--port", "9", "--host", "0.0.0.0"], obj=fake_registry
    )
    assert result.exit_code == 0, result.output
    assert "http://0.0.0.0:9" in result.stderr


def test_emulate_unknown_name_lists_registered_emulators(fake_registry: Registry) -> None:
    result = CliRunner().invoke(main, ["emulate", "nope", "--port", "1", "--json"], obj=fake_registry)
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert "fakeapi" in error["expected"]


def test_emulate_requires_a_port(fake_registry: Registry) -> None:
    result = CliRunner().invoke(main, ["emulate", "fakeapi"], obj=fake_registry)
    assert result.exit_code == 2
    assert "--port" in result.output


def test_demo_calls_prorata_demo_run(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    module = types.ModuleType("prorata.demo")

    def run(*, console: Console, json_output: bool) -> None:
        calls.append({"console": console, "json_output": json_output})
        console.print("demo ran")

    module.run = run  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "prorata.demo", module)
    plain = CliRunner().invoke(main, ["demo"])
    assert plain.exit_code == 0, plain.output
    assert "demo ran" in plain.stdout
    as_json = CliRunner().invoke(main, ["--json", "demo"])
    assert as_json.exit_code == 0, as_json.output
    assert [call["json_output"] for call in calls] == [False, True]
    assert all(isinstance(call["console"], Console) for call in calls)


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert "0.1.0" in result.output

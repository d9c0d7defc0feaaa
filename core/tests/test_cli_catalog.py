"""``prorata providers`` and ``prorata plans``, configuration lookup and error output."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

import prorata
from prorata import Plan
from prorata.cli import main
from prorata.provider import Registry

from .conftest import CATALOG_TOML, FAKE_CAPABILITIES


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_providers_json_lists_registered_provider_with_capabilities(
    runner: CliRunner, fake_registry: Registry
) -> None:
    result = runner.invoke(main, ["providers", "--json"], obj=fake_registry)
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert listed == [
        {
            "name": "fake",
            "description": "In-test fake provider",
            "distribution": "prorata-tests",
            "capabilities": FAKE_CAPABILITIES.describe(),
        }
    ]


def test_providers_json_from_the_real_registry_lists_local(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(prorata.provider.AUTOLOAD_ENV, "1")
    result = runner.invoke(main, ["providers", "--json"])
    assert result.exit_code == 0, result.output
    by_name = {entry["name"]: entry for entry in json.loads(result.stdout)}
    assert "local" in by_name
    local = prorata.provider.get_registry(prorata.provider.get_plugin_manager(autoload=False)).provider(
        "local"
    )
    assert by_name["local"]["capabilities"] == local.capabilities.describe()
    assert set(by_name["local"]) == {"name", "description", "distribution", "capabilities"}


def test_global_json_flag_works_before_the_command(runner: CliRunner, fake_registry: Registry) -> None:
    result = runner.invoke(main, ["--json", "providers"], obj=fake_registry)
    assert result.exit_code == 0, result.output
    assert [entry["name"] for entry in json.loads(result.stdout)] == ["fake"]


def test_providers_table_shows_name_and_modes(runner: CliRunner, fake_registry: Registry) -> None:
    result = runner.invoke(main, ["providers"], obj=fake_registry, terminal_width=200, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "fake" in result.stdout
    assert "prorate_now/keep" in result.stdout
    assert "at_period_end" in result.stdout


def test_plans_json_round_trips_to_the_configured_catalog(runner: CliRunner, fake_config: Path) -> None:
    result = runner.invoke(main, ["--config", str(fake_config), "plans", "--json"])
    assert result.exit_code == 0, result.output
    plans = [prorata.structure(entry, Plan) for entry in json.loads(result.stdout)]
    assert tuple(plans) == prorata.load_config(fake_config).catalog.plans
    assert [plan.key for plan in plans] == ["basic", "pro", "addon"]


def test_plans_table_formats_prices(runner: CliRunner, fake_config: Path) -> None:
    result = runner.invoke(main, ["--config", str(fake_config), "plans"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "USD 20.00" in result.stdout
    assert "Add-on" in result.stdout


def _plan_keys(runner: CliRunner, *args: str) -> list[str]:
    result = runner.invoke(main, [*args, "plans", "--json"])
    assert result.exit_code == 0, result.output
    return [entry["key"] for entry in json.loads(result.stdout)]


def test_config_lookup_order(
    runner: CliRunner, write_config: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_keys = _plan_keys(runner)
    assert "pro" in demo_keys
    assert "verificator" in demo_keys
    write_config(CATALOG_TOML)  # ./prorata.toml in the working directory
    assert _plan_keys(runner) == ["basic", "pro", "addon"]
    env_file = write_config('[plans.env-only]\nprice = "1.00"\ncurrency = "EUR"\n', "env.toml")
    monkeypatch.setenv("PRORATA_CONFIG", str(env_file))
    assert _plan_keys(runner) == ["env-only"]
    flag_file = write_config('[plans.flag-only]\namount_minor = 500\ncurrency = "JPY"\n', "flag.toml")
    assert _plan_keys(runner, "--config", str(flag_file)) == ["flag-only"]


def test_broken_toml_is_one_red_line_naming_the_file(
    runner: CliRunner, write_config: Callable[..., Path]
) -> None:
    path = write_config("provider = \n", "broken.toml")
    result = runner.invoke(main, ["--config", str(path), "plans"])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert str(path) in lines[0]
    assert "valid TOML" in lines[0]
    assert "Traceback" not in result.output


def test_missing_config_file_is_a_billing_error(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    result = runner.invoke(main, ["--config", str(missing), "plans", "--json"])
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["type"] == "ConfigurationError"
    assert error["source"] == str(missing)


def test_config_error_json_names_key_and_expectation(
    runner: CliRunner, write_config: Callable[..., Path]
) -> None:
    path = write_config('[plans.basic]\nprice = 10.5\ncurrency = "USD"\n')
    result = runner.invoke(main, ["--json", "--config", str(path), "plans"])
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["type"] == "ConfigurationError"
    assert error["key"] == "plans.basic.price"
    assert "floats are refused" in error["expected"]


def test_inline_secret_is_refused_and_never_printed(
    runner: CliRunner, write_config: Callable[..., Path]
) -> None:
    secret = "sk_test_do_not_print_4242"
    path = write_config(f'provider = "local"\n[providers.local]\napi_key = "{secret}"\n')
    for args in (["plans"], ["plans", "--json"]):
        result = runner.invoke(main, ["--config", str(path), *args])
        assert result.exit_code == 2
        assert "api_key_env" in result.output
        assert secret not in result.output


def test_unknown_provider_lists_registered_ones(
    runner: CliRunner, fake_registry: Registry, write_config: Callable[..., Path]
) -> None:
    path = write_config('provider = "acme"\n')
    result = runner.invoke(main, ["--config", str(path), "subscriptions", "--json"], obj=fake_registry)
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["type"] == "UnknownProviderError"
    assert error["registered"] == ["fake"]
    assert "acme" in error["message"]

"""The plugin manager: autoload switch, in-process plugins, unknown providers."""

from __future__ import annotations

import importlib.metadata
import sys
import types
from collections.abc import Callable
from typing import Any

import pytest

import prorata
from prorata.errors import ConfigurationError, UnknownProviderError
from prorata.provider import ProviderSettings, ProviderSpec

from .conftest import FAKE_CAPABILITIES, FakeProvider, FakeStore


class AcmePlugin:
    """A third-party plugin, registered as an object the way a test or host app would."""

    def __init__(self) -> None:
        self.built: list[ProviderSettings] = []

    def _factory(self, settings: ProviderSettings) -> FakeProvider:
        self.built.append(settings)
        return FakeProvider(settings=settings, store=FakeStore(), name="acme")

    @prorata.provider.hookimpl
    def prorata_register_providers(self, register: Callable[[ProviderSpec], None]) -> None:
        register(
            ProviderSpec(
                name="acme", factory=self._factory, capabilities=FAKE_CAPABILITIES, description="Acme Pay"
            )
        )


def _acme_module() -> types.ModuleType:
    module = types.ModuleType("prorata_acme_test_plugin")
    plugin = AcmePlugin()

    @prorata.provider.hookimpl
    def prorata_register_providers(register: Callable[[ProviderSpec], None]) -> None:
        plugin.prorata_register_providers(register)

    module.prorata_register_providers = prorata_register_providers  # type: ignore[attr-defined]
    return module


@pytest.fixture
def entry_point_loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Entry points: a working ``acme`` plugin and a ``broken`` one; records each lookup."""
    calls: list[str] = []
    monkeypatch.setitem(sys.modules, "prorata_acme_test_plugin", _acme_module())
    points = [
        importlib.metadata.EntryPoint("acme", "prorata_acme_test_plugin", prorata.provider.ENTRY_POINT_GROUP),
        importlib.metadata.EntryPoint(
            "broken", "prorata_no_such_module_for_tests", prorata.provider.ENTRY_POINT_GROUP
        ),
    ]

    def entry_points(*, group: str) -> list[importlib.metadata.EntryPoint]:
        calls.append(group)
        return [point for point in points if point.group == group]

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)
    return calls


@pytest.mark.parametrize("value", ["1", "true", "YES", "on"])
def test_autoload_env_var_disables_entry_points(
    monkeypatch: pytest.MonkeyPatch, entry_point_loads: list[str], value: str
) -> None:
    monkeypatch.setenv(prorata.provider.AUTOLOAD_ENV, value)
    manager = prorata.provider.get_plugin_manager()
    assert entry_point_loads == []
    assert list(prorata.provider.get_registry(manager).providers) == ["local"]


@pytest.mark.parametrize("value", [None, "", "0", "no"])
def test_entry_points_load_unless_disabled(
    monkeypatch: pytest.MonkeyPatch, entry_point_loads: list[str], value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv(prorata.provider.AUTOLOAD_ENV, raising=False)
    else:
        monkeypatch.setenv(prorata.provider.AUTOLOAD_ENV, value)
    registry = prorata.provider.get_registry(prorata.provider.get_plugin_manager())
    assert entry_point_loads == [prorata.provider.ENTRY_POINT_GROUP]
    assert sorted(registry.providers) == ["acme", "local"]


def test_explicit_autoload_false_wins(monkeypatch: pytest.MonkeyPatch, entry_point_loads: list[str]) -> None:
    monkeypatch.delenv(prorata.provider.AUTOLOAD_ENV, raising=False)
    prorata.provider.get_plugin_manager(autoload=False)
    assert entry_point_loads == []


def test_a_broken_plugin_does_not_hide_the_others_and_is_named(
    monkeypatch: pytest.MonkeyPatch, entry_point_loads: list[str]
) -> None:
    monkeypatch.delenv(prorata.provider.AUTOLOAD_ENV, raising=False)
    registry = prorata.provider.get_registry(prorata.provider.get_plugin_manager())
    assert "acme" in registry.providers
    assert "prorata_no_such_module_for_tests" in registry.broken["broken"]
    with pytest.raises(UnknownProviderError) as excinfo:
        registry.provider("broken")
    assert "failed to load" in str(excinfo.value)


def test_in_test_plugin_registers_a_provider_billing_can_use() -> None:
    manager = prorata.provider.get_plugin_manager(autoload=False)
    plugin = AcmePlugin()
    manager.register(plugin)
    registry = prorata.provider.get_registry(manager)
    assert sorted(registry.providers) == ["acme", "local"]
    config: dict[str, Any] = {
        "provider": "acme",
        "providers": {"acme": {"region": "eu"}},
        "plans": {"basic": {"price": "10.00", "currency": "USD", "refs": {"acme": "acme_basic"}}},
    }
    billing = prorata.Billing.from_config(config, registry=registry, environ={})
    assert billing.provider.name == "acme"
    assert plugin.built[0].options == {"region": "eu"}


def test_a_plan_without_a_reference_for_the_provider_is_refused() -> None:
    manager = prorata.provider.get_plugin_manager(autoload=False)
    manager.register(AcmePlugin())
    config = {"provider": "acme", "plans": {"basic": {"price": "10.00", "currency": "USD"}}}
    with pytest.raises(ConfigurationError) as excinfo:
        prorata.Billing.from_config(config, registry=prorata.provider.get_registry(manager), environ={})
    assert excinfo.value.key == "plans.basic.refs.acme"


def test_unknown_provider_lists_the_registered_ones() -> None:
    manager = prorata.provider.get_plugin_manager(autoload=False)
    manager.register(AcmePlugin())
    registry = prorata.provider.get_registry(manager)
    with pytest.raises(UnknownProviderError) as excinfo:
        registry.provider("stripe")
    assert excinfo.value.registered == ["acme", "local"]
    assert excinfo.value.name == "stripe"
    assert "acme, local" in str(excinfo.value)


def test_unknown_provider_from_config() -> None:
    registry = prorata.provider.get_registry(prorata.provider.get_plugin_manager(autoload=False))
    with pytest.raises(UnknownProviderError) as excinfo:
        prorata.Billing.from_config({"provider": "nope"}, registry=registry, environ={})
    assert excinfo.value.registered == ["local"]


def test_a_provider_name_registers_once() -> None:
    manager = prorata.provider.get_plugin_manager(autoload=False)
    manager.register(AcmePlugin(), name="first")
    manager.register(AcmePlugin(), name="second")
    with pytest.raises(ConfigurationError) as excinfo:
        prorata.provider.get_registry(manager)
    assert excinfo.value.key == "acme"


def test_unknown_emulator_lists_registered_ones() -> None:
    registry = prorata.provider.Registry()
    with pytest.raises(ConfigurationError) as excinfo:
        registry.emulator("stripe")
    assert "none" in excinfo.value.expected


def test_the_registry_is_cached_on_the_manager_until_plugins_change() -> None:
    manager = prorata.provider.get_plugin_manager(autoload=False)
    first = prorata.provider.get_registry(manager)
    assert prorata.provider.get_registry(manager) is first
    manager.register(AcmePlugin(), name="acme")
    second = prorata.provider.get_registry(manager)
    assert second is not first
    assert sorted(second.providers) == ["acme", "local"]
    manager.unregister(name="acme")
    assert sorted(prorata.provider.get_registry(manager).providers) == ["local"]


def test_the_load_report_lives_on_the_manager(
    monkeypatch: pytest.MonkeyPatch, entry_point_loads: list[str]
) -> None:
    monkeypatch.delenv(prorata.provider.AUTOLOAD_ENV, raising=False)
    manager = prorata.provider.get_plugin_manager()
    assert isinstance(manager, prorata.provider.PluginManager)
    assert set(manager.broken) == {"broken"}
    assert prorata.provider.get_registry(manager).broken == manager.broken


def test_without_a_manager_one_shared_manager_serves_every_call() -> None:
    assert prorata.provider.get_registry() is prorata.provider.get_registry()


def test_the_shared_manager_is_rebuilt_when_a_plugin_module_was_imported_anew(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # as pytester's in-process runs do: sys.modules restored, plugin modules imported again
    before = prorata.provider.get_registry()
    local_package = importlib.import_module("prorata.local")
    monkeypatch.setattr(prorata, "local", local_package)  # restored with sys.modules afterwards
    for name in [
        name for name in sys.modules if name == "prorata.local" or name.startswith("prorata.local.")
    ]:
        monkeypatch.delitem(sys.modules, name)
    fresh_module = importlib.import_module("prorata.local._provider")
    after = prorata.provider.get_registry()
    assert after is not before
    built = after.provider("local").factory(ProviderSettings(name="local", catalog=prorata.Catalog(plans=[])))
    assert isinstance(built, fresh_module.LocalProvider)
    built.close()

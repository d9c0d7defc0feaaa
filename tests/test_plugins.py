"""The in-repo adapters register exactly as a third-party plugin would: through entry points."""

from __future__ import annotations

import prorata


def test_every_in_repo_provider_is_registered_by_its_own_distribution() -> None:
    registry = prorata.provider.get_registry(prorata.provider.get_plugin_manager())
    assert registry.broken == {}
    found = {name: spec.distribution for name, spec in registry.providers.items()}
    assert found == {"local": "prorata", "stripe": "prorata-stripe", "dodo": "prorata-dodo"}
    assert sorted(registry.emulators) == ["dodo", "stripe"]


def test_turning_autoload_off_leaves_only_the_built_in_provider() -> None:
    registry = prorata.provider.get_registry(prorata.provider.get_plugin_manager(autoload=False))
    assert list(registry.providers) == ["local"]
    assert registry.emulators == {}

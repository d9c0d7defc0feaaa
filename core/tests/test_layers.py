"""The three public layers: host-app surface, plugin surface, errors."""

from __future__ import annotations

import typing

import attrs

import prorata
import prorata.errors
import prorata.provider
from prorata._errors import BillingError


def _exported(module: object) -> dict[str, object]:
    return {name: getattr(module, name) for name in module.__all__}  # type: ignore[attr-defined]


def test_every_exported_name_resolves() -> None:
    for module in (prorata, prorata.provider, prorata.errors):
        assert _exported(module), module


def test_errors_live_only_in_prorata_errors() -> None:
    errors = _exported(prorata.errors)
    assert all(isinstance(e, type) and issubclass(e, BillingError) for e in errors.values())
    for module in (prorata, prorata.provider):
        leaked = {
            n for n, v in _exported(module).items() if isinstance(v, type) and issubclass(v, BillingError)
        }
        assert not leaked, (module.__name__, leaked)


def test_plugin_machinery_is_not_on_the_host_surface() -> None:
    for name in ("Provider", "ProviderSpec", "ProviderSettings", "Capabilities", "hookimpl", "get_registry"):
        assert name not in prorata.__all__
        assert name in prorata.provider.__all__


def _domain_classes(hint: object) -> set[type]:
    found: set[type] = set()
    if isinstance(hint, type) and attrs.has(hint):
        found.add(hint)
    for arg in typing.get_args(hint):
        found |= _domain_classes(arg)
    return found


def test_everything_a_provider_returns_or_receives_is_importable_by_a_plugin() -> None:
    """Each attrs class in the Provider protocol's signatures (and their fields) is exported."""
    plugin_names = set(prorata.provider.__all__) | set(prorata.__all__)
    pending: set[type] = set()
    for member in vars(prorata.provider.Provider).values():
        if callable(member):
            for hint in typing.get_type_hints(member).values():
                pending |= _domain_classes(hint)
    seen: set[type] = set()
    while pending:
        cls = pending.pop()
        seen.add(cls)
        for hint in typing.get_type_hints(cls).values():
            pending |= _domain_classes(hint) - seen
    missing = {cls.__name__ for cls in seen if cls.__name__ not in plugin_names}
    assert not missing
    assert {"Subscription", "ChangePreview", "Invoice", "Totals", "ChargeLine", "Customer"} <= {
        c.__name__ for c in seen
    }

"""Plans and the catalog: app-level plan keys with one reference per provider."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from prorata._calendar import Interval
from prorata._errors import InvalidChangeError, ValidationError
from prorata._money import Money
from prorata._validators import field_name, non_empty_str, non_negative_money, trial_length

__all__ = ["Catalog", "Plan"]


def _frozen_mapping(value: Mapping[str, str] | None) -> Mapping[str, str]:
    return MappingProxyType(dict(value or {}))


def _check_refs(instance: Any, attribute: attrs.Attribute[Any], value: Mapping[str, str]) -> None:
    for provider, ref in value.items():
        if not provider or not isinstance(ref, str) or not ref:  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ValidationError(
                f"{field_name(instance, attribute)}[{provider!r}]", ref, "a non-empty provider reference"
            )


@attrs.frozen(kw_only=True, slots=True)
class Plan:
    """A price the host app sells, known by an app-level ``key`` such as ``pro-monthly``.

    ``refs`` maps a provider name to that provider's id for this plan
    (``{"stripe": "price_...", "dodo": "pdt_..."}``). The local provider needs none.
    """

    key: str = attrs.field(validator=non_empty_str)
    """The app-level key host code uses, such as ``pro-monthly``."""
    name: str = attrs.field(validator=non_empty_str)
    """The name shown to customers and on invoice lines."""
    price: Money = attrs.field(validator=non_negative_money)
    """The price of one unit for one interval."""
    interval: Interval = attrs.field(factory=Interval.monthly)
    """How often the plan bills (default monthly)."""
    trial_days: int = attrs.field(default=0, validator=trial_length)
    """Trial length for new subscriptions (0: none)."""
    refs: Mapping[str, str] = attrs.field(
        factory=dict, converter=_frozen_mapping, validator=_check_refs, eq=False, hash=False
    )
    """The plan's id at each provider, by provider name (``{"stripe": "price_..."}``)."""
    addon: bool = False
    """True when the plan is sold only on top of a base plan (Dodo add-ons; extra Stripe items)."""

    def ref(self, provider: str) -> str | None:
        return self.refs.get(provider)

    @property
    def currency(self) -> str:
        return self.price.currency


def _plans_tuple(value: Iterable[Plan]) -> tuple[Plan, ...]:
    return tuple(value)


def _unique_keys(instance: Any, attribute: attrs.Attribute[Any], value: tuple[Plan, ...]) -> None:
    seen: set[str] = set()
    for plan in value:
        if plan.key in seen:
            raise ValidationError("Catalog.plans", plan.key, "unique plan keys")
        seen.add(plan.key)


@attrs.frozen(kw_only=True, slots=True)
class Catalog:
    """Every plan the host app sells. Host apps speak plan keys, never provider ids."""

    plans: tuple[Plan, ...] = attrs.field(converter=_plans_tuple, validator=_unique_keys)
    """The plans, each with a unique key."""

    def __iter__(self) -> Iterator[Plan]:
        return iter(self.plans)

    def __len__(self) -> int:
        return len(self.plans)

    def __contains__(self, key: object) -> bool:
        return any(plan.key == key for plan in self.plans)

    def get(self, key: str, *, field: str = "plan") -> Plan:
        """The plan with ``key``; an unknown key raises InvalidChangeError naming the field."""
        for plan in self.plans:
            if plan.key == key:
                return plan
        known = ", ".join(plan.key for plan in self.plans) or "none"
        raise InvalidChangeError(field, key, f"a plan key of the catalog ({known})")

    def by_ref(self, provider: str, ref: str) -> Plan | None:
        """The plan whose reference for ``provider`` is ``ref`` (used by adapters' mappings)."""
        for plan in self.plans:
            if plan.refs.get(provider) == ref:
                return plan
        return None

    def missing_refs(self, provider: str) -> list[str]:
        """Keys of plans without a reference for ``provider``."""
        return [plan.key for plan in self.plans if provider not in plan.refs]

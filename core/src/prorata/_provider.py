"""The interface every provider implements (the local engine, Stripe, Dodo, plugins)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

import attrs

from prorata._capabilities import Capabilities
from prorata._catalog import Catalog
from prorata._change import PlanChange
from prorata._invoice import Invoice
from prorata._items import CollectionMethod, Discount, Item, TaxRate, as_tuple
from prorata._money import Money
from prorata._preview import ChangePreview, ChangeResult
from prorata._secrets import Secret
from prorata._subscription import Subscription
from prorata._validators import (
    aware,
    email_address,
    enum_of,
    non_empty_str,
    non_negative_int,
    optional_utc,
    trial_length,
)

__all__ = [
    "TEST_CARD_DECLINES",
    "TEST_CARD_SUCCEEDS",
    "Customer",
    "NewCustomer",
    "NewSubscription",
    "Provider",
    "ProviderFactory",
    "ProviderSettings",
    "ProviderSpec",
    "TimeControl",
]


def _frozen(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


TEST_CARD_SUCCEEDS = "test_card_succeeds"
"""Portable name of a test payment method whose charges succeed (Stripe: ``pm_card_visa``)."""
TEST_CARD_DECLINES = "test_card_declines"
"""Portable name of a test payment method whose charges are declined."""


@attrs.frozen(kw_only=True, slots=True)
class NewCustomer:
    """A customer to create; the email is checked before any provider call."""

    email: str = attrs.field(validator=email_address)
    """An email address (checked: ``local@domain.tld``)."""
    name: str | None = None
    """The customer's name, if any."""
    payment_method: str | None = TEST_CARD_SUCCEEDS
    """A provider payment method id, or one of the portable ``TEST_CARD_*`` names."""
    metadata: Mapping[str, str] = attrs.field(factory=dict[str, str], converter=_frozen, eq=False)
    """Extra key-value pairs stored with the customer at the provider."""


@attrs.frozen(kw_only=True, slots=True)
class Customer:
    """A customer as the provider holds it."""

    id: str = attrs.field(validator=non_empty_str)
    """The provider's customer id."""
    email: str
    """The customer's email address."""
    name: str | None = None
    """The customer's name, if given."""


@attrs.frozen(kw_only=True, slots=True)
class NewSubscription:
    """What to subscribe a customer to."""

    customer_id: str = attrs.field(validator=non_empty_str)
    """The provider's id of the customer to subscribe."""
    items: tuple[Item, ...] = attrs.field(converter=as_tuple)
    """The plans and quantities to start with."""
    trial_days: int | None = attrs.field(default=None, validator=trial_length)
    """None: the plan's own trial days; 0: no trial."""
    discounts: tuple[Discount, ...] = attrs.field(default=(), converter=as_tuple)
    """Discounts to apply from the start."""
    tax_rates: tuple[TaxRate, ...] = attrs.field(default=(), converter=as_tuple)
    """Tax rates to apply from the start."""
    collection_method: CollectionMethod = attrs.field(
        default=CollectionMethod.CHARGE_AUTOMATICALLY,
        converter=enum_of(CollectionMethod, "NewSubscription.collection_method"),
    )
    """Charge automatically (default), or send invoices to pay."""
    days_until_due: int | None = None
    """For sent invoices: how many days the customer has to pay."""
    billing_cycle_anchor: datetime | None = attrs.field(default=None, converter=optional_utc, validator=aware)
    """When the billing cycle is anchored (UTC; None: now)."""

    def __attrs_post_init__(self) -> None:
        if self.days_until_due is not None:
            non_negative_int(self, attrs.fields(NewSubscription).days_until_due, self.days_until_due)


@attrs.frozen(kw_only=True, slots=True)
class ProviderSettings:
    """What a provider factory receives: its options, its secrets and the catalog."""

    name: str
    """The provider name the configuration chose."""
    catalog: Catalog
    """The configured plans, with their references for this provider."""
    options: Mapping[str, Any] = attrs.field(factory=dict[str, Any], converter=_frozen)
    """The provider's settings from ``[providers.NAME]``, secrets excluded."""
    secrets: Mapping[str, Secret] = attrs.field(factory=dict[str, Secret], converter=_frozen)
    """Secrets read from the environment (``api_key_env = "VAR"`` gives ``api_key``)."""
    source: str = "<dict>"
    """Where the settings came from, for error messages."""


@runtime_checkable
class TimeControl(Protocol):
    """Moves a provider's clock forward (local clock, Stripe test clock, Dodo emulator)."""

    def now(self) -> datetime: ...

    def advance(self, to: datetime) -> None:
        """Move time to ``to``, running renewals, phase transitions and scheduled changes due."""
        ...


@runtime_checkable
class Provider(Protocol):
    """A billing provider. Core checks every change against ``capabilities`` first.

    Every mutating method takes an ``idempotency_key``: calling it twice with the same key
    must change nothing the second time (natively, or by re-reading and reconciling).
    """

    name: str
    capabilities: Capabilities

    def create_customer(self, customer: NewCustomer, *, idempotency_key: str) -> Customer: ...

    def create_subscription(self, request: NewSubscription, *, idempotency_key: str) -> Subscription: ...

    def get_subscription(self, subscription_id: str) -> Subscription: ...

    def list_subscriptions(self, *, customer_id: str | None = None) -> list[Subscription]: ...

    def preview_change(
        self,
        subscription: Subscription,
        change: PlanChange,
        *,
        target: tuple[Item, ...],
        proration_time: datetime | None,
    ) -> ChangePreview:
        """Price ``change`` without changing anything. ``target`` is the checked result items."""
        ...

    def apply_change(
        self,
        subscription: Subscription,
        change: PlanChange,
        *,
        target: tuple[Item, ...],
        proration_time: datetime | None,
        idempotency_key: str,
    ) -> ChangeResult: ...

    def cancel_scheduled_change(self, subscription_id: str, *, idempotency_key: str) -> Subscription: ...

    def cancel_now(self, subscription_id: str, *, idempotency_key: str) -> Subscription: ...

    def list_invoices(self, subscription_id: str) -> list[Invoice]:
        """Every invoice of the subscription, oldest first (credit notes included)."""
        ...

    def customer_balance(self, customer_id: str, currency: str) -> Money:
        """The customer's credit balance in ``currency`` (positive = credit the customer has)."""
        ...

    def time_control(self) -> TimeControl | None:
        """The provider's clock for tests, or None when it has none."""
        ...

    def close(self) -> None: ...


ProviderFactory = Callable[[ProviderSettings], Provider]


@attrs.frozen(kw_only=True, slots=True)
class ProviderSpec:
    """How a plugin registers a provider: a name, its capabilities and a factory."""

    name: str = attrs.field(validator=non_empty_str)
    """The name a configuration picks (``provider = "acme"``)."""
    factory: ProviderFactory = attrs.field(eq=False)
    """Builds the provider from its ``ProviderSettings``."""
    capabilities: Capabilities
    """What the provider supports; core checks every change against it first."""
    description: str = ""
    """One line for ``prorata providers``."""
    distribution: str = ""
    """The Python distribution that registered it (filled in by the registry)."""

"""Subscriptions as every provider reports them, normalized."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

import attrs

from prorata._errors import ValidationError
from prorata._items import CollectionMethod, Discount, Item, TaxRate, as_tuple
from prorata._payments import PaymentAction
from prorata._schedule import Schedule, ScheduledChange
from prorata._validators import aware, enum_of, field_name, non_empty_str, optional_utc, utc

__all__ = ["Subscription", "SubscriptionStatus"]


class SubscriptionStatus(enum.StrEnum):
    """Normalized status; each adapter maps its provider's statuses onto these."""

    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    INCOMPLETE = "incomplete"
    PAUSED = "paused"
    CANCELED = "canceled"


def _items_valid(instance: Any, attribute: attrs.Attribute[Any], value: tuple[Item, ...]) -> None:
    if not value:
        raise ValidationError(field_name(instance, attribute), value, "at least one item")
    plans = [item.plan for item in value]
    for plan in plans:
        if plans.count(plan) > 1:
            raise ValidationError(field_name(instance, attribute), plan, "each plan at most once")


def _frozen_raw(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


@attrs.frozen(kw_only=True, slots=True)
class Subscription:
    """A customer's subscription, normalized across providers.

    ``raw`` keeps the provider's payload for debugging; it is left out of repr and equality.
    """

    id: str = attrs.field(validator=non_empty_str)
    """The provider's subscription id."""
    customer_id: str = attrs.field(validator=non_empty_str)
    """The provider's id of the customer."""
    provider: str = attrs.field(validator=non_empty_str)
    """The name of the provider that holds it."""
    status: SubscriptionStatus = attrs.field(converter=enum_of(SubscriptionStatus, "Subscription.status"))
    """Trialing, active, past due, incomplete, paused or canceled."""
    items: tuple[Item, ...] = attrs.field(converter=as_tuple, validator=_items_valid)
    """The plans and quantities it bills now."""
    currency: str
    """ISO 4217 code it bills in."""
    current_period_start: datetime = attrs.field(converter=utc, validator=aware)
    """Start of the current billing period (UTC)."""
    current_period_end: datetime = attrs.field(converter=utc, validator=aware)
    """End of the current billing period (UTC), when it renews."""
    billing_cycle_anchor: datetime = attrs.field(converter=utc, validator=aware)
    """The instant billing periods are counted from (UTC)."""
    cancel_at_period_end: bool = False
    """True when it ends with the current period instead of renewing."""
    canceled_at: datetime | None = attrs.field(default=None, converter=optional_utc, validator=aware)
    """When it was canceled or set to cancel (UTC), if it was."""
    trial_end: datetime | None = attrs.field(default=None, converter=optional_utc, validator=aware)
    """When its trial ends (UTC), if it has one."""
    discounts: tuple[Discount, ...] = attrs.field(default=(), converter=as_tuple)
    """Discounts applied to its invoices."""
    tax_rates: tuple[TaxRate, ...] = attrs.field(default=(), converter=as_tuple)
    """Tax rates applied to its invoices."""
    collection_method: CollectionMethod = attrs.field(
        default=CollectionMethod.CHARGE_AUTOMATICALLY,
        converter=enum_of(CollectionMethod, "Subscription.collection_method"),
    )
    """Charged automatically, or invoices sent to be paid."""
    days_until_due: int | None = None
    """For sent invoices: how many days the customer has to pay."""
    schedule: Schedule | None = None
    """An attached multi-phase schedule, if any."""
    scheduled_change: ScheduledChange | None = None
    """A single pending change waiting for its time, if any."""
    payment_action: PaymentAction | None = attrs.field(default=None, eq=False)
    """Set while the customer must act to pay the latest invoice (3-D Secure, hosted page)."""
    revision: str | None = attrs.field(default=None, eq=False)
    """Opaque version the provider gives the subscription, changed by every write (if it has one).

    Derived idempotency keys include it, so repeating a change after the subscription came
    back to the same state is not mistaken for a retry.
    """
    raw: Mapping[str, Any] = attrs.field(
        factory=dict[str, Any], converter=_frozen_raw, repr=False, eq=False, hash=False
    )
    """The provider's payload, kept out of reprs and comparisons."""

    def __attrs_post_init__(self) -> None:
        if self.current_period_end <= self.current_period_start:
            raise ValidationError(
                "Subscription.current_period_end",
                self.current_period_end,
                "a time after current_period_start",
            )
        if self.collection_method is CollectionMethod.SEND_INVOICE and self.days_until_due is None:
            raise ValidationError(
                "Subscription.days_until_due", None, "days until due when collection is by sent invoice"
            )

    def item(self, plan: str) -> Item | None:
        return next((item for item in self.items if item.plan == plan), None)

    @property
    def plan_quantities(self) -> dict[str, int]:
        return {item.plan: item.quantity for item in self.items}

    @property
    def is_canceled(self) -> bool:
        return self.status is SubscriptionStatus.CANCELED

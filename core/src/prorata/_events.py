"""Normalized webhook events, and what processing one returned."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

import attrs

from prorata._event_types import EventType
from prorata._invoice import Invoice
from prorata._subscription import Subscription
from prorata._validators import aware, non_empty_str, utc

__all__ = ["BillingEvent", "EventOutcome"]


def _frozen_raw(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


@attrs.frozen(kw_only=True, slots=True)
class BillingEvent:
    """One verified provider event, normalized.

    ``subscription`` / ``invoice`` are the objects as the payload carried them when it was
    sent: they may be stale by the time the event arrives (events are delivered at least
    once and in any order), so act on ``Billing.sync(event.subscription_id)``, not on them.
    ``raw`` is the provider's payload, left out of repr and equality.
    """

    id: str = attrs.field(validator=non_empty_str)
    """The provider's event id (Stripe ``evt_...``, Standard Webhooks ``webhook-id``)."""
    provider: str = attrs.field(validator=non_empty_str)
    """The provider that sent the event."""
    type: EventType = attrs.field(converter=EventType)
    """The normalized event type."""
    provider_type: str
    """The provider's own event type, e.g. ``customer.subscription.updated``."""
    occurred_at: datetime = attrs.field(converter=utc, validator=aware)
    """When the provider says it happened (UTC)."""
    subscription_id: str | None = None
    """The subscription it concerns, if any."""
    invoice_id: str | None = None
    """The invoice it concerns, if any."""
    customer_id: str | None = None
    """The customer it concerns, if any."""
    subscription: Subscription | None = attrs.field(default=None, eq=False)
    """The subscription as the event carried it (may be stale: act on ``Billing.sync``)."""
    invoice: Invoice | None = attrs.field(default=None, eq=False)
    """The invoice as the event carried it, if any."""
    raw: Mapping[str, Any] = attrs.field(
        factory=dict[str, Any], converter=_frozen_raw, repr=False, eq=False, hash=False
    )
    """The provider's payload, kept out of reprs."""


@attrs.frozen(kw_only=True, slots=True)
class EventOutcome:
    """What ``Billing.process_event`` did with one delivery."""

    event: BillingEvent
    """The verified, normalized event."""
    duplicate: bool
    """True when this event id was processed before: the handler was not called."""
    result: Any = None
    """What the handler returned (None for a duplicate)."""

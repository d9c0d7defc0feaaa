"""The normalized event types every provider's webhooks are mapped onto."""

from __future__ import annotations

import enum

__all__ = ["EventType"]


class EventType(enum.StrEnum):
    """What happened, in one vocabulary for every provider (see docs/events.md for the mapping).

    ``OTHER`` is a provider event prorata does not normalize (its ``provider_type`` says which);
    it is still verified and deduplicated, so a host app may ignore it safely.
    """

    SUBSCRIPTION_CREATED = "subscription.created"
    SUBSCRIPTION_UPDATED = "subscription.updated"
    """Items, quantities, cancel-at-period-end, payment method or status changed on request."""
    SUBSCRIPTION_TRIAL_WILL_END = "subscription.trial_will_end"
    SUBSCRIPTION_RENEWED = "subscription.renewed"
    """A new paid period started (a renewal, or the first period after a trial)."""
    SUBSCRIPTION_PAST_DUE = "subscription.past_due"
    SUBSCRIPTION_CANCELED = "subscription.canceled"
    SUBSCRIPTION_SCHEDULED_CHANGE_APPLIED = "subscription.scheduled_change_applied"
    INVOICE_CREATED = "invoice.created"
    INVOICE_FINALIZED = "invoice.finalized"
    INVOICE_PAID = "invoice.paid"
    INVOICE_PAYMENT_FAILED = "invoice.payment_failed"
    INVOICE_PAYMENT_ACTION_REQUIRED = "invoice.payment_action_required"
    REFUND_CREATED = "refund.created"
    OTHER = "other"

    @property
    def is_subscription(self) -> bool:
        return self.value.startswith("subscription.")

    @property
    def is_invoice(self) -> bool:
        return self.value.startswith("invoice.")

"""What ``Billing.sync`` returns: a subscription's state, latest invoice and next payment."""

from __future__ import annotations

from datetime import datetime

import attrs

from prorata._invoice import Invoice, InvoiceStatus, UpcomingInvoice
from prorata._items import Item
from prorata._money import Money
from prorata._payments import PaymentAction
from prorata._schedule import ScheduledChange
from prorata._subscription import Subscription, SubscriptionStatus
from prorata._validators import aware, utc

__all__ = ["NextPayment", "SubscriptionSnapshot"]


@attrs.frozen(kw_only=True, slots=True)
class NextPayment:
    """The next regular charge: when, how much (the credit balance applied first), and its lines."""

    at: datetime = attrs.field(converter=utc, validator=aware)
    """When the charge will be made (UTC)."""
    amount: Money
    """What will be collected: ``invoice.totals.amount_due``."""
    invoice: UpcomingInvoice
    """The invoice it will be, with the credit balance applied."""


@attrs.frozen(kw_only=True, slots=True)
class SubscriptionSnapshot:
    """One consistent read of a subscription (``Billing.sync``), for webhook handlers and pages.

    ``next_payment`` is None when no regular payment is ahead: canceled, cancelling at the
    period end, or ``incomplete`` (the first payment is still due: ``payment_action``).
    """

    subscription: Subscription
    """The subscription as it is now."""
    latest_invoice: Invoice | None
    """Its most recent invoice, if any."""
    next_payment: NextPayment | None
    """The next regular charge, or None when nothing more will be charged."""

    @property
    def id(self) -> str:
        return self.subscription.id

    @property
    def status(self) -> SubscriptionStatus:
        return self.subscription.status

    @property
    def items(self) -> tuple[Item, ...]:
        return self.subscription.items

    @property
    def current_period_start(self) -> datetime:
        return self.subscription.current_period_start

    @property
    def current_period_end(self) -> datetime:
        return self.subscription.current_period_end

    @property
    def trial_end(self) -> datetime | None:
        return self.subscription.trial_end

    @property
    def cancel_at_period_end(self) -> bool:
        return self.subscription.cancel_at_period_end

    @property
    def scheduled_change(self) -> ScheduledChange | None:
        return self.subscription.scheduled_change

    @property
    def payment_action(self) -> PaymentAction | None:
        return self.subscription.payment_action

    @property
    def latest_invoice_status(self) -> InvoiceStatus | None:
        return None if self.latest_invoice is None else self.latest_invoice.status

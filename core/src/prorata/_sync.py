"""``Billing.sync``: a provider's own bounded read, or get + invoices + figures."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from prorata._catalog import Catalog
from prorata._figures import next_invoice
from prorata._invoice import UpcomingInvoice
from prorata._money import Money
from prorata._provider import Provider
from prorata._snapshot import NextPayment, SubscriptionSnapshot
from prorata._subscription import Subscription, SubscriptionStatus

__all__ = ["SyncProvider", "next_payment_of", "renews", "sync", "upcoming_renewal"]


@runtime_checkable
class SyncProvider(Protocol):
    """A provider that reads a whole snapshot in a bounded number of requests (optional).

    Without it, ``Billing.sync`` reads the subscription, every invoice and the balance.
    """

    def sync_subscription(self, subscription_id: str) -> SubscriptionSnapshot: ...


def renews(subscription: Subscription) -> bool:
    """Whether a regular payment is ahead: not canceled, not cancelling at the period end, and
    not ``incomplete`` (its first payment is still due: that is its ``payment_action``)."""
    return not (
        subscription.is_canceled
        or subscription.cancel_at_period_end
        or subscription.status is SubscriptionStatus.INCOMPLETE
    )


def upcoming_renewal(catalog: Catalog, subscription: Subscription, balance: Money) -> UpcomingInvoice | None:
    """The next regular invoice from the catalog (a change scheduled for the period end
    included), or None when no regular payment is ahead (see :func:`renews`)."""
    if not renews(subscription):
        return None
    at = subscription.current_period_end
    scheduled = subscription.scheduled_change
    items = scheduled.items if scheduled is not None and scheduled.effective_at <= at else subscription.items
    return next_invoice(
        catalog,
        items,
        at=at,
        currency=subscription.currency,
        discounts=[d for d in subscription.discounts if d.active],
        tax_rates=subscription.tax_rates,
        balance=balance,
    )


def next_payment_of(upcoming: UpcomingInvoice | None) -> NextPayment | None:
    if upcoming is None:
        return None
    return NextPayment(at=upcoming.at, amount=upcoming.totals.amount_due, invoice=upcoming)


def sync(provider: Provider, catalog: Catalog, subscription_id: str) -> SubscriptionSnapshot:
    if isinstance(provider, SyncProvider):
        return provider.sync_subscription(subscription_id)
    subscription = provider.get_subscription(subscription_id)
    invoices = provider.list_invoices(subscription_id)
    balance = provider.customer_balance(subscription.customer_id, subscription.currency)
    return SubscriptionSnapshot(
        subscription=subscription,
        latest_invoice=invoices[-1] if invoices else None,
        next_payment=next_payment_of(upcoming_renewal(catalog, subscription, balance)),
    )

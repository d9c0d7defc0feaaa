"""``Billing.sync`` on Dodo Payments in three requests, however many payments there were.

1. ``subscriptions.retrieve``;
2. ``payments.list(subscription_id=..., page_size=1)``: the newest payment only (lists are
   newest first; pages from 0): https://docs.dodopayments.com/api-reference/payments
3. ``customers.wallets.list``: the credit balance that pays the next renewal first (or, for an
   ``incomplete`` subscription, ``payments.retrieve`` of the payment waiting for the customer).

The next payment is figured by core from the catalog (Dodo has no upcoming-invoice API).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import dodopayments

from prorata import Catalog
from prorata.provider import (
    InvoiceStatus,
    Money,
    PaymentAction,
    SubscriptionSnapshot,
    SubscriptionStatus,
    next_payment_of,
    renews,
    upcoming_renewal,
)
from prorata_dodo import _mapping

__all__ = ["sync_subscription"]

Read = Callable[[str, Callable[[], Any]], Any]


def sync_subscription(
    client: dodopayments.DodoPayments,
    catalog: Catalog,
    read: Read,
    subscription_id: str,
    *,
    waiting_action: Callable[[str], PaymentAction | None],
) -> SubscriptionSnapshot:
    """``waiting_action(payment_id)``: the action of a payment that waits for the customer (one
    ``payments.retrieve``); asked only for an ``incomplete`` subscription, which then needs no
    wallet (no regular payment is ahead), so the total stays three requests."""
    found = read(
        f"retrieve subscription {subscription_id}", lambda: client.subscriptions.retrieve(subscription_id)
    )
    subscription = _mapping.subscription_from(catalog, found)
    page = read(
        "list payments",
        lambda: client.payments.list(subscription_id=subscription_id, page_size=1, page_number=0),
    )
    newest: list[Any] = list(page.items)
    failed = InvoiceStatus.OPEN if subscription.status is SubscriptionStatus.PAST_DUE else InvoiceStatus.VOID
    latest = _mapping.invoice_from_payment(catalog, newest[0], None, failed_status=failed) if newest else None
    if subscription.status is SubscriptionStatus.INCOMPLETE and newest:
        action = waiting_action(str(newest[0].payment_id))
        if action is not None:
            subscription = attrs.evolve(subscription, payment_action=action)
    if not renews(subscription):
        return SubscriptionSnapshot(subscription=subscription, latest_invoice=latest, next_payment=None)
    wallets = read(
        f"list wallets of {subscription.customer_id}",
        lambda: client.customers.wallets.list(subscription.customer_id),
    )
    currency = subscription.currency
    balance = Money.of(sum(w.balance for w in wallets.items if str(w.currency).upper() == currency), currency)
    return SubscriptionSnapshot(
        subscription=subscription,
        latest_invoice=latest,
        next_payment=next_payment_of(upcoming_renewal(catalog, subscription, balance)),
    )

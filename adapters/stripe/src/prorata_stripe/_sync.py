"""``Billing.sync`` on Stripe in at most two requests, however long the history.

1. ``subscriptions.retrieve`` expanding what every read expands (the schedule, the coupons,
   ``latest_invoice`` with its confirmation secret) and the ``customer`` (its balance):
   https://docs.stripe.com/api/expanding_objects
2. ``invoices.create_preview`` of the subscription as it stands: the next regular invoice
   with pending prorations, discounts, tax and the customer balance applied
   (https://docs.stripe.com/api/invoices/create_preview); skipped when nothing renews.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import stripe

from prorata import Catalog
from prorata.provider import NextPayment, SubscriptionSnapshot, UpcomingInvoice, renews
from prorata_stripe import _mapping as mapping
from prorata_stripe._errors import stripe_errors

__all__ = ["sync_subscription"]


def _dict(obj: Any) -> dict[str, Any]:
    return obj.to_dict()


def sync_subscription(
    client: stripe.StripeClient, catalog: Catalog, subscription_id: str, *, expand: list[str]
) -> SubscriptionSnapshot:
    """``expand``: what every subscription read expands (the latest invoice among them); the
    ``customer`` is expanded too, for its balance."""
    with stripe_errors("retrieve subscription"):
        data = _dict(client.v1.subscriptions.retrieve(subscription_id, {"expand": [*expand, "customer"]}))
    subscription = mapping.subscription_from_stripe(catalog, data)
    latest: Any = data.get("latest_invoice")
    invoice = mapping.invoice_from_stripe(catalog, dict(latest)) if isinstance(latest, Mapping) else None  # pyright: ignore[reportUnknownArgumentType]
    next_payment: NextPayment | None = None
    if renews(subscription):
        with stripe_errors("preview the next invoice"):
            upcoming = _dict(
                client.v1.invoices.create_preview(
                    {"subscription": subscription_id, "customer": subscription.customer_id}
                )
            )
        reason = upcoming.get("billing_reason")
        totals = mapping.totals_from_stripe(upcoming)
        lines = tuple(mapping.line_from_stripe(catalog, line, reason) for line in upcoming["lines"]["data"])
        at = subscription.current_period_end
        next_payment = NextPayment(
            at=at, amount=totals.amount_due, invoice=UpcomingInvoice(at=at, lines=lines, totals=totals)
        )
    return SubscriptionSnapshot(subscription=subscription, latest_invoice=invoice, next_payment=next_payment)

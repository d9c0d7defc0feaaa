"""Paged listing on Stripe: one ``GET /v1/subscriptions`` or ``/v1/invoices`` per page.

Stripe pages with ``limit`` and ``starting_after`` (https://docs.stripe.com/api/pagination)
and filters subscriptions by ``customer``, one ``status`` and one ``price``
(https://docs.stripe.com/api/subscriptions/list). Filters Stripe cannot take in one request
(several statuses, several plans, a normalized status two Stripe statuses map to) are
applied to the page read, so a page may hold fewer items than ``page_size``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import stripe

from prorata import Catalog
from prorata.provider import Invoice, InvoiceQuery, Page, Subscription, SubscriptionQuery, SubscriptionStatus
from prorata_stripe import _mapping as mapping
from prorata_stripe._errors import stripe_errors

__all__ = ["invoices_page", "subscriptions_page"]

_ONE_STRIPE_STATUS = {
    SubscriptionStatus.ACTIVE: "active",
    SubscriptionStatus.TRIALING: "trialing",
    SubscriptionStatus.INCOMPLETE: "incomplete",
    SubscriptionStatus.PAUSED: "paused",
}
"""Normalized statuses that exactly one Stripe status maps to (past_due is past_due or unpaid,
canceled is canceled or incomplete_expired): only these are sent as the ``status`` filter."""


def _status_param(statuses: Sequence[SubscriptionStatus]) -> str:
    if len(statuses) == 1 and statuses[0] in _ONE_STRIPE_STATUS:
        return _ONE_STRIPE_STATUS[statuses[0]]
    return "all"


def subscriptions_page(
    client: stripe.StripeClient, catalog: Catalog, query: SubscriptionQuery, expand: Sequence[str]
) -> Page[Subscription]:
    params: dict[str, Any] = {
        "status": _status_param(query.statuses),
        "limit": query.page_size,
        "expand": [f"data.{path}" for path in expand],
    }
    if query.customer_id is not None:
        params["customer"] = query.customer_id
    if len(query.plans) == 1:
        params["price"] = mapping.price_ref(catalog, query.plans[0], "SubscriptionQuery.plans")
    if query.cursor is not None:
        params["starting_after"] = query.cursor
    with stripe_errors("list subscriptions"):
        page = client.v1.subscriptions.list(params)  # pyright: ignore[reportArgumentType]
    rows = [row.to_dict() for row in page.data]
    found = [mapping.subscription_from_stripe(catalog, row) for row in rows]
    return Page(
        items=tuple(sub for sub in found if query.matches(sub)),
        next_cursor=str(rows[-1]["id"]) if page.has_more and rows else None,
    )


def invoices_page(client: stripe.StripeClient, catalog: Catalog, query: InvoiceQuery) -> Page[Invoice]:
    """Newest first: one request per page. Oldest first (the default): Stripe lists newest
    first only, so the whole list is read (auto-paging) and returned as one page."""
    params: dict[str, Any] = {"limit": query.page_size if query.newest_first else 100}
    if query.subscription_id is not None:
        params["subscription"] = query.subscription_id
    if query.customer_id is not None:
        params["customer"] = query.customer_id
    with stripe_errors("list invoices"):
        if not query.newest_first:
            listed = client.v1.invoices.list(params)  # pyright: ignore[reportArgumentType]
            found = [mapping.invoice_from_stripe(catalog, row.to_dict()) for row in listed.auto_paging_iter()]
            return Page(items=tuple(reversed(found)))
        if query.cursor is not None:
            params["starting_after"] = query.cursor
        page = client.v1.invoices.list(params)  # pyright: ignore[reportArgumentType]
    rows = [row.to_dict() for row in page.data]
    return Page(
        items=tuple(mapping.invoice_from_stripe(catalog, row) for row in rows),
        next_cursor=str(rows[-1]["id"]) if page.has_more and rows else None,
    )

"""Paged listing on Dodo Payments: one ``GET /subscriptions`` per page, details only where needed.

Dodo pages by ``page_number`` (from 0) and ``page_size``, and filters by ``customer_id``,
one ``status`` and one ``product_id`` (https://docs.dodopayments.com/api-reference/subscriptions/get-subscriptions).
A list row (``SubscriptionListResponse``) has everything prorata maps except **add-ons** and
**discount details**, so a row is retrieved (``GET /subscriptions/{id}``) only when it has a
discount, or when its ``recurring_pre_tax_amount`` is not the base product's price x quantity
(so it has add-ons). A page of plain subscriptions costs one request.

Page numbers are offsets: a subscription created while a listing runs can shift a row onto the
next page (seen twice); a migration selects, then applies, so it is not affected.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dodopayments import DodoPayments
from dodopayments.types import SubscriptionListResponse

from prorata import Catalog
from prorata.provider import Page, Subscription, SubscriptionQuery, SubscriptionStatus
from prorata_dodo import _mapping
from prorata_dodo._errors import PROVIDER

__all__ = ["needs_details", "subscriptions_page"]

_ONE_DODO_STATUS = {
    SubscriptionStatus.ACTIVE: "active",
    SubscriptionStatus.TRIALING: "active",  # a trial is an active Dodo subscription
    SubscriptionStatus.PAUSED: "paused",
    SubscriptionStatus.INCOMPLETE: "pending",
}
"""Normalized statuses one Dodo status covers (past_due is on_hold or past_due, canceled is
cancelled, failed or expired): only these are sent as the ``status`` filter."""


def _status_filter(statuses: Sequence[SubscriptionStatus]) -> str | None:
    wanted = {_ONE_DODO_STATUS.get(status) for status in statuses}
    return wanted.pop() if len(wanted) == 1 and None not in wanted else None


def needs_details(catalog: Catalog, row: SubscriptionListResponse) -> bool:
    """Whether a list row lacks what the domain needs (add-ons, discount details)."""
    if row.discounts or row.discount_id:
        return True
    plan = catalog.by_ref(PROVIDER, row.product_id)
    return plan is None or row.recurring_pre_tax_amount != plan.price.amount * row.quantity


def subscriptions_page(
    client: DodoPayments,
    catalog: Catalog,
    query: SubscriptionQuery,
    read: Callable[[str, Callable[[], object]], object],
    retrieve: Callable[[str], Subscription],
) -> Page[Subscription]:
    number = int(query.cursor or 0)
    filters: dict[str, str] = {}
    if query.customer_id is not None:
        filters["customer_id"] = query.customer_id
    status = _status_filter(query.statuses)
    if status is not None:
        filters["status"] = status
    if len(query.plans) == 1 and not catalog.get(query.plans[0]).addon:
        filters["product_id"] = _mapping.ref(catalog.get(query.plans[0], field="SubscriptionQuery.plans"))
    page = read(
        "list subscriptions",
        lambda: client.subscriptions.list(page_number=number, page_size=query.page_size, **filters),  # pyright: ignore[reportArgumentType]
    )
    rows: list[SubscriptionListResponse] = list(page.items)  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType, reportUnknownArgumentType]
    found = [
        retrieve(row.subscription_id)
        if needs_details(catalog, row)
        else _mapping.subscription_from(catalog, row)
        for row in rows
    ]
    return Page(
        items=tuple(sub for sub in found if query.matches(sub)),
        next_cursor=str(number + 1) if len(rows) == query.page_size else None,
    )

"""The next regular invoice of a set of items, from the catalog (keeps previews to one request)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from prorata import Catalog
from prorata.provider import (
    ChargeLine,
    Discount,
    Item,
    LineKind,
    Money,
    TaxRate,
    Totals,
    UpcomingInvoice,
    add_intervals,
)

__all__ = ["recurring_invoice"]


def recurring_invoice(
    catalog: Catalog,
    items: Sequence[Item],
    at: datetime,
    discounts: Sequence[Discount],
    tax_rates: Sequence[TaxRate],
    currency: str,
) -> UpcomingInvoice:
    """Whole-period lines for ``items`` from ``at``; discounts and exclusive taxes per docs/proration.md."""
    lines: list[ChargeLine] = []
    for item in items:
        plan = catalog.get(item.plan)
        lines.append(
            ChargeLine(
                description=f"{item.quantity} × {plan.name}",  # noqa: RUF001 - the multiplication sign Stripe uses
                amount=plan.price * item.quantity,
                kind=LineKind.RECURRING,
                plan=plan.key,
                quantity=item.quantity,
                period_start=at,
                period_end=add_intervals(at, plan.interval, 1),
            )
        )
    subtotal = Money.zero(currency)
    for line in lines:
        subtotal = subtotal + line.amount
    discount = Money.zero(currency)
    for applied in discounts:
        if applied.active and (applied.percent_off is not None or subtotal.amount > 0):
            discount = discount + applied.amount_for(subtotal)
    tax = Money.zero(currency)
    for rate in tax_rates:
        if not rate.inclusive:
            tax = tax + (subtotal - discount).percent(rate.percentage)
    total = subtotal - discount + tax
    nothing = Money.zero(currency)
    totals = Totals(
        subtotal=subtotal,
        discount=discount,
        tax=tax,
        total=total,
        amount_due=total if total.amount > 0 else nothing,
        balance_applied=nothing,
        credited=-total if total.amount < 0 else nothing,
    )
    return UpcomingInvoice(at=at, lines=tuple(lines), totals=totals)

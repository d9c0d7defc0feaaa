"""The next regular invoice of a set of items, from the catalog (keeps previews to one request)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from prorata import Catalog
from prorata.provider import Discount, Item, Money, TaxRate, UpcomingInvoice, next_invoice
from prorata_stripe._amounts import from_stripe

__all__ = ["credit_balance", "recurring_invoice"]


def credit_balance(stripe_balance: int | None, currency: str) -> Money:
    """prorata's credit balance (positive = credit) from a Stripe customer ``balance``.

    Stripe's sign is the other way round: a negative balance is credit the customer has.
    https://docs.stripe.com/billing/customer/balance
    """
    return from_stripe(-(stripe_balance or 0), currency)


def recurring_invoice(
    catalog: Catalog,
    items: Sequence[Item],
    at: datetime,
    discounts: Sequence[Discount],
    tax_rates: Sequence[TaxRate],
    currency: str,
    balance: Money,
) -> UpcomingInvoice:
    """Whole-period lines for ``items`` from ``at``, figured by core (docs/proration.md)."""
    return next_invoice(
        catalog,
        items,
        at=at,
        currency=currency,
        discounts=[d for d in discounts if d.active],
        tax_rates=tax_rates,
        balance=balance,
    )

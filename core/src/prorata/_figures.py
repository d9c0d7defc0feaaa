"""The one reading of docs/proration.md's invoice figures: discounts, tax, balance, next invoice.

Every customer-facing amount that core, the local engine and the adapters compute comes
from here, so a change shows the same money whichever provider runs it. (The contract
suite keeps its own, independent reading as its oracle.)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from fractions import Fraction

from prorata._calendar import add_intervals
from prorata._catalog import Catalog
from prorata._invoice import ChargeLine, LineKind, Totals, UpcomingInvoice
from prorata._items import Discount, Item, TaxRate
from prorata._money import Money, sum_money

__all__ = [
    "balance_after",
    "discount_total",
    "invoice_totals",
    "next_invoice",
    "recurring_lines",
    "settle_balance",
    "tax_total",
]


def discount_total(subtotal: Money, discounts: Sequence[Discount]) -> Money:
    """What the active ``discounts`` take off ``subtotal``, applied in their listed order.

    A percent-off discount takes ``round(subtotal * percent / 100)`` of the subtotal (so
    it also scales a credit: the customer is credited what was actually paid). An
    amount-off discount applies only to a positive subtotal and takes at most what is
    left of it after the discounts before it; the total never exceeds a positive subtotal.
    """
    taken = Money.zero(subtotal.currency)
    for applied in discounts:
        if not applied.active:
            continue
        if applied.percent_off is not None:
            taken = taken + subtotal.percent(applied.percent_off)
        elif subtotal.amount > 0 and taken < subtotal:
            taken = taken + applied.amount_for(subtotal - taken)
    if subtotal.amount > 0 and taken > subtotal:
        return subtotal
    return taken


def tax_total(net: Money, tax_rates: Sequence[TaxRate]) -> tuple[Money, Money]:
    """``(reported tax, tax added to the total)`` on ``net`` (the subtotal less discounts).

    An exclusive rate adds ``round(net * rate / 100)``; an inclusive rate is already in
    the prices, so its share ``round(net * rate / (100 + rate))`` is reported, not added.
    Both are negative on a net credit (tax is refunded with the credit).
    """
    reported = Money.zero(net.currency)
    added = Money.zero(net.currency)
    for rate in tax_rates:
        percentage = Fraction(rate.percentage)
        if rate.inclusive:
            reported = reported + net.scale(percentage / (100 + percentage))
        else:
            amount = net.scale(percentage / 100)
            reported = reported + amount
            added = added + amount
    return reported, added


def settle_balance(total: Money, balance: Money) -> tuple[Money, Money, Money]:
    """``(amount_due, balance_applied, credited)`` of ``total`` with ``balance`` of credit.

    A positive total is paid first from the credit balance; a negative one is credited.
    """
    currency = total.currency
    positive = Money.of(max(total.amount, 0), currency)
    available = Money.of(max(balance.amount, 0), currency)
    applied = available if available < positive else positive
    return positive - applied, applied, Money.of(max(-total.amount, 0), currency)


def balance_after(balance: Money, totals: Totals) -> Money:
    """The customer's credit balance once an invoice with ``totals`` is settled."""
    return balance - totals.balance_applied + totals.credited


def invoice_totals(
    lines: Sequence[ChargeLine],
    *,
    currency: str,
    discounts: Sequence[Discount],
    tax_rates: Sequence[TaxRate],
    balance: Money,
) -> Totals:
    """Figures of an invoice: discounts, then taxes, then the customer's credit ``balance``."""
    subtotal = sum_money([line.amount for line in lines], currency)
    discount = discount_total(subtotal, discounts)
    tax, added = tax_total(subtotal - discount, tax_rates)
    total = subtotal - discount + added
    amount_due, applied, credited = settle_balance(total, balance)
    return Totals(
        subtotal=subtotal,
        discount=discount,
        tax=tax,
        total=total,
        amount_due=amount_due,
        balance_applied=applied,
        credited=credited,
    )


def recurring_lines(
    catalog: Catalog, items: Sequence[Item], start: datetime, end: datetime | None = None
) -> tuple[ChargeLine, ...]:
    """The whole-period lines of ``items`` for the period starting at ``start``."""
    lines: list[ChargeLine] = []
    for item in items:
        plan = catalog.get(item.plan)
        stop = end or add_intervals(start, plan.interval, 1)
        lines.append(
            ChargeLine(
                description=f"{item.quantity} x {plan.name} ({start:%Y-%m-%d} - {stop:%Y-%m-%d})",
                amount=plan.price * item.quantity,
                kind=LineKind.RECURRING,
                plan=plan.key,
                quantity=item.quantity,
                period_start=start,
                period_end=stop,
            )
        )
    return tuple(lines)


def next_invoice(
    catalog: Catalog,
    items: Sequence[Item],
    *,
    at: datetime,
    currency: str,
    discounts: Sequence[Discount],
    tax_rates: Sequence[TaxRate],
    balance: Money,
    pending: Sequence[ChargeLine] = (),
    end: datetime | None = None,
) -> UpcomingInvoice:
    """The next regular invoice at ``at``: ``pending`` prorations, then a period of ``items``.

    ``balance`` is the customer's credit balance as it will stand then; it pays the
    invoice first, so ``totals.amount_due`` is what the renewal will charge.
    """
    lines = tuple(pending) + recurring_lines(catalog, items, at, end)
    totals = invoice_totals(
        lines, currency=currency, discounts=discounts, tax_rates=tax_rates, balance=balance
    )
    return UpcomingInvoice(at=at, lines=lines, totals=totals)

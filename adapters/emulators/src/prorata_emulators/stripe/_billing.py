"""Invoice maths as docs/proration.md states it: per-line rounding half away from zero,
percent and amount-off discounts, exclusive and inclusive tax rates, customer balance."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from prorata.provider import round_half_away_from_zero
from prorata_emulators.stripe._store import JSON, Store

__all__ = ["InvoiceFigures", "active_discounts", "figures", "prorate"]


def prorate(amount: int, t: int, start: int, end: int) -> int:
    """``amount`` for the unused part ``[t, end)`` of ``[start, end)``, to the second."""
    if end <= start:
        return 0
    return round_half_away_from_zero(Fraction(amount * (end - t), end - start))


def _percent(amount: int, percent: float | int) -> int:
    return round_half_away_from_zero(Fraction(amount) * Fraction(Decimal(str(percent))) / 100)


def active_discounts(store: Store, discount_ids: list[str], at: int) -> list[JSON]:
    """Discount objects still running at ``at``."""
    found: list[JSON] = []
    for discount_id in discount_ids:
        discount = store.maybe("discount", discount_id)
        if discount is None:
            continue
        if discount["end"] is not None and at >= discount["end"]:
            continue
        found.append(discount)
    return found


class InvoiceFigures:
    """Subtotal, discounts, taxes, total and what the customer's balance covers."""

    def __init__(
        self,
        subtotal: int,
        discounts: list[tuple[str, int]],
        taxes: list[tuple[JSON, int, int]],
        starting_balance: int,
    ) -> None:
        self.subtotal = subtotal
        self.discounts = discounts
        self.taxes = taxes
        self.discount = sum(amount for _, amount in discounts)
        exclusive = sum(amount for rate, amount, _ in taxes if not rate["inclusive"])
        self.tax = exclusive
        self.total = subtotal - self.discount + exclusive
        self.starting_balance = starting_balance
        if self.total <= 0:
            self.amount_due = 0
            self.ending_balance = starting_balance + self.total
        else:
            self.amount_due = max(0, self.total + starting_balance)
            self.ending_balance = min(0, self.total + starting_balance)


def figures(
    store: Store, lines: list[JSON], discounts: list[JSON], tax_rates: list[JSON], starting_balance: int
) -> InvoiceFigures:
    subtotal = sum(int(line["amount"]) for line in lines)
    taken: list[tuple[str, int]] = []
    for discount in discounts:
        coupon = store.get("coupon", discount["source"]["coupon"])
        if coupon["percent_off"] is not None:
            off = _percent(subtotal, coupon["percent_off"])
        else:
            # An amount-off coupon takes at most what the coupons before it left, so stacked
            # coupons never make an invoice negative (docs/proration.md, "Invoice figures").
            left = subtotal - sum(amount for _, amount in taken)
            off = max(0, min(int(coupon["amount_off"]), left)) if subtotal > 0 else 0
        taken.append((discount["id"], off))
    net = subtotal - sum(amount for _, amount in taken)
    taxes: list[tuple[JSON, int, int]] = []
    for rate in tax_rates:
        pct = Fraction(Decimal(str(rate["percentage"])))
        if rate["inclusive"]:
            amount = round_half_away_from_zero(Fraction(net) * pct / (100 + pct))
        else:
            amount = round_half_away_from_zero(Fraction(net) * pct / 100)
        taxes.append((rate, amount, net))
    return InvoiceFigures(subtotal, taken, taxes, starting_balance)


def exact_proration(amount: int, t: int, start: int, end: int) -> Fraction:
    """The unrounded amount for ``[t, end)`` of ``[start, end)``."""
    return Fraction(amount * (end - t), end - start) if end > start else Fraction(0)

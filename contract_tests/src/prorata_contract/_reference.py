"""The reference billing arithmetic of docs/proration.md, written out for the assertions.

Deliberately independent of any provider's code: the suite computes what the customer
must pay and compares it with what the provider says and does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from fractions import Fraction

from prorata import BillingCycle, Catalog, ProrationMode
from prorata.provider import ChargeLine, Discount, Item, LineKind, TaxRate, Totals, round_half_away_from_zero

__all__ = [
    "billed_lines",
    "expected_change_lines",
    "expected_due",
    "expected_figures",
    "quantities",
    "settle",
    "totals_problems",
    "unused_fraction",
]

_NOT_BILLED = (LineKind.DISCOUNT, LineKind.TAX)


def quantities(items: Iterable[Item]) -> dict[str, int]:
    return {item.plan: item.quantity for item in items}


def unused_fraction(start: datetime, end: datetime, at: datetime) -> Fraction:
    """``(end - at) / (end - start)`` to the second, clamped to [0, 1]."""
    length = int(end.timestamp()) - int(start.timestamp())
    left = int(end.timestamp()) - int(at.timestamp())
    return Fraction(min(max(left, 0), length), length)


def _round(value: Fraction) -> int:
    return round_half_away_from_zero(value)


def expected_change_lines(
    catalog: Catalog,
    before: Mapping[str, int],
    after: Mapping[str, int],
    *,
    mode: ProrationMode,
    cycle: BillingCycle,
    fraction: Fraction,
) -> list[tuple[str, int]]:
    """``(plan, amount)`` of every non-zero line the change bills (now, or on the next invoice).

    ``full_price_now`` with ``keep`` charges the full price of the items whose quantity
    changes; with ``reset`` of every item (a whole new period). Proration lines are
    rounded one by one, then settled to their exact net (see :func:`settle`).
    """
    lines: list[tuple[str, Fraction, bool]] = []  # plan, exact amount, is a proration line
    reset = cycle is BillingCycle.RESET
    for plan in dict.fromkeys([*before, *after]):
        unit = catalog.get(plan).price.amount
        q0, q1 = before.get(plan, 0), after.get(plan, 0)
        changed = q0 != q1
        if mode in (ProrationMode.PRORATE_NOW, ProrationMode.PRORATE_NEXT_INVOICE):
            if (changed or reset) and q0:
                lines.append((plan, -unit * q0 * fraction, True))
            if (changed or reset) and q1:
                lines.append(
                    (plan, Fraction(unit * q1), False) if reset else (plan, unit * q1 * fraction, True)
                )
        elif mode is ProrationMode.FULL_PRICE_NOW:
            if q1 and (changed or reset):
                lines.append((plan, Fraction(unit * q1), False))
        elif mode is ProrationMode.PRICE_DIFFERENCE_NOW and changed:
            lines.append((plan, Fraction(unit * (q1 - q0)), False))
    settled = settle([(_round(exact), exact if prorated else None) for _, exact, prorated in lines])
    return sorted((plan, amount) for (plan, _, _), amount in zip(lines, settled, strict=True) if amount != 0)


def settle(lines: Sequence[tuple[int, Fraction | None]]) -> list[int]:
    """The docs' rounding rule: rounded proration lines add up to their exact net, rounded once.

    ``lines`` are ``(rounded amount, exact amount or None when not a proration line)``. The
    largest proration line the difference shrinks (a charge when the lines ask too much, a
    credit when they give too much) absorbs it; with no such line (a reset cycle credits
    without a matching proration charge), every line stays rounded on its own.
    """
    amounts = [rounded for rounded, _ in lines]
    prorated = [index for index, (_, exact) in enumerate(lines) if exact is not None]
    if not prorated:
        return amounts
    exact_net = sum((exact for _, exact in lines if exact is not None), Fraction(0))
    difference = _round(exact_net) - sum(amounts[index] for index in prorated)
    if difference:
        shrinkable = [i for i in prorated if (amounts[i] > 0) == (difference < 0)]
        if shrinkable:
            chosen = max(shrinkable, key=lambda i: abs(amounts[i]))
            amounts[chosen] += difference
    return amounts


def billed_lines(lines: Sequence[ChargeLine]) -> list[tuple[str, int]]:
    """``(plan, amount)`` of a provider's non-zero billing lines (discount and tax lines left out)."""
    return sorted(
        (line.plan or line.description, line.amount.amount)
        for line in lines
        if line.kind not in _NOT_BILLED and line.amount.amount != 0
    )


def expected_figures(
    subtotal: int, discounts: Sequence[Discount], tax_rates: Sequence[TaxRate], *, reported: bool = False
) -> tuple[int, int, int]:
    """``(discount, tax, total)`` for a subtotal, per docs/proration.md.

    Discounts stack in their order, amount-off ones capped at what is left. ``tax`` is the
    exclusive tax, or with ``reported`` every tax the invoice reports (inclusive shares too).
    """
    discount = 0
    for applied in discounts:
        if applied.percent_off is not None:
            discount += _round(subtotal * Fraction(applied.percent_off) / 100)
        elif applied.amount_off is not None and subtotal > 0:
            discount += max(0, min(applied.amount_off.amount, subtotal - discount))
    if subtotal > 0:
        discount = min(discount, subtotal)
    net = subtotal - discount
    added = sum(_round(net * Fraction(rate.percentage) / 100) for rate in tax_rates if not rate.inclusive)
    included = sum(
        _round(net * Fraction(rate.percentage) / (100 + Fraction(rate.percentage)))
        for rate in tax_rates
        if rate.inclusive
    )
    return discount, added + included if reported else added, net + added


def expected_due(total: int, credit: int) -> tuple[int, int]:
    """``(amount_due, balance_applied)`` of ``total`` with ``credit`` on the customer's balance."""
    applied = min(max(credit, 0), max(total, 0))
    return max(total, 0) - applied, applied


def totals_problems(totals: Totals, lines: Sequence[ChargeLine]) -> list[str]:
    """Internal inconsistencies of an invoice's figures (empty when they add up)."""
    problems: list[str] = []
    subtotal = sum(line.amount.amount for line in lines if line.kind not in _NOT_BILLED)
    if lines and totals.subtotal.amount != subtotal:
        problems.append(f"subtotal {totals.subtotal.amount} != sum of lines {subtotal}")
    total = totals.total.amount
    if totals.amount_due.amount + totals.balance_applied.amount != max(total, 0):
        problems.append(
            f"amount_due {totals.amount_due.amount} + balance_applied {totals.balance_applied.amount} != positive total {max(total, 0)}"
        )
    if totals.credited.amount != max(-total, 0):
        problems.append(f"credited {totals.credited.amount} != negative total {max(-total, 0)}")
    return problems

"""Pure billing maths of the local engine: proration lines, renewal lines, invoice totals.

This module is the executable form of docs/proration.md. It never touches the database
and takes the instant to price at as an argument, so a preview and its apply agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from fractions import Fraction

import attrs

from prorata._calendar import add_intervals
from prorata._catalog import Catalog, Plan
from prorata._change import BillingCycle, ProrationMode
from prorata._figures import invoice_totals, recurring_lines
from prorata._invoice import ChargeLine, LineKind
from prorata._items import Item
from prorata._money import Money
from prorata._rounding import settle_rounding

__all__ = ["ChangeLines", "change_lines", "invoice_totals", "renewal_lines"]


def _ts(moment: datetime) -> int:
    return int(moment.timestamp())


def unused_fraction(start: datetime, end: datetime, at: datetime) -> Fraction:
    """The share of ``[start, end)`` left after ``at``, to the second."""
    length = _ts(end) - _ts(start)
    left = min(max(_ts(end) - _ts(at), 0), length)
    return Fraction(left, length)


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


@attrs.frozen(kw_only=True, slots=True)
class ChangeLines:
    """Lines a change produces, and the period it leaves the subscription in."""

    now: tuple[ChargeLine, ...]
    pending: tuple[ChargeLine, ...]
    period_start: datetime
    period_end: datetime
    anchor: datetime | None
    """The new billing cycle anchor when the cycle is reset."""


def _quantities(items: Sequence[Item]) -> dict[str, int]:
    return {item.plan: item.quantity for item in items}


def _line(
    plan: Plan, amount: Money, kind: LineKind, quantity: int, start: datetime, end: datetime, text: str
) -> ChargeLine:
    return ChargeLine(
        description=text,
        amount=amount,
        kind=kind,
        plan=plan.key,
        quantity=quantity,
        period_start=start,
        period_end=end,
    )


def change_lines(
    catalog: Catalog,
    old: Sequence[Item],
    new: Sequence[Item],
    *,
    period_start: datetime,
    period_end: datetime,
    at: datetime,
    mode: ProrationMode,
    cycle: BillingCycle,
) -> ChangeLines:
    """Lines for changing ``old`` items to ``new`` at ``at`` within ``[period_start, period_end)``."""
    before, after = _quantities(old), _quantities(new)
    plans = list(dict.fromkeys([*before, *after]))
    fraction = unused_fraction(period_start, period_end, at)
    reset = cycle is BillingCycle.RESET
    interval = catalog.get(new[0].plan).interval
    new_end = add_intervals(at, interval, 1) if reset else period_end
    new_start = at if reset else period_start
    lines: list[ChargeLine] = []

    def credit(plan: Plan, quantity: int) -> None:
        amount = -(plan.price * quantity).scale(fraction)
        text = f"Unused time on {quantity} x {plan.name} from {_day(at)}"
        lines.append(_line(plan, amount, LineKind.PRORATION_CREDIT, quantity, at, period_end, text))

    def charge(
        plan: Plan, amount: Money, kind: LineKind, quantity: int, start: datetime, end: datetime, text: str
    ) -> None:
        lines.append(_line(plan, amount, kind, quantity, start, end, text))

    for key in plans:
        plan = catalog.get(key)
        q0, q1 = before.get(key, 0), after.get(key, 0)
        changed = q0 != q1
        match mode:
            case ProrationMode.PRORATE_NOW | ProrationMode.PRORATE_NEXT_INVOICE if not reset:
                if changed and q0:
                    credit(plan, q0)
                if changed and q1:
                    text = f"Remaining time on {q1} x {plan.name} from {_day(at)}"
                    charge(
                        plan,
                        (plan.price * q1).scale(fraction),
                        LineKind.PRORATION_DEBIT,
                        q1,
                        at,
                        period_end,
                        text,
                    )
            case ProrationMode.PRORATE_NOW:
                if q0:
                    credit(plan, q0)
                if q1:
                    text = f"{q1} x {plan.name} ({_day(at)} - {_day(new_end)})"
                    charge(plan, plan.price * q1, LineKind.RECURRING, q1, at, new_end, text)
            case ProrationMode.FULL_PRICE_NOW:
                if q1 and (reset or changed):
                    text = f"{q1} x {plan.name} ({_day(new_start)} - {_day(new_end)})"
                    charge(plan, plan.price * q1, LineKind.FULL_PRICE, q1, new_start, new_end, text)
            case ProrationMode.PRICE_DIFFERENCE_NOW:
                if changed:
                    text = f"Price difference for {plan.name}: {q0} -> {q1}"
                    charge(plan, plan.price * (q1 - q0), LineKind.PRICE_DIFFERENCE, q1, at, new_end, text)
            case _:
                pass
    lines = _settle_rounding(catalog, lines, fraction)
    lines = [line for line in lines if line.amount.amount != 0 or line.kind is LineKind.RECURRING]
    pending = mode is ProrationMode.PRORATE_NEXT_INVOICE
    return ChangeLines(
        now=() if pending else tuple(lines),
        pending=tuple(lines) if pending else (),
        period_start=new_start,
        period_end=new_end,
        anchor=at if reset else None,
    )


def _settle_rounding(catalog: Catalog, lines: list[ChargeLine], fraction: Fraction) -> list[ChargeLine]:
    """Apply :func:`prorata.provider.settle_rounding` to a change's lines (see docs/proration.md)."""
    pairs: list[tuple[int, Fraction | None]] = []
    for line in lines:
        exact: Fraction | None = None
        if line.is_proration:
            assert line.plan is not None
            assert line.quantity is not None
            sign = -1 if line.kind is LineKind.PRORATION_CREDIT else 1
            exact = sign * catalog.get(line.plan).price.amount * line.quantity * fraction
        pairs.append((line.amount.amount, exact))
    settled = settle_rounding(pairs)
    return [
        line
        if amount == line.amount.amount
        else attrs.evolve(line, amount=Money.of(amount, line.amount.currency))
        for line, amount in zip(lines, settled, strict=True)
    ]


def renewal_lines(
    catalog: Catalog, items: Sequence[Item], start: datetime, end: datetime
) -> tuple[ChargeLine, ...]:
    """The recurring lines of a regular invoice for ``[start, end)``."""
    return recurring_lines(catalog, items, start, end)


def first_period_lines(
    catalog: Catalog, items: Sequence[Item], start: datetime, end: datetime, anchor: datetime
) -> tuple[ChargeLine, ...]:
    """Lines of the first invoice; a period shortened by an explicit anchor is prorated."""
    interval = catalog.get(items[0].plan).interval
    full_start = add_intervals(anchor, interval, -1) if end == anchor else start
    fraction = unused_fraction(full_start, end, start) if full_start < start else Fraction(1)
    lines: list[ChargeLine] = []
    for item in items:
        plan = catalog.get(item.plan)
        kind = LineKind.RECURRING if fraction == 1 else LineKind.PRORATION_DEBIT
        lines.append(
            _line(
                plan,
                (plan.price * item.quantity).scale(fraction),
                kind,
                item.quantity,
                start,
                end,
                f"{item.quantity} x {plan.name} ({_day(start)} - {_day(end)})",
            )
        )
    return tuple(lines)

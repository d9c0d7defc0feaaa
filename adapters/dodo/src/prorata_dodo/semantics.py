"""Dodo's proration billing modes, in one place, with exact integer arithmetic.

This module is the single reading of ``proration_billing_mode`` that both the emulator
(to bill) and the adapter (to build preview and invoice lines) use. It follows
provider-notes.md; ``prorated_immediately_keep_cycle`` is undocumented by Dodo and read
from its name.

Which items get lines (Dodo does not document it; where it is unconfirmed this module
follows prorata's reference semantics, docs/proration.md):

- a mode that **restarts the cycle** bills a whole new period: every old item is credited
  (``prorated_immediately``: its unused time; ``full_immediately``: nothing) and every new
  item is charged in full;
- a mode that **keeps the cycle** (``prorated_immediately_keep_cycle``) bills only the items
  whose quantity changes: an unchanged add-on gets no line at all;
- ``difference_immediately`` charges the price difference: one line per item whose quantity
  changes, ``unit_price x (new - old quantity)`` (negative lines are credits);
- ``do_not_bill`` bills nothing.

Worked examples, $30 -> $80 at mid-cycle (half the period left):

======================================  ==========  ==========  ============  ===========
mode                                     new lines   credit      charged now   cycle
======================================  ==========  ==========  ============  ===========
``prorated_immediately``                 80.00       15.00       65.00         restarts
``prorated_immediately_keep_cycle``      40.00       15.00       25.00         kept
``full_immediately``                     80.00       0           80.00         restarts
``difference_immediately``               80.00       30.00       50.00         restarts
``do_not_bill``                          none        none        0             kept
======================================  ==========  ==========  ============  ===========

Amounts are integer minor units. Each line is rounded half away from zero; the proration
lines (those billed for the remaining fraction) are then settled to their exact net rounded
once, the largest line the difference shrinks absorbing it (docs/proration.md's rule), so a
change and its reverse at one instant net to exactly zero.
The float ``proration_factor`` of Dodo's wire model is only ever derived from the exact
fraction here, for display.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from fractions import Fraction
from typing import Literal

import attrs

from prorata.provider import round_half_away_from_zero, settle_rounding

__all__ = [
    "MODES",
    "ChangeCharge",
    "DiscountRule",
    "DodoMode",
    "ModeRule",
    "PricedItem",
    "PricedLine",
    "Settlement",
    "change_charge",
    "discount_amount",
    "remaining_fraction",
    "settle",
    "tax_amount",
]

DodoMode = Literal[
    "prorated_immediately",
    "prorated_immediately_keep_cycle",
    "full_immediately",
    "difference_immediately",
    "do_not_bill",
]
Factor = Literal["full", "remaining", "none"]
Scope = Literal["all", "changed", "difference"]


@attrs.frozen(kw_only=True, slots=True)
class ModeRule:
    """How one mode bills: the factor on the new items, the credit on the old ones, and
    which items get lines (``all``, only ``changed`` ones, or the per-item ``difference``)."""

    charge: Factor
    credit: Factor
    resets_cycle: bool
    scope: Scope


MODES: dict[str, ModeRule] = {
    "prorated_immediately": ModeRule(charge="full", credit="remaining", resets_cycle=True, scope="all"),
    "prorated_immediately_keep_cycle": ModeRule(
        charge="remaining", credit="remaining", resets_cycle=False, scope="changed"
    ),
    "full_immediately": ModeRule(charge="full", credit="none", resets_cycle=True, scope="all"),
    "difference_immediately": ModeRule(charge="full", credit="full", resets_cycle=True, scope="difference"),
    "do_not_bill": ModeRule(charge="none", credit="none", resets_cycle=False, scope="changed"),
}
"""Every ``proration_billing_mode`` the SDK's Literal accepts, and how it bills."""


@attrs.frozen(kw_only=True, slots=True)
class PricedItem:
    """One priced line of a subscription: the product, or an add-on."""

    kind: Literal["subscription", "addon"]
    ref: str
    name: str
    unit_price: int
    quantity: int


@attrs.frozen(kw_only=True, slots=True)
class PricedLine:
    """An item billed for a fraction of a period."""

    item: PricedItem
    factor: Fraction
    amount: int


@attrs.frozen(kw_only=True, slots=True)
class ChangeCharge:
    """What a plan change bills at the change."""

    charges: tuple[PricedLine, ...]
    """The new items (Dodo's ``immediate_charge.line_items``)."""
    credits: tuple[PricedLine, ...]
    """Credit for the old items (positive amounts, taken off the charge)."""
    remaining: Fraction
    resets_cycle: bool

    @property
    def gross(self) -> int:
        return sum(line.amount for line in self.charges)

    @property
    def credit(self) -> int:
        return sum(line.amount for line in self.credits)

    @property
    def subtotal(self) -> int:
        return self.gross - self.credit


def remaining_fraction(period_start: datetime, period_end: datetime, at: datetime) -> Fraction:
    """``(end - at) / (end - start)`` to the second, clamped to [0, 1]."""
    total = int((period_end - period_start).total_seconds())
    left = int((period_end - at).total_seconds())
    if total <= 0:
        return Fraction(0)
    return min(Fraction(1), max(Fraction(0), Fraction(left, total)))


def _line(item: PricedItem, factor: Fraction) -> PricedLine:
    amount = round_half_away_from_zero(item.unit_price * item.quantity * factor)
    return PricedLine(item=item, factor=factor, amount=amount)


def _factor(kind: Factor, remaining: Fraction) -> Fraction | None:
    return {"full": Fraction(1), "remaining": remaining, "none": None}[kind]


def _scoped(
    scope: Scope, old: Sequence[PricedItem], new: Sequence[PricedItem]
) -> tuple[list[PricedItem], list[PricedItem]]:
    """The old items to credit and the new items to charge under ``scope``."""
    if scope == "all":
        return list(old), list(new)
    before = {item.ref: item for item in old}
    after = {item.ref: item for item in new}
    if scope == "changed":
        changed = {
            ref
            for ref in {*before, *after}
            if (before[ref].quantity if ref in before else 0) != (after[ref].quantity if ref in after else 0)
        }
        return [i for i in old if i.ref in changed], [i for i in new if i.ref in changed]
    credited: list[PricedItem] = []
    charged: list[PricedItem] = []
    for ref in dict.fromkeys([*before, *after]):
        q0 = before[ref].quantity if ref in before else 0
        q1 = after[ref].quantity if ref in after else 0
        base = after.get(ref) or before[ref]
        if q1 > q0:
            charged.append(attrs.evolve(base, quantity=q1 - q0))
        elif q0 > q1:
            credited.append(attrs.evolve(base, quantity=q0 - q1))
    return credited, charged


def change_charge(
    mode: str,
    old: Sequence[PricedItem],
    new: Sequence[PricedItem],
    *,
    period_start: datetime,
    period_end: datetime,
    at: datetime,
) -> ChangeCharge:
    """Bill a change from ``old`` to ``new`` items at ``at`` within the period."""
    rule = MODES[mode]
    remaining = remaining_fraction(period_start, period_end, at)
    charge = _factor(rule.charge, remaining)
    credit = _factor(rule.credit, remaining)
    credited, charged = _scoped(rule.scope, old, new)
    charges = [] if charge is None else [_line(item, charge) for item in charged]
    credits = [] if credit is None else [_line(item, credit) for item in credited]
    prorating = remaining != 1
    signed = [
        (
            line.amount,
            line.item.unit_price * line.item.quantity * line.factor
            if prorating and line.factor == remaining
            else None,
        )
        for line in charges
    ] + [
        (
            -line.amount,
            -line.item.unit_price * line.item.quantity * line.factor
            if prorating and line.factor == remaining
            else None,
        )
        for line in credits
    ]
    settled = settle_rounding(signed)
    charges = [attrs.evolve(line, amount=amount) for line, amount in zip(charges, settled, strict=False)]
    credits = [
        attrs.evolve(line, amount=-amount)
        for line, amount in zip(credits, settled[len(charges) :], strict=True)
    ]
    return ChangeCharge(
        charges=tuple(charges), credits=tuple(credits), remaining=remaining, resets_cycle=rule.resets_cycle
    )


@attrs.frozen(kw_only=True, slots=True)
class DiscountRule:
    """A discount on a subscription: ``percentage`` in basis points or ``flat`` minor units."""

    type: Literal["percentage", "flat"]
    amount: int


def discount_amount(subtotal: int, discounts: Sequence[DiscountRule]) -> int:
    """What stacked discounts take off ``subtotal`` (percentages scale credits too)."""
    left = subtotal
    for rule in discounts:
        if rule.type == "percentage":
            off = round_half_away_from_zero(Fraction(left * rule.amount, 10_000))
        else:
            off = min(rule.amount, left) if left > 0 else 0
        left -= off
    return subtotal - left


def tax_amount(taxable: int, rate_bps: int) -> int:
    """Exclusive tax on ``taxable`` (negative for a net credit: refunded with it)."""
    return round_half_away_from_zero(Fraction(taxable * rate_bps, 10_000))


@attrs.frozen(kw_only=True, slots=True)
class Settlement:
    """How a total is settled against the customer's credit wallet.

    ``customer_credits`` follows Dodo's sign: negative when credits (the proration credit
    and wallet balance) offset the charge, positive when a net credit goes to the wallet.
    """

    total_amount: int
    customer_credits: int
    wallet_used: int


def settle(total: int, *, wallet: int, proration_credit: int) -> Settlement:
    """Settle ``total`` (may be negative) with ``wallet`` balance available."""
    if total < 0:
        return Settlement(total_amount=0, customer_credits=-total, wallet_used=0)
    used = min(max(wallet, 0), total)
    return Settlement(
        total_amount=total - used, customer_credits=-(proration_credit + used), wallet_used=used
    )

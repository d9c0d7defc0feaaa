"""Assertions shared by the contract areas (registered for pytest's assertion rewriting)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from prorata import AtDate, AtPeriodEnd, Immediately, PlanChange, ProrationMode
from prorata.provider import ChangePreview, Invoice, Item, LineKind, Subscription
from prorata_contract._harness import Contract
from prorata_contract._reference import (
    billed_lines,
    expected_change_lines,
    quantities,
    totals_problems,
    unused_fraction,
)

__all__ = [
    "assert_consistent_preview",
    "assert_only_plans_billed",
    "expected_for",
    "new_invoices",
    "recurring_lines",
    "recurring_of",
]


def assert_consistent_preview(
    preview: ChangePreview, subscription: Subscription, change: PlanChange, target: Sequence[Item]
) -> None:
    """A preview names its subscription and provider, adds up, and takes effect when asked."""
    assert preview.subscription_id == subscription.id
    assert preview.currency == subscription.currency
    assert preview.change == change
    assert quantities(preview.items) == quantities(target)
    assert not totals_problems(preview.totals, preview.lines)
    timing = change.timing
    if isinstance(timing, Immediately):
        assert preview.effective_at == preview.proration_time
        assert subscription.current_period_start <= preview.proration_time <= subscription.current_period_end
    elif isinstance(timing, AtPeriodEnd):
        assert preview.effective_at == subscription.current_period_end
    elif isinstance(timing, AtDate):
        assert preview.effective_at == timing.at


def expected_for(
    contract: Contract, subscription: Subscription, change: PlanChange, target: Sequence[Item], at: datetime
) -> list[tuple[str, int]]:
    """The reference lines of ``change`` from ``subscription``'s items to ``target`` at ``at``.

    A change at the period boundary bills nothing itself: the renewal bills the new items.
    """
    if at >= subscription.current_period_end or change.proration is ProrationMode.NO_BILLING:
        return []
    fraction = unused_fraction(subscription.current_period_start, subscription.current_period_end, at)
    return expected_change_lines(
        contract.catalog,
        subscription.plan_quantities,
        quantities(target),
        mode=change.proration,
        cycle=change.billing_cycle,
        fraction=fraction,
    )


def recurring_lines(contract: Contract, items: Sequence[Item]) -> list[tuple[str, int]]:
    """``(plan, amount)`` of a regular invoice billing ``items`` for a whole period."""
    return sorted((item.plan, contract.catalog.get(item.plan).price.amount * item.quantity) for item in items)


def new_invoices(before: Sequence[Invoice], after: Sequence[Invoice]) -> list[Invoice]:
    known = {invoice.id for invoice in before}
    return [invoice for invoice in after if invoice.id not in known]


def assert_only_plans_billed(lines: Sequence[tuple[str, int]], plans: set[str]) -> None:
    billed = {plan for plan, _ in lines}
    assert billed <= plans, f"lines bill {sorted(billed - plans)} although only {sorted(plans)} changed"


def recurring_of(invoice: Invoice) -> list[tuple[str, int]]:
    """The recurring (regular period) lines of ``invoice``."""
    return billed_lines([line for line in invoice.lines if line.kind is LineKind.RECURRING])

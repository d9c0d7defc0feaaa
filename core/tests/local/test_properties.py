"""Property tests of the reference engine: preview == apply, reversibility, tiling."""

from __future__ import annotations

import itertools
from datetime import timedelta

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prorata import Billing, BillingCycle, Item, PlanChange, ProrationMode
from prorata.local import LocalProvider

from .conftest import START, make_catalog

MODES = [
    (ProrationMode.PRORATE_NOW, BillingCycle.KEEP),
    (ProrationMode.PRORATE_NOW, BillingCycle.RESET),
    (ProrationMode.PRORATE_NEXT_INVOICE, BillingCycle.KEEP),
    (ProrationMode.FULL_PRICE_NOW, BillingCycle.RESET),
    (ProrationMode.PRICE_DIFFERENCE_NOW, BillingCycle.KEEP),
    (ProrationMode.PRICE_DIFFERENCE_NOW, BillingCycle.RESET),
    (ProrationMode.NO_BILLING, BillingCycle.KEEP),
]

changes = st.sampled_from(
    [
        PlanChange.swap("basic", "pro"),
        PlanChange.swap("basic", "premium"),
        PlanChange.add("formula"),
        PlanChange.set_quantity("seat", 7),
        PlanChange.set_quantity("seat", 1),
        PlanChange.remove("seat"),
    ]
)
offsets = st.integers(min_value=0, max_value=31 * 86400 - 61)  # the apply a minute later stays in January


def fresh() -> tuple[Billing, LocalProvider]:
    provider = LocalProvider(make_catalog(), start=START)
    return Billing(provider=provider, catalog=provider.catalog), provider


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(change=changes, mode=st.sampled_from(MODES), offset=offsets, seats=st.integers(2, 5))
def test_apply_charges_exactly_the_preview(
    change: PlanChange, mode: tuple[ProrationMode, BillingCycle], offset: int, seats: int
) -> None:
    billing, provider = fresh()
    try:
        customer = billing.create_customer("p@example.com")
        sub = billing.subscribe(customer.id, [Item(plan="basic"), Item(plan="seat", quantity=seats)])
        billing.time_control().advance(START + timedelta(seconds=offset))
        change = attrs.evolve(change, proration=mode[0], billing_cycle=mode[1])
        preview = billing.preview(sub.id, change)
        billing.time_control().advance(START + timedelta(seconds=offset + 60))  # the customer takes a minute
        result = billing.apply(sub.id, change, preview=preview)
        assert result.matches_preview is True
        charged = result.invoice.totals if result.invoice else None
        if preview.lines:
            assert charged == preview.totals
        else:
            assert charged is None
        assert result.subscription.plan_quantities == {i.plan: i.quantity for i in preview.items}
        if mode[0] is ProrationMode.NO_BILLING:
            assert result.invoice is None
    finally:
        provider.close()


@settings(max_examples=40, deadline=None)
@given(offset=offsets, pair=st.sampled_from([("basic", "pro"), ("pro", "premium"), ("basic", "premium")]))
def test_a_change_and_its_reverse_at_one_instant_net_to_zero(offset: int, pair: tuple[str, str]) -> None:
    billing, provider = fresh()
    try:
        customer = billing.create_customer("r@example.com")
        sub = billing.subscribe(customer.id, pair[0])
        billing.time_control().advance(START + timedelta(seconds=offset))
        there = billing.apply(sub.id, PlanChange.swap(*pair))
        back = billing.apply(there.subscription, PlanChange.swap(pair[1], pair[0]))
        total = (there.invoice.totals.total.amount if there.invoice else 0) + (
            back.invoice.totals.total.amount if back.invoice else 0
        )
        assert total == 0
        paid = sum(r.invoice.totals.amount_due.amount for r in (there, back) if r.invoice)
        assert paid == provider.balance(customer.id)  # whatever was paid is back as credit
    finally:
        provider.close()


@settings(max_examples=15, deadline=None)
@given(day=st.integers(1, 31), months=st.integers(2, 14), plan=st.sampled_from(["basic", "d100"]))
def test_renewals_tile_periods_without_gaps(day: int, months: int, plan: str) -> None:
    billing, provider = fresh()
    try:
        billing.time_control().advance(START + timedelta(days=day - 1))
        customer = billing.create_customer("t@example.com")
        sub = billing.subscribe(customer.id, plan)
        billing.time_control().advance(sub.current_period_start + timedelta(days=31 * months))
        invoices = billing.invoices(sub.id)
        periods = [(line.period_start, line.period_end) for invoice in invoices for line in invoice.lines]
        assert len(periods) >= months
        for (_, end), (start, _) in itertools.pairwise(periods):
            assert start == end
        current = billing.get(sub.id)
        assert periods[-1] == (current.current_period_start, current.current_period_end)
        assert current.current_period_start <= billing.time_control().now() < current.current_period_end
    finally:
        provider.close()

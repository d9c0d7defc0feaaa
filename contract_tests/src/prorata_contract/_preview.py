"""Preview: every declared proration mode under every declared timing, to the cent."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from prorata import BillingCycle, PlanChange, ProrationMode, TimingKind
from prorata.provider import Discount, Interval, Item, TaxRate, add_intervals
from prorata_contract._checks import assert_consistent_preview, expected_for, recurring_lines
from prorata_contract._combinations import combinations, timing_for
from prorata_contract._fixtures import ContractFixtures
from prorata_contract._guard import standard
from prorata_contract._harness import Contract
from prorata_contract._reference import billed_lines, expected_figures, unused_fraction
from prorata_contract._requirements import requires

__all__ = ["CONTRACT_COUPON", "CONTRACT_TAX_RATE", "PreviewTests"]

CONTRACT_COUPON = Discount(coupon="contract-20-off", percent_off=Decimal(20))
"""The discount the contract applies: 20 % off, forever (adapters create the coupon)."""
CONTRACT_TAX_RATE = TaxRate(display_name="Contract VAT", percentage=Decimal(10))
"""The exclusive tax rate the contract applies: 10 %."""

_DIRECTIONS = [pytest.param("basic", "premium", id="upgrade"), pytest.param("premium", "pro", id="downgrade")]


@standard("preview")
class PreviewTests(ContractFixtures):
    """What a change will cost, before anything changes, against docs/proration.md."""

    @pytest.mark.parametrize(("from_plan", "to_plan"), _DIRECTIONS)
    @pytest.mark.parametrize(("mode", "cycle", "timing"), combinations())
    def test_preview_lines_and_totals(
        self,
        contract: Contract,
        mode: ProrationMode,
        cycle: BillingCycle,
        timing: TimingKind,
        from_plan: str,
        to_plan: str,
    ) -> None:
        subscription = contract.into_period(contract.subscribe(from_plan), Fraction(1, 3))
        change = PlanChange.swap(
            from_plan, to_plan, timing=timing_for(timing, subscription), proration=mode, billing_cycle=cycle
        )
        target = contract.billing.check(subscription, change)
        preview = contract.billing.preview(subscription, change)
        assert_consistent_preview(preview, subscription, change, target)
        expected = expected_for(contract, subscription, change, target, preview.proration_time)
        if mode is ProrationMode.PRORATE_NEXT_INVOICE:
            assert billed_lines(preview.lines) == []
            assert billed_lines(preview.pending_lines) == expected
        else:
            assert billed_lines(preview.lines) == expected
        assert preview.totals.total.amount == sum(amount for _, amount in billed_lines(preview.lines))

    @pytest.mark.parametrize(("mode", "cycle", "timing"), combinations())
    def test_preview_next_invoice_and_period(
        self, contract: Contract, mode: ProrationMode, cycle: BillingCycle, timing: TimingKind
    ) -> None:
        subscription = contract.into_period(contract.subscribe("pro"), Fraction(1, 4))
        change = PlanChange.swap(
            "pro", "premium", timing=timing_for(timing, subscription), proration=mode, billing_cycle=cycle
        )
        target = contract.billing.check(subscription, change)
        preview = contract.billing.preview(subscription, change)
        if cycle is BillingCycle.RESET:
            period_end = add_intervals(preview.proration_time, Interval.monthly(), 1)
        else:
            period_end = subscription.current_period_end
        if timing is not TimingKind.AT_PERIOD_END:
            assert preview.period_end == period_end
        assert preview.next_invoice is not None, "a preview states the next regular invoice"
        assert preview.next_invoice.at == period_end
        pending = (
            expected_for(contract, subscription, change, target, preview.proration_time)
            if mode is ProrationMode.PRORATE_NEXT_INVOICE
            else []
        )
        assert billed_lines(preview.next_invoice.lines) == sorted(pending + recurring_lines(contract, target))

    @requires(discounts=True, tax_rates=True)
    @pytest.mark.parametrize(("from_plan", "to_plan"), _DIRECTIONS)
    @pytest.mark.parametrize(("mode", "cycle", "timing"), combinations())
    def test_preview_discount_and_tax(
        self,
        contract: Contract,
        mode: ProrationMode,
        cycle: BillingCycle,
        timing: TimingKind,
        from_plan: str,
        to_plan: str,
    ) -> None:
        subscription = contract.subscribe(
            from_plan, discounts=[CONTRACT_COUPON], tax_rates=[CONTRACT_TAX_RATE]
        )
        subscription = contract.into_period(subscription, Fraction(1, 2))
        change = PlanChange.swap(
            from_plan, to_plan, timing=timing_for(timing, subscription), proration=mode, billing_cycle=cycle
        )
        target = contract.billing.check(subscription, change)
        preview = contract.billing.preview(subscription, change)
        expected = expected_for(contract, subscription, change, target, preview.proration_time)
        now = [] if mode is ProrationMode.PRORATE_NEXT_INVOICE else expected
        assert billed_lines(preview.lines) == now
        subtotal = sum(amount for _, amount in now)
        discount, tax, total = expected_figures(subtotal, [CONTRACT_COUPON], [CONTRACT_TAX_RATE])
        figures = preview.totals
        assert (
            figures.subtotal.amount,
            figures.discount.amount,
            figures.tax.amount,
            figures.total.amount,
        ) == (
            subtotal,
            discount,
            tax,
            total,
        )
        assert figures.credited.amount == max(-total, 0)
        assert figures.amount_due.amount == max(total, 0), (
            "a new customer has no balance: all of it is due now"
        )
        upcoming = preview.next_invoice
        assert upcoming is not None
        pending = expected if mode is ProrationMode.PRORATE_NEXT_INVOICE else []
        next_lines = sorted(pending + recurring_lines(contract, target))
        assert billed_lines(upcoming.lines) == next_lines
        next_subtotal = sum(amount for _, amount in next_lines)
        assert (
            upcoming.totals.discount.amount,
            upcoming.totals.tax.amount,
            upcoming.totals.total.amount,
        ) == (expected_figures(next_subtotal, [CONTRACT_COUPON], [CONTRACT_TAX_RATE]))

    @pytest.mark.parametrize(
        "cycle",
        [
            pytest.param(c, id=c.value, marks=requires(proration=(ProrationMode.PRORATE_NOW, c)))
            for c in BillingCycle
        ],
    )
    @requires(multi_item=True, timing=TimingKind.IMMEDIATELY)
    def test_proration_lines_within_half_a_unit(self, contract: Contract, cycle: BillingCycle) -> None:
        subscription = contract.subscribe([Item(plan="basic"), Item(plan="addon"), Item(plan="storage")])
        subscription = contract.into_period(subscription, Fraction(43, 67))
        change = PlanChange.swap("basic", "premium", proration=ProrationMode.PRORATE_NOW, billing_cycle=cycle)
        preview = contract.billing.preview(subscription, change)
        target = contract.billing.check(subscription, change)
        assert billed_lines(preview.lines) == expected_for(
            contract, subscription, change, target, preview.proration_time
        )
        fraction = unused_fraction(
            subscription.current_period_start, subscription.current_period_end, preview.proration_time
        )
        for line in preview.lines:
            if line.is_proration:
                assert line.plan is not None
                assert line.quantity is not None
                sign = -1 if line.amount.amount < 0 else 1
                exact = sign * contract.catalog.get(line.plan).price.amount * line.quantity * fraction
                assert abs(line.amount.amount) <= abs(exact) + Fraction(1, 2), (
                    f"{line.description}: {line.amount.amount} exceeds its exact amount {float(exact):.2f} by more than half a unit"
                )

    @pytest.mark.parametrize(
        "timing",
        [
            pytest.param(t, id=t.value, marks=requires(timing=t))
            for t in (TimingKind.IMMEDIATELY, TimingKind.AT_PERIOD_END, TimingKind.AT_DATE)
        ],
    )
    def test_preview_changes_nothing(self, contract: Contract, timing: TimingKind) -> None:
        subscription = contract.subscribe("pro")
        invoices = contract.invoices(subscription)
        usable = sorted(
            p
            for p in contract.capabilities.proration
            if timing is TimingKind.IMMEDIATELY or p.cycle is BillingCycle.KEEP
        )
        if not usable:
            pytest.skip(f"provider declares no proration mode usable with timing {timing.value}")
        mode, cycle = usable[0].mode, usable[0].cycle
        change = PlanChange.swap(
            "pro", "basic", timing=timing_for(timing, subscription), proration=mode, billing_cycle=cycle
        )
        contract.billing.preview(subscription, change)
        after = contract.get(subscription)
        assert after.plan_quantities == {"pro": 1}
        assert after.scheduled_change is None
        assert after.schedule is None
        assert [i.id for i in contract.invoices(subscription)] == [i.id for i in invoices]

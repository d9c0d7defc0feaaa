"""Figures: stacked coupons, inclusive tax, credit balances, rounding, trials and stale previews.

Every money assertion names both figures: what the provider said and what the reference
(docs/proration.md, read independently by ``_reference``) expects.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from prorata import BillingCycle, PlanChange, ProrationMode, SubscriptionStatus
from prorata.errors import StalePreviewError
from prorata.provider import Discount, Money, ProrationTime, TaxRate
from prorata_contract._checks import expected_for
from prorata_contract._fixtures import ContractFixtures
from prorata_contract._guard import standard
from prorata_contract._harness import Contract
from prorata_contract._reference import billed_lines, expected_due, expected_figures
from prorata_contract._requirements import requires

__all__ = ["CONTRACT_AMOUNT_COUPONS", "CONTRACT_INCLUSIVE_TAX_RATE", "FiguresTests"]

CONTRACT_AMOUNT_COUPONS = (
    Discount(coupon="contract-6-off-a", amount_off=Money.of(600, "USD")),
    Discount(coupon="contract-6-off-b", amount_off=Money.of(600, "USD")),
)
"""Two 6.00-off coupons: stacked on a 10.00 invoice they may take 10.00, never more."""

CONTRACT_INCLUSIVE_TAX_RATE = TaxRate(
    display_name="Contract inclusive VAT", percentage=Decimal(20), inclusive=True
)
"""A 20 % tax included in the prices: reported, not added."""

_KEEP = (ProrationMode.PRORATE_NOW, BillingCycle.KEEP)


def _same(label: str, got: int, expected: int) -> None:
    assert got == expected, f"{label}: provider says {got}, the reference says {expected}"


@standard("figures")
class FiguresTests(ContractFixtures):
    """The money of an invoice as docs/proration.md states it, on every provider."""

    @requires(discounts=True)
    def test_two_coupons_never_take_more_than_the_subtotal(self, contract: Contract) -> None:
        subscription = contract.subscribe("basic", discounts=list(CONTRACT_AMOUNT_COUPONS))
        (first,) = contract.invoices(subscription)
        discount, _, total = expected_figures(1000, CONTRACT_AMOUNT_COUPONS, [])
        _same("discount of two 6.00-off coupons on 10.00", first.totals.discount.amount, discount)
        _same("total", first.totals.total.amount, total)
        _same("amount due", first.totals.amount_due.amount, max(total, 0))

    @requires(tax_rates=True)
    def test_inclusive_tax_is_reported_not_added(self, contract: Contract) -> None:
        subscription = contract.subscribe("basic", tax_rates=[CONTRACT_INCLUSIVE_TAX_RATE])
        (first,) = contract.invoices(subscription)
        _, tax, total = expected_figures(1000, [], [CONTRACT_INCLUSIVE_TAX_RATE], reported=True)
        _same("tax reported for 20 % inclusive on 10.00", first.totals.tax.amount, tax)
        _same("total (inclusive tax is not added)", first.totals.total.amount, total)

    @requires(timing="immediately", proration=_KEEP, time_control=True)
    def test_next_invoice_after_a_credit_is_paid_from_it(self, contract: Contract) -> None:
        subscription = contract.into_period(contract.subscribe("premium"), Fraction(1, 2))
        down = PlanChange.swap("premium", "pro", proration=ProrationMode.PRORATE_NOW)
        preview = contract.billing.preview(subscription, down)
        result = contract.billing.apply(subscription, down, preview=preview)
        assert result.invoice is not None
        credit = result.invoice.totals.credited.amount
        assert credit > 0, f"a mid-period downgrade credits the unused time, credited {credit}"
        balance = contract.billing.balance(subscription.customer_id)
        _same("Billing.balance after the credit", balance.amount, credit)
        upcoming = preview.next_invoice
        assert upcoming is not None
        due, applied = expected_due(upcoming.totals.total.amount, credit)
        _same("next invoice amount_due (credit applied)", upcoming.totals.amount_due.amount, due)
        _same("next invoice balance_applied", upcoming.totals.balance_applied.amount, applied)
        before = contract.invoices(subscription)
        contract.pass_boundary(upcoming.at)
        renewal = [i for i in contract.invoices(subscription) if i.id not in {b.id for b in before}]
        assert renewal, "the period ended without a renewal invoice"
        _same("renewal amount_due against the preview's next invoice", renewal[0].amount_due.amount, due)

    @requires(timing="immediately", proration=_KEEP, time_control=True)
    def test_proration_at_a_fraction_that_needs_rounding(self, contract: Contract) -> None:
        subscription = contract.into_period(contract.subscribe("basic"), Fraction(1, 3))
        change = PlanChange.swap("basic", "premium", proration=ProrationMode.PRORATE_NOW)
        preview = contract.billing.preview(subscription, change)
        expected = expected_for(contract, subscription, change, preview.items, preview.proration_time)
        assert any(amount % 100 for _, amount in expected), f"the fraction needs rounding: {expected}"
        assert billed_lines(preview.lines) == sorted(expected), (
            f"provider lines {billed_lines(preview.lines)}, reference lines {sorted(expected)}"
        )
        result = contract.billing.apply(subscription, change, preview=preview)
        assert result.invoice is not None
        _same("charged against previewed", result.invoice.totals.total.amount, preview.totals.total.amount)

    @requires(timing="immediately", proration=_KEEP, time_control=True)
    def test_preview_applied_after_time_passed(self, contract: Contract) -> None:
        subscription = contract.into_period(contract.subscribe("basic"), Fraction(1, 3))
        change = PlanChange.swap("basic", "premium", proration=ProrationMode.PRORATE_NOW)
        preview = contract.billing.preview(subscription, change)
        contract.advance(contract.clock().now() + timedelta(minutes=20))
        if contract.capabilities.proration_time is ProrationTime.AT_RECEIPT:
            with pytest.raises(StalePreviewError) as caught:
                contract.billing.apply(subscription, change, preview=preview)
            stale = caught.value
            assert stale.previewed is not None
            assert stale.current is not None
            assert stale.previewed != stale.current, f"refused although {stale.previewed} == {stale.current}"
            assert contract.get(subscription).plan_quantities == {"basic": 1}
            return
        result = contract.billing.apply(subscription, change, preview=preview)
        assert result.invoice is not None
        _same(
            "charged 20 minutes later against previewed",
            result.invoice.totals.total.amount,
            preview.totals.total.amount,
        )
        assert result.matches_preview is True

    @requires(timing="immediately", proration=_KEEP, time_control=True)
    def test_preview_past_its_expiry_is_refused(self, contract: Contract) -> None:
        subscription = contract.into_period(contract.subscribe("basic"), Fraction(1, 3))
        change = PlanChange.swap("basic", "premium", proration=ProrationMode.PRORATE_NOW)
        preview = contract.billing.preview(subscription, change)
        assert preview.expires_at is not None
        contract.advance(preview.expires_at + timedelta(minutes=1))
        with pytest.raises(StalePreviewError):
            contract.billing.apply(subscription, change, preview=preview)
        assert contract.get(subscription).plan_quantities == {"basic": 1}, (
            "an expired preview changed nothing"
        )

    @requires(trials=True, timing="immediately", proration=(ProrationMode.NO_BILLING, BillingCycle.KEEP))
    def test_change_during_a_trial_keeps_it_and_charges_nothing(self, contract: Contract) -> None:
        subscription = contract.subscribe("basic", trial_days=7)
        assert subscription.status is SubscriptionStatus.TRIALING
        change = PlanChange.swap("basic", "premium", proration=ProrationMode.PRORATE_NOW)
        preview = contract.billing.preview(subscription, change)
        _same("previewed during a trial", preview.amount_due_now.amount, 0)
        assert preview.change.proration is ProrationMode.NO_BILLING, "the preview says what apply does"
        before = contract.invoices(subscription)
        result = contract.billing.apply(subscription, change, preview=preview)
        charged = [
            i.amount_due.amount for i in contract.invoices(subscription) if i.id not in {b.id for b in before}
        ]
        assert sum(charged) == 0, f"charged {charged} during a trial, previewed 0"
        after = contract.get(subscription)
        assert after.status is SubscriptionStatus.TRIALING
        assert after.trial_end == subscription.trial_end
        assert after.plan_quantities == {"premium": 1}
        assert result.matches_preview is True

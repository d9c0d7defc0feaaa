"""Changes during a free trial: the trial is kept and nothing charged, unless it is ended."""

from __future__ import annotations

from datetime import timedelta

from prorata import Billing, BillingCycle, Item, PlanChange, ProrationMode, SubscriptionStatus

from .conftest import START


def _trialing(billing: Billing) -> str:
    customer = billing.create_customer("trial@example.com")
    sub = billing.subscribe(customer.id, "trial-pro")
    billing.time_control().advance(START + timedelta(days=5))
    return sub.id


def test_a_change_during_a_trial_keeps_it_and_charges_nothing(billing: Billing) -> None:
    sub_id = _trialing(billing)
    before = billing.get(sub_id)
    change = PlanChange.add("addon", proration=ProrationMode.PRORATE_NOW)
    preview = billing.preview(sub_id, change)
    assert preview.change.proration is ProrationMode.NO_BILLING, "the preview says what apply does"
    assert preview.amount_due_now.amount == 0, f"previewed {preview.amount_due_now} during a trial"
    result = billing.apply(sub_id, change, preview=preview)
    assert result.matches_preview is True
    assert result.invoice is None or result.invoice.amount_due.amount == 0
    after = billing.get(sub_id)
    assert after.status is SubscriptionStatus.TRIALING
    assert after.trial_end == before.trial_end
    assert after.plan_quantities == {"trial-pro": 1, "addon": 1}


def test_end_trial_bills_the_new_plans_full_first_period(billing: Billing) -> None:
    sub_id = _trialing(billing)
    change = PlanChange.swap("trial-pro", "premium", end_trial=True)
    preview = billing.preview(sub_id, change)
    assert preview.amount_due_now.amount == 3000, f"previewed {preview.amount_due_now}, expected USD 30.00"
    assert all(line.amount.amount > 0 for line in preview.lines), "unpaid trial time is never credited"
    result = billing.apply(sub_id, change, preview=preview)
    assert result.matches_preview is True
    assert result.invoice is not None
    assert result.invoice.amount_due.amount == 3000, f"charged {result.invoice.amount_due}, previewed 30.00"
    after = billing.get(sub_id)
    assert after.status is SubscriptionStatus.ACTIVE
    assert after.trial_end == billing.now()
    assert after.current_period_start == billing.now()


def test_a_reset_cycle_during_a_trial_means_ending_it(billing: Billing) -> None:
    sub_id = _trialing(billing)
    change = PlanChange.set_items(
        [Item(plan="premium")], proration=ProrationMode.PRORATE_NOW, billing_cycle=BillingCycle.RESET
    )
    preview = billing.preview(sub_id, change)
    assert preview.change.end_trial is True
    result = billing.apply(sub_id, change, preview=preview)
    assert result.invoice is not None
    assert result.invoice.amount_due == preview.amount_due_now
    assert preview.amount_due_now.amount == 3000
    assert billing.get(sub_id).status is SubscriptionStatus.ACTIVE

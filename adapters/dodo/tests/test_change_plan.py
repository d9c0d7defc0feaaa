"""Seed 002: previews and applies under every mode, with add-ons and a quantity (real SDK)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from prorata import AtPeriodEnd, Billing, BillingCycle, Item, PlanChange, ProrationMode, SubscriptionStatus
from prorata.errors import ConflictError, UnsupportedCapabilityError
from prorata_emulators.dodo import DodoEmulator

MODES = [
    (ProrationMode.PRORATE_NOW, BillingCycle.RESET),
    (ProrationMode.PRORATE_NOW, BillingCycle.KEEP),
    (ProrationMode.FULL_PRICE_NOW, BillingCycle.RESET),
    (ProrationMode.PRICE_DIFFERENCE_NOW, BillingCycle.RESET),
    (ProrationMode.NO_BILLING, BillingCycle.KEEP),
]


def price(billing: Billing, items: list[Item]) -> int:
    return sum(billing.catalog.get(i.plan).price.amount * i.quantity for i in items)


def expected_due(mode: ProrationMode, cycle: BillingCycle, old: int, new: int, remaining: float) -> int:
    """Independent arithmetic for each mode (mid-cycle: remaining is exactly one half)."""
    half = remaining == 0.5
    assert half
    return {
        (ProrationMode.PRORATE_NOW, BillingCycle.RESET): new - old // 2,
        (ProrationMode.PRORATE_NOW, BillingCycle.KEEP): (new - old) // 2,
        (ProrationMode.FULL_PRICE_NOW, BillingCycle.RESET): new,
        (ProrationMode.PRICE_DIFFERENCE_NOW, BillingCycle.RESET): max(new - old, 0),
        (ProrationMode.NO_BILLING, BillingCycle.KEEP): 0,
    }[(mode, cycle)]


OLD = [Item(plan="starter", quantity=2), Item(plan="extra", quantity=1)]
NEW = [Item(plan="growth", quantity=2), Item(plan="extra", quantity=1), Item(plan="backup", quantity=3)]


def subscribe_mid_cycle(billing: Billing, emulator: DodoEmulator) -> str:
    customer = billing.create_customer("seed002@example.com")
    sub = billing.subscribe(customer.id, OLD)
    emulator.advance(sub.current_period_start + (sub.current_period_end - sub.current_period_start) / 2)
    return sub.id


@pytest.mark.parametrize(("mode", "cycle"), MODES)
def test_preview_every_mode_with_addons_and_quantity(
    seed_billing: Billing, emulator: DodoEmulator, mode: ProrationMode, cycle: BillingCycle
) -> None:
    sub_id = subscribe_mid_cycle(seed_billing, emulator)
    change = PlanChange.set_items(NEW, proration=mode, billing_cycle=cycle)
    emulator.reset_counts()
    preview = seed_billing.preview(seed_billing.get(sub_id), change)
    counts = emulator.request_counts()
    # The wallet is read so the next invoice shows what the renewal really charges.
    assert counts == {
        "GET /subscriptions/{id}": 1,
        "POST /subscriptions/{id}/change-plan/preview": 1,
        "GET /customers/{id}/wallets": 1,
    }
    due = expected_due(mode, cycle, price(seed_billing, OLD), price(seed_billing, NEW), 0.5)
    assert preview.amount_due_now.amount == due
    assert sum(line.amount.amount for line in preview.lines) == preview.totals.subtotal.amount
    assert {i.plan: i.quantity for i in preview.items} == {i.plan: i.quantity for i in NEW}
    resets = cycle is BillingCycle.RESET
    assert (preview.period_end > seed_billing.get(sub_id).current_period_end) is resets


@pytest.mark.parametrize(("mode", "cycle"), MODES)
def test_apply_charges_what_was_previewed(
    seed_billing: Billing, emulator: DodoEmulator, mode: ProrationMode, cycle: BillingCycle
) -> None:
    sub_id = subscribe_mid_cycle(seed_billing, emulator)
    change = PlanChange.set_items(NEW, proration=mode, billing_cycle=cycle)
    before = seed_billing.get(sub_id)
    preview = seed_billing.preview(before, change)
    emulator.reset_counts()
    result = seed_billing.apply(before, change, preview=preview)
    assert emulator.request_counts()["POST /subscriptions/{id}/change-plan"] == 1
    assert {i.plan: i.quantity for i in result.subscription.items} == {i.plan: i.quantity for i in NEW}
    charged = 0 if result.invoice is None else result.invoice.amount_due.amount
    assert charged == preview.amount_due_now.amount
    assert result.matches_preview is True
    assert result.subscription.current_period_end == preview.period_end
    assert result.subscription == seed_billing.get(sub_id)  # derived, not re-read: must agree


def test_addons_are_always_sent_in_full(seed_billing: Billing, emulator: DodoEmulator) -> None:
    sub_id = subscribe_mid_cycle(seed_billing, emulator)
    result = seed_billing.apply(
        sub_id, PlanChange.swap("starter", "growth", proration=ProrationMode.NO_BILLING)
    )
    assert {i.plan: i.quantity for i in result.subscription.items} == {"growth": 2, "extra": 1}


def test_seat_quantity_change(seed_billing: Billing, emulator: DodoEmulator) -> None:
    sub_id = subscribe_mid_cycle(seed_billing, emulator)
    preview = seed_billing.preview(sub_id, PlanChange.set_quantity("starter", 5))
    assert preview.amount_due_now.amount == 3 * 3000 // 2


def test_two_base_products_refused_before_any_request(seed_billing: Billing, emulator: DodoEmulator) -> None:
    sub_id = subscribe_mid_cycle(seed_billing, emulator)
    current = seed_billing.get(sub_id)
    emulator.reset_counts()
    with pytest.raises(UnsupportedCapabilityError):
        seed_billing.preview(current, PlanChange.add("growth"))
    with pytest.raises(UnsupportedCapabilityError):
        seed_billing.apply(
            current, PlanChange.swap("starter", "growth", proration=ProrationMode.PRORATE_NEXT_INVOICE)
        )
    assert emulator.request_counts() == {}


def test_scheduled_change_then_clock(seed_billing: Billing, emulator: DodoEmulator) -> None:
    sub_id = subscribe_mid_cycle(seed_billing, emulator)
    change = PlanChange.swap("starter", "growth", timing=AtPeriodEnd())
    preview = seed_billing.preview(sub_id, change)
    assert preview.amount_due_now.amount == 0
    before = seed_billing.get(sub_id)
    assert preview.effective_at == before.current_period_end
    emulator.reset_counts()
    result = seed_billing.apply(before, change)
    assert emulator.request_counts()["POST /subscriptions/{id}/change-plan"] == 1
    assert result.invoice is None
    pending = result.subscription.scheduled_change
    assert pending is not None
    assert pending.effective_at == before.current_period_end
    assert result.subscription.plan_quantities == before.plan_quantities
    # a second change while one is pending: refused by core before any request
    emulator.reset_counts()
    with pytest.raises(ConflictError):
        seed_billing.apply(result.subscription, PlanChange.set_quantity("starter", 3))
    assert emulator.request_counts() == {}
    seed_billing.time_control().advance(before.current_period_end + timedelta(minutes=1))
    after = seed_billing.get(sub_id)
    assert after.scheduled_change is None
    assert after.plan_quantities == {"growth": 2, "extra": 1}
    assert after.current_period_start == before.current_period_end
    renewal = seed_billing.invoices(sub_id)[-1]
    assert renewal.amount_due.amount == price(
        seed_billing, [Item(plan="growth", quantity=2), Item(plan="extra")]
    )


def test_cancel_and_replace_scheduled_change(seed_billing: Billing, emulator: DodoEmulator) -> None:
    sub_id = subscribe_mid_cycle(seed_billing, emulator)
    seed_billing.apply(sub_id, PlanChange.swap("starter", "growth", timing=AtPeriodEnd()))
    replaced = seed_billing.apply(
        sub_id, PlanChange.set_quantity("starter", 4, timing=AtPeriodEnd(), replace_pending=True)
    )
    assert replaced.subscription.scheduled_change is not None
    assert {i.plan: i.quantity for i in replaced.subscription.scheduled_change.items} == {
        "starter": 4,
        "extra": 1,
    }
    cleared = seed_billing.cancel_scheduled_change(sub_id)
    assert cleared.scheduled_change is None
    assert cleared.status is SubscriptionStatus.ACTIVE

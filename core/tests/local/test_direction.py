"""PlanChange.auto: upgrades now with proration, downgrades at period end (price per day)."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

import pytest

from prorata import (
    AtPeriodEnd,
    Billing,
    Direction,
    Immediately,
    Item,
    PlanChange,
    ProrationMode,
    SetQuantity,
    Swap,
    direction_of,
    price_per_day,
)
from prorata.errors import InvalidChangeError

from .conftest import START, make_catalog


def test_direction_compares_price_per_day() -> None:
    catalog = make_catalog()
    # 30-day 100.00 against monthly 20.00: 3.33 a day against 0.66 a day.
    assert direction_of(catalog, [Item(plan="pro")], [Item(plan="d100")]) is Direction.UP
    assert direction_of(catalog, [Item(plan="d100")], [Item(plan="pro")]) is Direction.DOWN
    assert direction_of(catalog, [Item(plan="seat", quantity=3)], [Item(plan="seat", quantity=2)]) is (
        Direction.DOWN
    )
    assert price_per_day(catalog, [Item(plan="d100")]) == Fraction(10000, 30)


def _subscribed(billing: Billing, plan: str, quantity: int = 1) -> str:
    customer = billing.create_customer("auto@example.com")
    sub = billing.subscribe(customer.id, [Item(plan=plan, quantity=quantity)])
    billing.time_control().advance(START + timedelta(days=10))
    return sub.id


def test_an_upgrade_is_prorated_now(billing: Billing) -> None:
    sub_id = _subscribed(billing, "basic")
    change = PlanChange.auto(Swap(from_plan="basic", to_plan="pro"))
    preview = billing.preview(sub_id, change)
    assert isinstance(preview.change.timing, Immediately)
    assert preview.change.proration is ProrationMode.PRORATE_NOW
    assert preview.amount_due_now.amount > 0, f"an upgrade charges now, previewed {preview.amount_due_now}"
    result = billing.apply(sub_id, change, preview=preview)
    assert result.matches_preview is True
    assert result.subscription.plan_quantities == {"pro": 1}


def test_a_downgrade_waits_for_the_period_end(billing: Billing) -> None:
    sub_id = _subscribed(billing, "seat", 3)
    change = PlanChange.auto(SetQuantity(plan="seat", quantity=2))
    preview = billing.preview(sub_id, change)
    assert isinstance(preview.change.timing, AtPeriodEnd)
    assert preview.amount_due_now.amount == 0
    result = billing.apply(sub_id, change, preview=preview)
    assert result.subscription.plan_quantities == {"seat": 3}, "nothing changes before the period ends"
    assert result.subscription.scheduled_change is not None


def test_auto_refuses_a_no_billing_upgrade() -> None:
    with pytest.raises(InvalidChangeError):
        PlanChange.auto(Swap(from_plan="basic", to_plan="pro"), upgrade=ProrationMode.NO_BILLING)


def test_price_difference_across_intervals_is_refused(billing: Billing) -> None:
    sub_id = _subscribed(billing, "basic")
    change = PlanChange.swap("basic", "d100", proration=ProrationMode.PRICE_DIFFERENCE_NOW)
    with pytest.raises(InvalidChangeError, match="different billing intervals"):
        billing.preview(sub_id, change)

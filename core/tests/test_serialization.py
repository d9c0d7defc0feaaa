"""Stable JSON: every domain type round-trips equal, in the documented format."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

import prorata
from prorata import (
    AtDate,
    AtPeriodEnd,
    ChangePreview,
    ChangeResult,
    ChargeLine,
    Customer,
    Discount,
    EndBehavior,
    Interval,
    Invoice,
    Item,
    LineKind,
    Money,
    Phase,
    PlanChange,
    ProrationMode,
    Schedule,
    ScheduledChange,
    TaxRate,
    Totals,
    UpcomingInvoice,
)
from prorata.errors import ValidationError
from prorata.provider import NewSubscription

from .conftest import PREVIEW_AT, T0, T1, make_catalog, make_subscription

USD = "USD"


def _totals(amount: int) -> Totals:
    zero = Money.zero(USD)
    return Totals(
        subtotal=Money.of(amount, USD),
        discount=zero,
        tax=zero,
        total=Money.of(amount, USD),
        amount_due=Money.of(max(amount, 0), USD),
        balance_applied=zero,
        credited=Money.of(max(-amount, 0), USD),
    )


LINES = (
    ChargeLine(
        description="Unused time on basic",
        amount=Money.of(-516, USD),
        kind=LineKind.PRORATION_CREDIT,
        plan="basic",
        quantity=1,
        period_start=PREVIEW_AT,
        period_end=T1,
    ),
    ChargeLine(
        description="Remaining time on pro",
        amount=Money.of(1032, USD),
        kind=LineKind.PRORATION_DEBIT,
        plan="pro",
        quantity=1,
        period_start=PREVIEW_AT,
        period_end=T1,
    ),
)
SCHEDULE = Schedule(
    phases=[
        Phase(
            items=[Item(plan="basic")],
            start=T0,
            end=T1,
            discounts=[Discount(coupon="launch", percent_off=Decimal("12.5"))],
        ),
        Phase(
            items=[Item(plan="pro", quantity=2)],
            cycles=3,
            tax_rates=[TaxRate(display_name="VAT", percentage="20")],
            prorate_at_start=True,
        ),
        Phase(items=[Item(plan="basic")]),
    ],
    end_behavior=EndBehavior.RELEASE,
)
SUBSCRIPTION = make_subscription(
    discounts=[
        Discount(
            coupon="flat",
            amount_off=Money.of(300, USD),
            duration="repeating",
            duration_in_cycles=3,
            cycles_remaining=2,
        )
    ],
    tax_rates=[TaxRate(display_name="Sales tax", percentage=Decimal("8.875"), inclusive=True)],
    scheduled_change=ScheduledChange(items=[Item(plan="pro")], effective_at=T1),
    collection_method="send_invoice",
    days_until_due=30,
    trial_end=T0 + timedelta(days=7),
)
CHANGES = [
    PlanChange.swap("basic", "pro", quantity=2),
    PlanChange.add("addon", 3, timing=AtPeriodEnd(), proration=ProrationMode.NO_BILLING),
    PlanChange.remove("addon", timing=AtDate(at=PREVIEW_AT), replace_pending=True),
    PlanChange.set_quantity("basic", 5, proration="price_difference_now", billing_cycle="reset"),
    PlanChange.set_items(
        [Item(plan="pro"), Item(plan="addon", quantity=2)], on_payment_failure="apply_change"
    ),
    PlanChange.cancel_at_period_end(),
    PlanChange.resume(switch_to=("basic", "pro")),
    PlanChange(timing=prorata.PhasedSchedule(schedule=SCHEDULE)),
]
PREVIEW = ChangePreview(
    provider="local",
    subscription_id="sub_1",
    change=CHANGES[0],
    currency=USD,
    lines=LINES,
    totals=_totals(516),
    pending_lines=LINES,
    items=[Item(plan="pro", quantity=2)],
    effective_at=PREVIEW_AT,
    proration_time=PREVIEW_AT,
    period_end=T1,
    next_invoice=UpcomingInvoice(at=T1, lines=LINES[1:], totals=_totals(1032)),
    schedule=SCHEDULE,
    created_at=PREVIEW_AT,
)
INVOICE = Invoice(
    id="in_1",
    subscription_id="sub_1",
    status="paid",
    currency=USD,
    lines=LINES,
    totals=_totals(516),
    created=PREVIEW_AT,
    due_date=T1,
)
DOMAIN_OBJECTS: list[Any] = [
    Money.of(-1234, "KWD"),
    Interval(unit="week", count=2),
    make_catalog(),
    *make_catalog().plans,
    Item(plan="basic", quantity=0),
    *SUBSCRIPTION.discounts,
    *SUBSCRIPTION.tax_rates,
    SUBSCRIPTION,
    make_subscription(schedule=SCHEDULE),
    SCHEDULE,
    *SCHEDULE.phases,
    *CHANGES,
    *LINES,
    _totals(-700),
    INVOICE,
    PREVIEW,
    ChangeResult(
        subscription=SUBSCRIPTION,
        invoice=INVOICE,
        schedule=SCHEDULE,
        preview=PREVIEW,
        matches_preview=True,
        replayed=True,
    ),
    Customer(id="cus_1", email="ada@example.com", name="Ada"),
    NewSubscription(customer_id="cus_1", items=[Item(plan="basic")], trial_days=0, billing_cycle_anchor=T0),
    prorata.provider.ProrationSupport(mode="prorate_now", cycle="keep"),
]


@pytest.mark.parametrize("obj", DOMAIN_OBJECTS, ids=lambda obj: type(obj).__name__)
def test_round_trip_is_equal(obj: Any) -> None:
    text = prorata.dumps(obj)
    assert prorata.loads(text, type(obj)) == obj
    assert prorata.dumps(prorata.loads(text, type(obj))) == text  # stable text too


def test_preview_json_loads_back_equal_with_indentation() -> None:
    assert prorata.loads(prorata.dumps(PREVIEW, indent=2), ChangePreview) == PREVIEW


def test_format_of_money_datetimes_decimals_and_tags() -> None:
    data = json.loads(prorata.dumps(PREVIEW))
    assert data["totals"]["amount_due"] == {"amount": 516, "currency": "USD"}
    assert data["proration_time"] == "2026-01-16T12:00:00Z"
    assert data["change"]["operations"] == [
        {"type": "swap", "from_plan": "basic", "to_plan": "pro", "quantity": 2}
    ]
    assert data["change"]["timing"] == {"type": "immediately"}
    assert data["schedule"]["phases"][0]["discounts"][0]["percent_off"] == "12.5"


def test_raw_provider_payload_is_not_serialized() -> None:
    sub = make_subscription(raw={"secret_field": "cus_raw_payload"})
    text = prorata.dumps(sub)
    assert "raw" not in json.loads(text)
    assert "cus_raw_payload" not in text


def test_provider_item_ids_are_kept() -> None:
    sub = make_subscription(items=[Item(plan="basic", id="si_123")])
    assert prorata.loads(prorata.dumps(sub), type(sub)).items[0].id == "si_123"


def test_loading_checks_invariants_again() -> None:
    data = json.loads(prorata.dumps(make_subscription()))
    data["items"] = []
    with pytest.raises(ValidationError) as excinfo:
        prorata.structure(data, prorata.Subscription)
    assert excinfo.value.field == "Subscription.items"


def test_float_decimals_and_naive_datetimes_are_refused() -> None:
    rate = json.loads(prorata.dumps(TaxRate(display_name="VAT", percentage="20")))
    rate["percentage"] = 20.0
    with pytest.raises(ValidationError):
        prorata.structure(rate, TaxRate)
    change = json.loads(prorata.dumps(PlanChange.swap("basic", "pro", timing=AtDate(at=PREVIEW_AT))))
    change["timing"]["at"] = "2026-01-16T12:00:00"
    with pytest.raises(ValidationError):
        prorata.structure(change, PlanChange)

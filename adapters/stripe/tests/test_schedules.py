"""Scheduled changes through subscription schedules (seeds 003 and 004), against the emulator."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
import stripe

from prorata import (
    AtDate,
    AtPeriodEnd,
    Billing,
    Catalog,
    Customer,
    Discount,
    DiscountDuration,
    EndBehavior,
    Item,
    Money,
    Phase,
    PlanChange,
    SubscriptionStatus,
)
from prorata.errors import ConflictError
from prorata.provider import TimeControl, round_half_away_from_zero
from prorata_emulators.stripe import StripeEmulator
from prorata_stripe import StripeProvider


def test_downgrade_at_period_end_is_two_requests_and_bills_the_new_plan_at_renewal(
    billing: Billing,
    time_control: TimeControl,
    emulator: StripeEmulator,
    customer_factory: Callable[..., Customer],
) -> None:
    sub = billing.subscribe(customer_factory().id, "premium")
    change = PlanChange.swap("premium", "basic", timing=AtPeriodEnd())
    emulator.reset_counts()
    preview = billing.preview(sub, change)
    # The preview, and the test clock's time its lifetime starts at (no request off test clocks).
    assert emulator.request_counts() == {
        "POST /v1/invoices/create_preview": 1,
        "GET /v1/test_helpers/test_clocks/{id}": 1,
    }
    assert preview.effective_at == sub.current_period_end
    assert preview.lines == (), "nothing is billed at the boundary itself"
    assert preview.totals.total == Money.of(0, "USD")
    assert preview.next_invoice is not None
    assert preview.next_invoice.totals.total == Money.of(1000, "USD")
    emulator.reset_counts()
    result = billing.apply(sub, change, preview=preview)
    counts = emulator.request_counts()
    assert counts == {
        "POST /v1/subscription_schedules": 1,
        "POST /v1/subscription_schedules/{id}": 1,
        "GET /v1/test_helpers/test_clocks/{id}": 1,  # the preview's expiry, on the test clock
    }
    assert result.subscription.plan_quantities == {"premium": 1}
    assert result.subscription.scheduled_change is not None
    assert result.subscription.scheduled_change.effective_at == sub.current_period_end
    assert result.matches_preview is True
    time_control.advance(sub.current_period_end + timedelta(hours=1))
    after = billing.get(sub.id)
    assert after.plan_quantities == {"basic": 1}
    assert billing.invoices(sub.id)[-1].totals.total == Money.of(1000, "USD")


def test_a_second_scheduled_change_updates_the_schedule_instead_of_duplicating_it(
    billing: Billing,
    emulator: StripeEmulator,
    stripe_client: stripe.StripeClient,
    customer_factory: Callable[..., Customer],
) -> None:
    sub = billing.subscribe(customer_factory().id, "premium")
    first = billing.apply(sub, PlanChange.swap("premium", "basic", timing=AtPeriodEnd()))
    with pytest.raises(ConflictError):
        billing.apply(first.subscription, PlanChange.swap("premium", "pro", timing=AtPeriodEnd()))
    emulator.reset_counts()
    second = billing.apply(
        first.subscription, PlanChange.swap("premium", "pro", timing=AtPeriodEnd(), replace_pending=True)
    )
    assert emulator.request_counts() == {"POST /v1/subscription_schedules/{id}": 1}
    assert second.schedule is not None
    assert first.schedule is not None
    assert second.schedule.id == first.schedule.id
    schedules = stripe_client.v1.subscription_schedules.list({"customer": sub.customer_id})
    assert len(schedules.data) == 1
    assert second.subscription.scheduled_change is not None
    assert second.subscription.scheduled_change.items == (Item(plan="pro", quantity=1),)


def test_cancel_scheduled_change_releases_the_schedule(
    billing: Billing, customer_factory: Callable[..., Customer]
) -> None:
    sub = billing.subscribe(customer_factory().id, "premium")
    billing.apply(sub, PlanChange.swap("premium", "basic", timing=AtPeriodEnd()))
    kept = billing.cancel_scheduled_change(sub.id)
    assert kept.schedule is None
    assert kept.scheduled_change is None
    assert kept.plan_quantities == {"premium": 1}


def test_seed_004_quantity_at_a_date_keeps_the_coupon_and_releases(
    billing: Billing,
    time_control: TimeControl,
    stripe_client: stripe.StripeClient,
    customer_factory: Callable[..., Customer],
) -> None:
    free_three_months = Discount(
        coupon="free-3-months",
        percent_off=Decimal(100),
        duration=DiscountDuration.REPEATING,
        duration_in_cycles=3,
    )
    sub = billing.subscribe(
        customer_factory().id, [Item(plan="seat", quantity=5)], discounts=[free_three_months]
    )
    (discount,) = sub.discounts
    assert discount.id is not None
    assert discount.id.startswith("di_")
    time_control.advance(time_control.now() + timedelta(days=40))
    sub = billing.get(sub.id)
    on = time_control.now() + timedelta(days=20)
    result = billing.apply(sub, PlanChange.set_quantity("seat", 10, timing=AtDate(at=on)))
    assert result.schedule is not None
    assert result.schedule.id is not None
    raw = stripe_client.v1.subscription_schedules.retrieve(result.schedule.id)
    assert raw.end_behavior == "release"
    assert raw.phases[0].start_date == int(sub.current_period_start.timestamp()), (
        "the current phase keeps its exact start"
    )
    assert raw.phases[0].end_date == int(on.timestamp()) == raw.phases[1].start_date
    assert [[d.discount for d in phase.discounts] for phase in raw.phases] == [[discount.id], [discount.id]]
    time_control.advance(on + timedelta(hours=1))
    moved = billing.get(sub.id)
    assert moved.plan_quantities == {"seat": 10}
    assert [d.id for d in moved.discounts] == [discount.id], (
        "the same discount, so its remaining duration is kept"
    )
    time_control.advance(datetime.fromtimestamp(raw.phases[1].end_date, tz=UTC) + timedelta(hours=1))
    released = billing.get(sub.id)
    assert released.schedule is None
    assert released.plan_quantities == {"seat": 10}
    assert stripe_client.v1.subscription_schedules.retrieve(raw.id).status == "released"


def test_seed_004_coupon_runs_out_after_its_three_months(
    billing: Billing, time_control: TimeControl, customer_factory: Callable[..., Customer]
) -> None:
    free = Discount(
        coupon="free-3", percent_off=Decimal(100), duration=DiscountDuration.REPEATING, duration_in_cycles=3
    )
    sub = billing.subscribe(customer_factory().id, [Item(plan="seat", quantity=5)], discounts=[free])
    billing.apply(
        sub,
        PlanChange.set_quantity("seat", 10, timing=AtDate(at=sub.current_period_start + timedelta(days=40))),
    )
    time_control.advance(sub.current_period_start + timedelta(days=125))
    invoices = billing.invoices(sub.id)
    periodic = [
        i.totals.total.amount for i in invoices if i.reason in ("subscription_create", "subscription_cycle")
    ]
    assert periodic == [0, 0, 0, 10000, 10000], "three free months (5 seats, then 10 seats at $10)"
    assert [i.totals.subtotal.amount for i in invoices if i.reason == "subscription_update"] == [
        round_half_away_from_zero(Fraction(5 * 1000 * 19, 31))
    ], "the transition prorates 5 more seats for 19 of 31 days"


def test_phased_schedule_uses_durations_and_cancels_at_the_end(
    billing: Billing,
    time_control: TimeControl,
    stripe_client: stripe.StripeClient,
    customer_factory: Callable[..., Customer],
) -> None:
    sub = billing.subscribe(customer_factory().id, "basic")
    change = PlanChange.phased(
        [Phase(items=[Item(plan="basic")], cycles=1), Phase(items=[Item(plan="pro")], cycles=2)],
        end_behavior=EndBehavior.CANCEL,
    )
    preview = billing.preview(sub, change)
    assert preview.schedule is not None
    assert len(preview.schedule.phases) == 2
    result = billing.apply(sub, change)
    assert result.schedule is not None
    assert result.schedule.id is not None
    raw = stripe_client.v1.subscription_schedules.retrieve(result.schedule.id)
    assert next((p.start_date, p.end_date) for p in raw.phases)[0] == int(
        sub.current_period_start.timestamp()
    )
    assert raw.phases[1].end_date > raw.phases[1].start_date
    time_control.advance(datetime.fromtimestamp(raw.phases[1].end_date, tz=UTC) + timedelta(hours=1))
    assert billing.get(sub.id).status is SubscriptionStatus.CANCELED


def _jpy_catalog(client: stripe.StripeClient) -> tuple[Catalog, dict[str, str]]:
    from prorata import Interval, Plan

    prices: dict[str, str] = {}
    plans: list[Plan] = []
    for key, name, amount in (
        ("gold", "Gold plan", 5000),
        ("silver", "Silver plan", 3000),
        ("bronze", "Bronze plan", 1000),
    ):
        product = client.v1.products.create({"name": name})
        price = client.v1.prices.create(
            {
                "product": product.id,
                "currency": "jpy",
                "unit_amount": amount,
                "recurring": {"interval": "month"},
            }
        )
        prices[key] = price.id
        plans.append(
            Plan(
                key=key,
                name=name,
                price=Money.of(amount, "JPY"),
                interval=Interval.monthly(),
                refs={"stripe": price.id},
            )
        )
    return Catalog(plans=plans), prices


def test_seed_003_three_phases_then_a_rebuild_keeping_the_current_phase(
    stripe_client: stripe.StripeClient,
) -> None:
    client = stripe_client
    catalog, price = _jpy_catalog(client)
    tax = client.v1.tax_rates.create({"display_name": "Tax Rate", "percentage": 10.0, "inclusive": False})
    clock = client.v1.test_helpers.test_clocks.create({"frozen_time": 1577854767})
    customer = client.v1.customers.create(
        {
            "test_clock": clock.id,
            "payment_method": "pm_card_visa",
            "invoice_settings": {"default_payment_method": "pm_card_visa"},
        }
    )
    schedule = client.v1.subscription_schedules.create(
        {
            "customer": customer.id,
            "start_date": 1577854772,
            "phases": [
                {
                    "items": [
                        {"price": price["gold"], "quantity": 1},
                        {"price": price["silver"], "quantity": 4},
                    ],
                    "default_tax_rates": [tax.id],
                    "duration": {"interval": "month", "interval_count": 3},
                },
                {
                    "items": [
                        {"price": price["silver"], "quantity": 1},
                        {"price": price["bronze"], "quantity": 1},
                    ],
                    "default_tax_rates": [tax.id],
                    "duration": {"interval": "month", "interval_count": 5},
                },
                {
                    "items": [
                        {"price": price["bronze"], "quantity": 3},
                        {"price": price["gold"], "quantity": 2},
                    ],
                    "default_tax_rates": [tax.id],
                    "duration": {"interval": "month", "interval_count": 7},
                },
            ],
        }
    )
    assert schedule.status == "not_started"
    assert [(p.start_date, p.end_date) for p in schedule.phases] == [
        (1577854772, 1585717172),
        (1585717172, 1598936372),
        (1598936372, 1617253172),
    ]
    client.v1.test_helpers.test_clocks.advance(clock.id, {"frozen_time": 1577854772 + 60})
    started = client.v1.subscription_schedules.retrieve(schedule.id, {"expand": ["subscription"]})
    assert started.status == "active"
    subscription = started.subscription
    assert not isinstance(subscription, str)
    assert subscription["items"].data[0].current_period_end == 1580533172
    first_invoice = client.v1.invoices.retrieve(str(subscription.latest_invoice))
    assert first_invoice.subtotal == 5000 + 4 * 3000, "JPY is zero-decimal"
    assert first_invoice.total == 18700, "10 % tax on 17000 yen"

    # Rebuild through the adapter: the current phase keeps its exact start, the rest is replaced.
    provider = StripeProvider(client=client, catalog=catalog, test_clock=clock.id)
    billing = Billing(provider=provider, catalog=catalog)
    current = billing.get(subscription.id)
    assert current.schedule is not None
    assert current.currency == "JPY"
    change = PlanChange.phased(
        [
            Phase(items=[Item(plan="gold"), Item(plan="silver", quantity=4)], cycles=3),
            Phase(items=[Item(plan="bronze", quantity=2)], cycles=1),
        ],
        replace_pending=True,
    )
    result = billing.apply(current, change)
    rebuilt = client.v1.subscription_schedules.retrieve(schedule.id)
    assert rebuilt.phases[0].start_date == 1577854772
    assert [(p.start_date, p.end_date) for p in rebuilt.phases] == [
        (1577854772, 1585717172),
        (1585717172, 1588309172),
    ]
    assert [r.id for r in rebuilt.phases[1].default_tax_rates or []] == [tax.id], "tax rates kept"
    assert result.schedule is not None
    assert result.schedule.id == schedule.id
    assert len(client.v1.subscription_schedules.list({"customer": customer.id}).data) == 1


def test_schedule_errors_match_stripe(
    stripe_client: stripe.StripeClient, billing: Billing, customer_factory: Callable[..., Customer]
) -> None:
    client = stripe_client
    sub = billing.subscribe(customer_factory().id, "basic")
    price = sub.raw["items"]["data"][0]["price"]["id"]
    with pytest.raises(stripe.InvalidRequestError, match="from_subscription"):
        client.v1.subscription_schedules.create({"from_subscription": sub.id, "end_behavior": "release"})
    schedule = client.v1.subscription_schedules.create({"from_subscription": sub.id})
    with pytest.raises(stripe.InvalidRequestError, match="already attached to a schedule"):
        client.v1.subscription_schedules.create({"from_subscription": sub.id})
    start = schedule.phases[0].start_date
    with pytest.raises(stripe.InvalidRequestError) as moved:
        client.v1.subscription_schedules.update(
            schedule.id, {"phases": [{"items": [{"price": price}], "start_date": start + 1}]}
        )
    assert moved.value.user_message == "You can not modify the start date of the current phase."
    with pytest.raises(stripe.InvalidRequestError) as unanchored:
        client.v1.subscription_schedules.update(
            schedule.id, {"phases": [{"items": [{"price": price}], "end_date": start + 10**7}]}
        )
    assert (
        unanchored.value.user_message
        == "The subscription schedule update is missing at least one phase with a `start_date` to anchor end dates to."
    )
    with pytest.raises(stripe.InvalidRequestError) as legacy:
        client.v1.subscription_schedules.update(
            schedule.id,
            {"phases": [{"items": [{"price": price}], "start_date": start, "iterations": 3}]},  # type: ignore[typeddict-unknown-key]
        )
    assert legacy.value.param == "phases[0][iterations]"
    assert legacy.value.code == "parameter_unknown"
    too_many = [{"items": [{"price": price}], "duration": {"interval": "month"}} for _ in range(11)]
    with pytest.raises(stripe.InvalidRequestError, match="at most 10 phases"):
        client.v1.subscription_schedules.update(
            schedule.id, {"phases": [{**too_many[0], "start_date": start}, *too_many[1:]]}
        )  # type: ignore[list-item]
    assert client.v1.subscription_schedules.retrieve(schedule.id).phases[0].start_date == start, (
        "refused updates change nothing"
    )

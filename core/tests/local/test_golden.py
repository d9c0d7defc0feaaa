"""Golden figures of the reference engine (docs/proration.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from prorata import (
    AtDate,
    Billing,
    BillingCycle,
    Discount,
    DiscountDuration,
    Item,
    LineKind,
    Money,
    PlanChange,
    ProrationMode,
)
from prorata.local import LocalProvider


def _amounts(lines: object) -> list[int]:
    return [line.amount.amount for line in lines]  # type: ignore[attr-defined]  # pyright: ignore


def test_upgrade_at_mid_period_credits_half_and_charges_half(billing: Billing) -> None:
    customer = billing.create_customer("a@example.com")
    sub = billing.subscribe(customer.id, "basic")
    middle = sub.current_period_start + (sub.current_period_end - sub.current_period_start) / 2
    billing.time_control().advance(middle)
    preview = billing.preview(sub.id, PlanChange.swap("basic", "pro"))
    assert _amounts(preview.lines) == [-500, 1000]
    assert [line.kind for line in preview.lines] == [LineKind.PRORATION_CREDIT, LineKind.PRORATION_DEBIT]
    assert preview.totals.amount_due == Money.of(500, "USD")
    result = billing.apply(sub.id, preview.change, preview=preview)
    assert result.matches_preview is True
    assert result.invoice is not None
    assert result.invoice.totals.amount_due == Money.of(500, "USD")


def test_100_to_200_with_16_of_30_days_left_charges_53_33(billing: Billing) -> None:
    customer = billing.create_customer("a@example.com")
    sub = billing.subscribe(customer.id, "d100")
    billing.time_control().advance(sub.current_period_start + timedelta(days=14))
    preview = billing.preview(sub.id, PlanChange.swap("d100", "d200"))
    assert preview.totals.total == Money.of(5333, "USD")
    assert sum(_amounts(preview.lines)) == 5333


def test_zero_decimal_currency_proration(billing: Billing) -> None:
    customer = billing.create_customer("jp@example.com")
    sub = billing.subscribe(customer.id, "silver-jpy")
    start, end = sub.current_period_start, sub.current_period_end
    billing.time_control().advance(start + (end - start) * 2 / 3)
    preview = billing.preview(sub.id, PlanChange.swap("silver-jpy", "gold-jpy"))
    # one third of the month left: -1000 JPY for Silver, +1667 JPY for Gold, rounded once: 667
    assert preview.currency == "JPY"
    seconds_left = int((end - (start + (end - start) * 2 / 3)).total_seconds())
    period = int((end - start).total_seconds())
    exact_net = Decimal(2000 * seconds_left) / Decimal(period)
    assert preview.totals.total.amount == int(exact_net.quantize(Decimal(1), rounding="ROUND_HALF_UP"))
    assert all(line.amount.currency == "JPY" for line in preview.lines)


def test_seats_5_to_10_at_a_date_keep_the_coupon_and_its_remaining_cycles(billing: Billing) -> None:
    customer = billing.create_customer("seats@example.com")
    coupon = Discount(
        coupon="FREE3", percent_off=Decimal(100), duration=DiscountDuration.REPEATING, duration_in_cycles=3
    )
    sub = billing.subscribe(customer.id, [Item(plan="seat", quantity=5)], discounts=[coupon])
    assert sub.discounts[0].cycles_remaining == 2  # the first invoice used one cycle
    when = datetime(2024, 2, 15, tzinfo=UTC)
    change = PlanChange.set_quantity("seat", 10, timing=AtDate(at=when), proration=ProrationMode.NO_BILLING)
    preview = billing.preview(sub.id, change)
    assert preview.effective_at == when
    assert preview.lines == ()
    result = billing.apply(sub.id, change, preview=preview)
    assert result.subscription.scheduled_change is not None
    assert result.subscription.item("seat") is not None
    assert result.subscription.item("seat").quantity == 5
    billing.time_control().advance(when + timedelta(seconds=1))
    after = billing.get(sub.id)
    assert after.plan_quantities == {"seat": 10}
    assert after.scheduled_change is None
    assert [d.coupon for d in after.discounts] == ["FREE3"]
    assert after.discounts[0].cycles_remaining == 1  # Feb renewal used one; the change kept the rest
    billing.time_control().advance(datetime(2024, 3, 1, 0, 0, 1, tzinfo=UTC))
    march = billing.invoices(sub.id)[-1]
    assert march.reason == "subscription_cycle"
    assert march.totals.subtotal == Money.of(10000, "USD")
    assert march.totals.total == Money.of(0, "USD")
    billing.time_control().advance(datetime(2024, 4, 1, 0, 0, 1, tzinfo=UTC))
    april = billing.invoices(sub.id)[-1]
    assert april.totals.total == Money.of(10000, "USD")  # the coupon ran out after three cycles


def test_dodo_worked_examples_30_to_80_at_mid_cycle(provider: LocalProvider) -> None:
    billing = Billing(provider=provider, catalog=provider.catalog)
    expected = {
        (ProrationMode.PRICE_DIFFERENCE_NOW, BillingCycle.RESET): 5000,
        (ProrationMode.PRORATE_NOW, BillingCycle.KEEP): 2500,
        (ProrationMode.FULL_PRICE_NOW, BillingCycle.RESET): 8000,
        (ProrationMode.NO_BILLING, BillingCycle.KEEP): 0,
    }
    customer = billing.create_customer("dodo@example.com")
    subs = {key: billing.subscribe(customer.id, "dodo30") for key in expected}
    first = next(iter(subs.values()))
    billing.time_control().advance(first.current_period_start + timedelta(days=15))
    for (mode, cycle), amount in expected.items():
        preview = billing.preview(
            subs[(mode, cycle)].id, PlanChange.swap("dodo30", "dodo80", proration=mode, billing_cycle=cycle)
        )
        assert preview.totals.total.amount == amount, (mode, cycle)

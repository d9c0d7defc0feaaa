"""Seed 000, trials, sent invoices, cancel at period end, resume and recover."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import stripe

from prorata import Billing, CollectionMethod, Customer, InvoiceStatus, Money, PlanChange, SubscriptionStatus
from prorata.provider import TimeControl
from prorata_emulators.stripe import StripeEmulator


def test_seed_000_adding_a_second_product_is_one_call_with_proration_and_a_sent_invoice(
    billing: Billing,
    time_control: TimeControl,
    emulator: StripeEmulator,
    customer_factory: Callable[..., Customer],
) -> None:
    sub = billing.subscribe(
        customer_factory().id, "basic", collection_method=CollectionMethod.SEND_INVOICE, days_until_due=30
    )
    first = billing.invoices(sub.id)[-1]
    assert first.status is InvoiceStatus.OPEN
    assert first.due_date == first.created + timedelta(days=30)
    time_control.advance(sub.current_period_start + timedelta(days=7))
    sub = billing.get(sub.id)
    emulator.reset_counts()
    result = billing.apply(sub, PlanChange.add("addon"))
    assert emulator.request_counts() == {"POST /v1/subscriptions/{id}": 1}
    assert result.subscription.plan_quantities == {"basic": 1, "addon": 1}
    assert result.invoice is not None
    assert result.invoice.status is InvoiceStatus.OPEN, "sent, not charged"
    assert result.invoice.collection_method is CollectionMethod.SEND_INVOICE
    (line,) = result.invoice.lines
    assert line.plan == "addon"
    assert 0 < line.amount.amount < 500


def test_trial_ends_into_a_paid_period(
    billing: Billing, time_control: TimeControl, customer_factory: Callable[..., Customer]
) -> None:
    sub = billing.subscribe(customer_factory().id, "pro", trial_days=14)
    assert sub.status is SubscriptionStatus.TRIALING
    assert sub.trial_end == sub.current_period_end == sub.current_period_start + timedelta(days=14)
    assert billing.invoices(sub.id)[-1].totals.total == Money.of(0, "USD")
    time_control.advance(sub.trial_end + timedelta(hours=1))
    after = billing.get(sub.id)
    assert after.status is SubscriptionStatus.ACTIVE
    assert after.billing_cycle_anchor == sub.trial_end
    assert billing.invoices(sub.id)[-1].totals.total == Money.of(2000, "USD")


def test_cancel_at_period_end_then_resume_then_recover(
    billing: Billing,
    time_control: TimeControl,
    stripe_client: stripe.StripeClient,
    customer_factory: Callable[..., Customer],
) -> None:
    sub = billing.subscribe(customer_factory().id, "pro")
    canceled = billing.apply(sub, PlanChange.cancel_at_period_end()).subscription
    assert canceled.cancel_at_period_end
    assert canceled.status is SubscriptionStatus.ACTIVE
    resumed = billing.apply(canceled, PlanChange.resume()).subscription
    assert not resumed.cancel_at_period_end
    again = billing.apply(resumed, PlanChange.cancel_at_period_end()).subscription
    time_control.advance(sub.current_period_start + timedelta(days=10))
    recovered = billing.apply(billing.get(again.id), PlanChange.resume(switch_to=("pro", "basic")))
    assert recovered.subscription.plan_quantities == {"basic": 1}
    assert not recovered.subscription.cancel_at_period_end
    billing.apply(recovered.subscription, PlanChange.cancel_at_period_end())
    time_control.advance(sub.current_period_end + timedelta(hours=1))
    assert billing.get(sub.id).status is SubscriptionStatus.CANCELED
    assert stripe_client.v1.subscriptions.retrieve(sub.id).ended_at == int(sub.current_period_end.timestamp())


def test_cancel_now_ends_the_subscription(
    billing: Billing, customer_factory: Callable[..., Customer]
) -> None:
    sub = billing.subscribe(customer_factory().id, "pro")
    assert billing.cancel_now(sub.id).status is SubscriptionStatus.CANCELED
    assert billing.subscriptions(customer_id=sub.customer_id)[0].status is SubscriptionStatus.CANCELED


def test_subscription_item_endpoints_prorate_like_updates(
    billing: Billing,
    time_control: TimeControl,
    stripe_client: stripe.StripeClient,
    customer_factory: Callable[..., Customer],
) -> None:
    sub = billing.subscribe(customer_factory().id, "basic")
    time_control.advance(sub.current_period_start + timedelta(days=14))
    addon_price = billing.catalog.get("addon").refs["stripe"]
    item = stripe_client.v1.subscription_items.create(
        {"subscription": sub.id, "price": addon_price, "quantity": 2, "proration_behavior": "always_invoice"}
    )
    assert item.quantity == 2
    assert billing.get(sub.id).plan_quantities == {"basic": 1, "addon": 2}
    charged = billing.invoices(sub.id)[-1]
    assert charged.reason == "subscription_update"
    assert [line.plan for line in charged.lines] == ["addon"]
    assert 0 < charged.totals.total.amount < 1000
    stripe_client.v1.subscription_items.delete(item.id, {"proration_behavior": "none"})
    assert billing.get(sub.id).plan_quantities == {"basic": 1}
    assert len(stripe_client.v1.subscription_items.list({"subscription": sub.id}).data) == 1

"""Immediate changes and previews through the real SDK against the emulator."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import stripe

from prorata import (
    Billing,
    BillingCycle,
    Customer,
    InvoiceStatus,
    Item,
    LineKind,
    Money,
    PaymentFailurePolicy,
    PlanChange,
    ProrationMode,
    SubscriptionStatus,
)
from prorata.errors import PaymentDeclinedError, UnsupportedCapabilityError
from prorata.provider import TEST_CARD_DECLINES, TimeControl
from prorata_emulators.stripe import StripeEmulator


def usd(cents: int) -> Money:
    return Money.of(cents, "USD")


def _mid_period(billing: Billing, time_control: TimeControl, subscription_id: str) -> None:
    sub = billing.get(subscription_id)
    middle = sub.current_period_start + (sub.current_period_end - sub.current_period_start) / 2
    time_control.advance(middle)


def test_upgrade_at_mid_period_credits_five_and_charges_ten(
    billing: Billing, time_control: TimeControl, customer_factory: Callable[..., Customer]
) -> None:
    sub = billing.subscribe(customer_factory().id, "basic")
    _mid_period(billing, time_control, sub.id)
    sub = billing.get(sub.id)
    change = PlanChange.swap("basic", "pro")
    preview = billing.preview(sub, change)
    assert [line.amount for line in preview.lines] == [usd(-500), usd(1000)]
    assert [line.kind for line in preview.lines] == [LineKind.PRORATION_CREDIT, LineKind.PRORATION_DEBIT]
    assert preview.totals.amount_due == usd(500)
    result = billing.apply(sub, change, preview=preview)
    assert result.matches_preview is True
    assert result.invoice is not None
    assert result.invoice.status is InvoiceStatus.PAID
    assert result.invoice.totals.amount_due == usd(500)
    assert result.subscription.plan_quantities == {"pro": 1}
    assert result.subscription.items[0].id == sub.items[0].id, "a swap keeps the subscription item"


def test_preview_and_apply_are_one_request_each(
    billing: Billing, emulator: StripeEmulator, customer_factory: Callable[..., Customer]
) -> None:
    sub = billing.subscribe(customer_factory().id, "basic")
    emulator.reset_counts()
    change = PlanChange.add("addon", 2)
    preview = billing.preview(sub, change)
    assert emulator.request_counts() == {"POST /v1/invoices/create_preview": 1}
    emulator.reset_counts()
    billing.apply(sub, change, preview=preview)
    # Checking the preview's expiry reads the test clock (off test clocks: the wall clock, no request).
    assert emulator.request_counts() == {
        "POST /v1/subscriptions/{id}": 1,
        "GET /v1/test_helpers/test_clocks/{id}": 1,
    }


def test_apply_reuses_the_preview_proration_time_after_time_passed(
    billing: Billing, time_control: TimeControl, customer_factory: Callable[..., Customer]
) -> None:
    sub = billing.subscribe(customer_factory().id, "basic")
    _mid_period(billing, time_control, sub.id)
    sub = billing.get(sub.id)
    change = PlanChange.swap("basic", "premium")
    lasting = Billing(provider=billing.provider, catalog=billing.catalog, preview_ttl=timedelta(days=7))
    preview = lasting.preview(sub, change)
    time_control.advance(time_control.now() + timedelta(days=3))
    result = lasting.apply(sub, change, preview=preview)
    assert result.invoice is not None
    assert result.invoice.totals.total == preview.totals.total == usd(1000)
    assert result.matches_preview


def test_prorate_next_invoice_leaves_pending_lines_for_the_renewal(
    billing: Billing, time_control: TimeControl, customer_factory: Callable[..., Customer]
) -> None:
    sub = billing.subscribe(customer_factory().id, "basic")
    _mid_period(billing, time_control, sub.id)
    sub = billing.get(sub.id)
    change = PlanChange.swap("basic", "pro", proration=ProrationMode.PRORATE_NEXT_INVOICE)
    preview = billing.preview(sub, change)
    assert preview.lines == ()
    assert preview.totals.amount_due == usd(0)
    assert sorted(line.amount.amount for line in preview.pending_lines) == [-500, 1000]
    assert preview.next_invoice is not None
    assert preview.next_invoice.totals.total == usd(2500)
    result = billing.apply(sub, change, preview=preview)
    assert result.invoice is None
    time_control.advance(sub.current_period_end + timedelta(seconds=1))
    renewal = billing.invoices(sub.id)[-1]
    assert renewal.totals.total == usd(2500)
    assert renewal.reason == "subscription_cycle"


def test_reset_cycle_credits_unused_time_and_bills_a_full_new_period(
    billing: Billing, time_control: TimeControl, customer_factory: Callable[..., Customer]
) -> None:
    sub = billing.subscribe(customer_factory().id, "basic")
    _mid_period(billing, time_control, sub.id)
    sub = billing.get(sub.id)
    now = time_control.now()
    result = billing.apply(sub, PlanChange.swap("basic", "pro", billing_cycle=BillingCycle.RESET))
    assert result.invoice is not None
    assert sorted(line.amount.amount for line in result.invoice.lines) == [-500, 2000]
    assert result.subscription.current_period_start == now
    full = billing.apply(
        result.subscription,
        PlanChange.swap(
            "pro", "premium", proration=ProrationMode.FULL_PRICE_NOW, billing_cycle=BillingCycle.RESET
        ),
    )
    assert full.invoice is not None
    assert [line.amount for line in full.invoice.lines] == [usd(3000)]
    assert [line.kind for line in full.invoice.lines] == [LineKind.FULL_PRICE]


def test_no_billing_switches_and_charges_nothing(
    billing: Billing, time_control: TimeControl, customer_factory: Callable[..., Customer]
) -> None:
    sub = billing.subscribe(customer_factory().id, "basic")
    _mid_period(billing, time_control, sub.id)
    result = billing.apply(
        billing.get(sub.id), PlanChange.swap("basic", "pro", proration=ProrationMode.NO_BILLING)
    )
    assert result.invoice is None
    assert result.subscription.plan_quantities == {"pro": 1}


def test_price_difference_now_is_refused_before_any_request(
    billing: Billing, emulator: StripeEmulator, customer_factory: Callable[..., Customer]
) -> None:
    sub = billing.subscribe(customer_factory().id, "basic")
    emulator.reset_counts()
    with pytest.raises(UnsupportedCapabilityError):
        billing.preview(sub, PlanChange.swap("basic", "pro", proration=ProrationMode.PRICE_DIFFERENCE_NOW))
    assert emulator.request_counts() == {}


def test_declined_card_keeps_old_plan_and_voids_the_attempt(
    billing: Billing, time_control: TimeControl, customer_factory: Callable[..., Customer]
) -> None:
    customer = customer_factory()
    sub = billing.subscribe(customer.id, "basic")
    billing.provider.client.v1.customers.update(  # type: ignore[attr-defined]
        customer.id, {"invoice_settings": {"default_payment_method": "pm_card_chargeDeclined"}}
    )
    _mid_period(billing, time_control, sub.id)
    sub = billing.get(sub.id)
    with pytest.raises(PaymentDeclinedError) as caught:
        billing.apply(sub, PlanChange.swap("basic", "pro"))
    assert caught.value.code == "card_declined"
    assert caught.value.request_id
    assert caught.value.__cause__ is not None
    after = billing.get(sub.id)
    assert after.plan_quantities == {"basic": 1}
    assert after.status is SubscriptionStatus.ACTIVE
    assert billing.invoices(sub.id)[-1].status is InvoiceStatus.VOID


def test_declined_card_with_apply_change_goes_past_due(
    billing: Billing, time_control: TimeControl, customer_factory: Callable[..., Customer]
) -> None:
    customer = customer_factory()
    sub = billing.subscribe(customer.id, "basic")
    billing.provider.client.v1.customers.update(  # type: ignore[attr-defined]
        customer.id, {"invoice_settings": {"default_payment_method": "pm_card_chargeDeclined"}}
    )
    _mid_period(billing, time_control, sub.id)
    result = billing.apply(
        billing.get(sub.id),
        PlanChange.swap("basic", "pro", on_payment_failure=PaymentFailurePolicy.APPLY_CHANGE),
    )
    assert result.subscription.status is SubscriptionStatus.PAST_DUE
    assert result.invoice is not None
    assert result.invoice.status is InvoiceStatus.OPEN


def test_subscribing_with_a_declining_card_is_incomplete_with_a_payment_action(
    billing: Billing, customer_factory: Callable[..., Customer]
) -> None:
    """payment_behavior=allow_incomplete: "create Subscriptions with status=incomplete if the
    first invoice can't be paid", the customer then pays it with another card through the
    invoice's PaymentIntent (https://docs.stripe.com/api/subscriptions/create#create_subscription-payment_behavior)."""
    customer = customer_factory(payment_method=TEST_CARD_DECLINES)
    subscription = billing.subscribe(customer.id, "basic")
    assert subscription.status is SubscriptionStatus.INCOMPLETE
    (invoice,) = billing.invoices(subscription.id)
    assert (invoice.status, invoice.attempts) == (InvoiceStatus.OPEN, 1)
    action = subscription.payment_action
    assert action is not None
    assert action.client_secret is not None
    assert (action.invoice_id, action.amount) == (invoice.id, invoice.totals.amount_due)
    assert action.payment_id is not None
    assert action.client_secret.startswith(action.payment_id + "_secret_")


def test_quantity_change_prorates_both_quantities(
    billing: Billing, time_control: TimeControl, customer_factory: Callable[..., Customer]
) -> None:
    sub = billing.subscribe(customer_factory().id, [Item(plan="seat", quantity=5)])
    _mid_period(billing, time_control, sub.id)
    preview = billing.preview(billing.get(sub.id), PlanChange.set_quantity("seat", 10))
    assert [line.amount for line in preview.lines] == [usd(-2500), usd(5000)]
    assert [line.quantity for line in preview.lines] == [5, 10]


def test_paying_the_open_invoice_recovers_a_past_due_subscription(
    billing: Billing,
    time_control: TimeControl,
    stripe_client: stripe.StripeClient,
    customer_factory: Callable[..., Customer],
) -> None:
    customer = customer_factory()
    sub = billing.subscribe(customer.id, "basic")
    stripe_client.v1.customers.update(
        customer.id, {"invoice_settings": {"default_payment_method": "pm_card_chargeDeclined"}}
    )
    _mid_period(billing, time_control, sub.id)
    change = PlanChange.swap("basic", "pro", on_payment_failure=PaymentFailurePolicy.APPLY_CHANGE)
    result = billing.apply(billing.get(sub.id), change)
    assert result.invoice is not None
    with pytest.raises(stripe.CardError):
        stripe_client.v1.invoices.pay(result.invoice.id)
    setup = stripe_client.v1.setup_intents.create(
        {"customer": customer.id, "payment_method": "pm_card_visa", "confirm": True}
    )
    assert setup.status == "succeeded"
    assert isinstance(setup.payment_method, str)
    paid = stripe_client.v1.invoices.pay(result.invoice.id, {"payment_method": setup.payment_method})
    assert paid.status == "paid"
    assert billing.get(sub.id).status is SubscriptionStatus.ACTIVE

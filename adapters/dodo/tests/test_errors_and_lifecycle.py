"""Dodo errors become prorata errors; cancel, resume, pause; payments that fail; renewals."""

from __future__ import annotations

from datetime import timedelta

import pytest

from prorata import (
    Billing,
    BillingCycle,
    InvoiceStatus,
    PaymentFailurePolicy,
    PlanChange,
    ProrationMode,
    SubscriptionStatus,
)
from prorata.errors import InvalidStateError, NotFoundError, PaymentDeclinedError
from prorata.provider import TEST_CARD_DECLINES
from prorata_dodo import DodoProvider
from prorata_emulators.dodo import DodoEmulator

from .conftest import API_KEY


def provider(billing: Billing) -> DodoProvider:
    assert isinstance(billing.provider, DodoProvider)
    return billing.provider


def test_not_found_keeps_dodo_code_and_chains(billing: Billing) -> None:
    with pytest.raises(NotFoundError) as caught:
        billing.get("sub_missing")
    assert caught.value.code == "NOT_FOUND"
    assert caught.value.http_status == 404
    assert "sub_missing" in caught.value.message
    assert caught.value.__cause__ is not None


def test_declined_change_keeps_the_old_plan(billing: Billing, emulator: DodoEmulator) -> None:
    customer = billing.create_customer("card@example.com")
    sub = billing.subscribe(customer.id, "basic")
    emulator.state.customers[customer.id].declines = True
    change = PlanChange.swap(
        "basic", "premium", proration=ProrationMode.FULL_PRICE_NOW, billing_cycle=BillingCycle.RESET
    )
    with pytest.raises(PaymentDeclinedError) as caught:
        billing.apply(sub.id, change)
    assert caught.value.code == "PAYMENT_FAILED"
    after = billing.get(sub.id)
    assert after.plan_quantities == {"basic": 1}
    assert after.status is SubscriptionStatus.ACTIVE
    assert billing.invoices(sub.id)[-1].status is InvoiceStatus.VOID


def test_declined_change_with_apply_goes_past_due_and_refuses_changes(
    billing: Billing, emulator: DodoEmulator
) -> None:
    customer = billing.create_customer("card2@example.com")
    sub = billing.subscribe(customer.id, "basic")
    emulator.state.customers[customer.id].declines = True
    change = PlanChange.swap(
        "basic",
        "premium",
        proration=ProrationMode.FULL_PRICE_NOW,
        billing_cycle=BillingCycle.RESET,
        on_payment_failure=PaymentFailurePolicy.APPLY_CHANGE,
    )
    result = billing.apply(sub.id, change)
    assert result.subscription.status is SubscriptionStatus.PAST_DUE
    assert result.subscription.plan_quantities == {"premium": 1}
    assert result.invoice is not None
    assert result.invoice.status is InvoiceStatus.OPEN
    emulator.reset_counts()
    with pytest.raises(InvalidStateError):
        billing.apply(result.subscription, PlanChange.swap("premium", "pro"))
    assert emulator.request_counts() == {}


def test_emulator_refuses_change_while_past_due(
    billing: Billing, emulator: DodoEmulator, sdk: object
) -> None:
    import dodopayments

    customer = billing.create_customer("pd@example.com")
    sub = billing.subscribe(customer.id, "basic")
    emulator.state.subscriptions[sub.id].status = "past_due"
    assert isinstance(sdk, dodopayments.DodoPayments)
    with pytest.raises(dodopayments.UnprocessableEntityError) as caught:
        sdk.subscriptions.change_plan(
            sub.id,
            product_id=billing.catalog.get("pro").refs["dodo"],
            quantity=1,
            proration_billing_mode="do_not_bill",
        )
    assert caught.value.body == {"code": "SUBSCRIPTION_PAST_DUE", "message": caught.value.body["message"]}  # type: ignore[index]  # pyright: ignore


def test_cancel_at_period_end_resume_and_renewal(billing: Billing) -> None:
    customer = billing.create_customer("life@example.com")
    sub = billing.subscribe(customer.id, "pro")
    canceling = billing.apply(sub.id, PlanChange.cancel_at_period_end()).subscription
    assert canceling.cancel_at_period_end is True
    resumed = billing.apply(canceling, PlanChange.resume()).subscription
    assert resumed.cancel_at_period_end is False
    clock = billing.time_control()
    clock.advance(sub.current_period_end + timedelta(hours=1))
    renewed = billing.get(sub.id)
    assert renewed.current_period_start == sub.current_period_end
    assert billing.invoices(sub.id)[-1].reason == "subscription_cycle"
    billing.apply(renewed, PlanChange.cancel_at_period_end())
    clock.advance(renewed.current_period_end + timedelta(hours=1))
    assert billing.get(sub.id).status is SubscriptionStatus.CANCELED


def test_failed_renewal_puts_subscription_on_hold(billing: Billing, customer_factory: object) -> None:
    customer = billing.create_customer("hold@example.com", payment_method=TEST_CARD_DECLINES)
    sub = billing.subscribe(customer.id, "pro", trial_days=7)
    assert sub.status is SubscriptionStatus.TRIALING
    assert sub.trial_end == sub.current_period_end
    billing.time_control().advance(sub.current_period_end + timedelta(minutes=1))
    assert billing.get(sub.id).status is SubscriptionStatus.PAST_DUE


def test_cancel_now_and_pause(billing: Billing) -> None:
    customer = billing.create_customer("pause@example.com")
    sub = billing.subscribe(customer.id, "pro")
    assert provider(billing).pause(sub.id).status is SubscriptionStatus.PAUSED
    assert provider(billing).unpause(sub.id).status is SubscriptionStatus.ACTIVE
    assert billing.cancel_now(sub.id).status is SubscriptionStatus.CANCELED
    with pytest.raises(InvalidStateError):
        provider(billing).pause(sub.id)


def test_secret_never_shown(billing: Billing) -> None:
    assert API_KEY not in repr(billing.provider)
    assert API_KEY not in repr(billing)
    with pytest.raises(NotFoundError) as caught:
        billing.get("sub_nope")
    assert API_KEY not in str(caught.value)

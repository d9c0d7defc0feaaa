"""Payments on the local provider: setups, payment actions, pay/void, refunds, the refund policy."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from prorata import (
    Billing,
    InvoiceStatus,
    Money,
    NegativeDuePolicy,
    PaymentFailurePolicy,
    PaymentSetupStatus,
    PlanChange,
    ProrationMode,
    RefundReason,
    SubscriptionStatus,
)
from prorata.errors import (
    InvalidChangeError,
    InvalidStateError,
    PaymentDeclinedError,
    UnsupportedCapabilityError,
    ValidationError,
)
from prorata.local import LocalProvider
from prorata.local._provider import LOCAL_CAPABILITIES
from prorata.provider import TEST_CARD_DECLINES, TEST_CARD_REQUIRES_ACTION, TEST_CARD_SUCCEEDS


def _downgrade_credit(billing: Billing, provider: LocalProvider, policy: NegativeDuePolicy):
    customer = billing.create_customer("down@example.com")
    sub = billing.subscribe(customer.id, "premium")
    provider.time_control().advance(sub.current_period_start + timedelta(days=10))
    change = PlanChange.swap("premium", "basic", proration=ProrationMode.PRORATE_NOW)
    return customer, sub, billing.apply(sub, change, negative_due=policy)


def test_setup_then_trial_then_the_saved_method_is_charged(billing: Billing, provider: LocalProvider) -> None:
    customer = billing.create_customer("trial@example.com", payment_method=TEST_CARD_DECLINES)
    setup = billing.start_payment_setup(customer.id)
    assert setup.status is PaymentSetupStatus.REQUIRES_PAYMENT_METHOD
    assert setup.client_secret
    assert setup.client_secret not in repr(setup)
    with pytest.raises(InvalidChangeError):
        billing.subscribe(customer.id, "trial-pro", payment_setup=setup)
    provider.confirm_payment_setup(setup.id, TEST_CARD_SUCCEEDS)
    sub = billing.subscribe(customer.id, "trial-pro", payment_setup=setup.id)
    assert sub.status is SubscriptionStatus.TRIALING
    assert sub.trial_end is not None
    provider.time_control().advance(sub.trial_end + timedelta(hours=1))
    after = billing.get(sub.id)
    assert after.status is SubscriptionStatus.ACTIVE
    assert billing.invoices(sub.id)[-1].status is InvoiceStatus.PAID


def test_declining_card_leaves_the_setup_waiting(billing: Billing, provider: LocalProvider) -> None:
    customer = billing.create_customer("d@example.com")
    setup = billing.start_payment_setup(customer.id)
    with pytest.raises(PaymentDeclinedError):
        provider.confirm_payment_setup(setup.id, TEST_CARD_DECLINES)
    assert billing.payment_setup(setup.id).status is PaymentSetupStatus.REQUIRES_PAYMENT_METHOD


def test_three_d_secure_first_payment_returns_the_action(billing: Billing, provider: LocalProvider) -> None:
    customer = billing.create_customer("3ds@example.com", payment_method=TEST_CARD_REQUIRES_ACTION)
    sub = billing.subscribe(customer.id, "basic")
    assert sub.status is SubscriptionStatus.INCOMPLETE
    action = sub.payment_action
    assert action is not None
    assert action.client_secret
    assert action.amount == Money.of(1000, "USD")
    assert billing.invoice(action.invoice_id).status is InvoiceStatus.OPEN
    provider.complete_payment_action(action.invoice_id)
    after = billing.get(sub.id)
    assert after.status is SubscriptionStatus.ACTIVE
    assert after.payment_action is None
    assert billing.invoice(action.invoice_id).status is InvoiceStatus.PAID


def test_declined_upgrade_then_pay_invoice_after_replacing_the_card(
    billing: Billing, provider: LocalProvider
) -> None:
    customer = billing.create_customer("late@example.com")
    sub = billing.subscribe(customer.id, "basic")
    billing.set_payment_method(customer.id, TEST_CARD_DECLINES)
    provider.time_control().advance(sub.current_period_start + timedelta(days=5))
    change = PlanChange.swap(
        "basic",
        "premium",
        proration=ProrationMode.PRORATE_NOW,
        on_payment_failure=PaymentFailurePolicy.APPLY_CHANGE,
    )
    result = billing.apply(sub, change)
    assert result.subscription.status is SubscriptionStatus.PAST_DUE
    assert result.invoice is not None
    assert result.invoice.status is InvoiceStatus.OPEN
    with pytest.raises(PaymentDeclinedError):
        billing.pay_invoice(result.invoice.id)
    billing.set_payment_method(customer.id, TEST_CARD_SUCCEEDS)
    paid = billing.pay_invoice(result.invoice.id)
    assert paid.status is InvoiceStatus.PAID
    with pytest.raises(InvalidStateError):
        billing.pay_invoice(result.invoice.id)
    active = billing.get(sub.id)
    assert active.status is SubscriptionStatus.ACTIVE
    billing.apply(active, PlanChange.swap("premium", "pro", proration=ProrationMode.PRORATE_NOW))
    assert billing.get(sub.id).plan_quantities == {"pro": 1}


def test_void_an_open_invoice(billing: Billing) -> None:
    customer = billing.create_customer("void@example.com", payment_method=TEST_CARD_DECLINES)
    sub = billing.subscribe(customer.id, "basic")
    (invoice,) = billing.invoices(sub.id)
    assert billing.void_invoice(invoice.id).status is InvoiceStatus.VOID
    with pytest.raises(InvalidStateError):
        billing.void_invoice(invoice.id)


def test_credit_policy_keeps_the_difference_on_the_balance(billing: Billing, provider: LocalProvider) -> None:
    customer, _, result = _downgrade_credit(billing, provider, NegativeDuePolicy.CREDIT)
    assert result.invoice is not None
    assert result.invoice.totals.credited.amount > 0
    assert result.refunds == ()
    assert billing.customer_balance(customer.id, "USD") == result.invoice.totals.credited


def test_refund_policy_refunds_the_difference_to_the_original_payment(
    billing: Billing, provider: LocalProvider
) -> None:
    customer, sub, result = _downgrade_credit(billing, provider, NegativeDuePolicy.REFUND)
    assert result.invoice is not None
    credited = result.invoice.totals.credited
    assert credited.amount > 0
    (refund,) = result.refunds
    first = billing.invoices(sub.id)[0]
    assert (refund.invoice_id, refund.amount, refund.reason) == (first.id, credited, RefundReason.PLAN_CHANGE)
    assert billing.customer_balance(customer.id, "USD") == Money.zero("USD")
    assert billing.refunds(first.id) == [refund]


def test_partial_refunds_and_bad_amounts(billing: Billing, provider: LocalProvider) -> None:
    customer = billing.create_customer("refund@example.com")
    sub = billing.subscribe(customer.id, "basic")
    (invoice,) = billing.invoices(sub.id)
    first = billing.refund(invoice, Money.of(300, "USD"))
    assert first.amount == Money.of(300, "USD")
    for bad in (Money.of(701, "USD"), Money.of(0, "USD"), Money.of(-5, "USD"), Money.of(300, "EUR")):
        with pytest.raises(ValidationError):
            billing.refund(invoice.id, bad)
    assert billing.refunds(invoice.id) == [first]
    rest = billing.refund(invoice.id)
    assert rest.amount == Money.of(700, "USD")
    with pytest.raises(ValidationError):
        billing.refund(invoice.id)
    assert billing.customer_balance(customer.id, "USD") == Money.zero("USD")


def test_refund_of_an_unpaid_invoice_is_refused(billing: Billing) -> None:
    customer = billing.create_customer("open@example.com", payment_method=TEST_CARD_DECLINES)
    sub = billing.subscribe(customer.id, "basic")
    (invoice,) = billing.invoices(sub.id)
    with pytest.raises(InvalidStateError):
        billing.refund(invoice.id)


def test_refund_retry_with_the_same_key_refunds_once(billing: Billing) -> None:
    customer = billing.create_customer("retry@example.com")
    sub = billing.subscribe(customer.id, "basic")
    (invoice,) = billing.invoices(sub.id)
    one = billing.refund(invoice.id, Money.of(100, "USD"), idempotency_key="r-1")
    again = billing.refund(invoice.id, Money.of(100, "USD"), idempotency_key="r-1")
    assert one == again
    assert len(billing.refunds(invoice.id)) == 1


def test_undeclared_capabilities_are_refused_before_any_call(
    billing: Billing, provider: LocalProvider
) -> None:
    customer = billing.create_customer("caps@example.com")
    sub = billing.subscribe(customer.id, "premium")
    (invoice,) = billing.invoices(sub.id)
    provider.capabilities = attrs.evolve(LOCAL_CAPABILITIES, payment_setup=False, refunds=False)
    with pytest.raises(UnsupportedCapabilityError):
        billing.start_payment_setup(customer.id)
    with pytest.raises(UnsupportedCapabilityError):
        billing.refund(invoice.id, Money.of(1, "USD"))
    change = PlanChange.swap("premium", "basic", proration=ProrationMode.PRORATE_NOW)
    with pytest.raises(UnsupportedCapabilityError):
        billing.apply(sub, change, negative_due=NegativeDuePolicy.REFUND)
    assert billing.get(sub.id).plan_quantities == {"premium": 1}
    assert provider.refunds(invoice.id) == []

"""``Billing.sync`` on the local provider: the snapshot equals get + invoices + the figures."""

from __future__ import annotations

from datetime import timedelta

from prorata import AtPeriodEnd, Billing, Money, PlanChange, ProrationMode
from prorata.local import LocalProvider
from prorata.provider import upcoming_renewal


def test_snapshot_applies_the_credit_balance(billing: Billing, provider: LocalProvider) -> None:
    customer = billing.create_customer("sync@example.com")
    sub = billing.subscribe(customer.id, "premium")
    clock = billing.time_control()
    clock.advance(sub.current_period_start + (sub.current_period_end - sub.current_period_start) / 2)
    billing.apply(sub.id, PlanChange.swap("premium", "basic", proration=ProrationMode.PRORATE_NOW))
    balance = billing.balance(customer.id)
    assert balance.amount > 0, "the downgrade left credit"
    snapshot = billing.sync(sub.id)
    current = billing.get(sub.id)
    assert snapshot.subscription == current
    assert snapshot.latest_invoice == billing.invoices(sub.id)[-1]
    assert snapshot.next_payment is not None
    assert snapshot.next_payment.at == current.current_period_end
    expected = max(Money.of(1000, "USD") - balance, Money.zero("USD"))
    assert snapshot.next_payment.amount == expected
    figures = upcoming_renewal(billing.catalog, current, balance)
    assert figures is not None
    assert figures.totals == snapshot.next_payment.invoice.totals


def test_scheduled_change_is_in_the_next_payment(billing: Billing) -> None:
    customer = billing.create_customer("later@example.com")
    sub = billing.subscribe(customer.id, "basic")
    billing.apply(sub.id, PlanChange.swap("basic", "pro", timing=AtPeriodEnd()))
    snapshot = billing.sync(sub.id)
    assert snapshot.scheduled_change is not None
    assert snapshot.next_payment is not None
    assert snapshot.next_payment.amount == Money.of(2000, "USD")
    billing.time_control().advance(snapshot.current_period_end + timedelta(seconds=1))
    assert billing.sync(sub.id).items == billing.get(sub.id).items


def test_an_incomplete_subscription_has_its_action_and_no_next_payment(billing: Billing) -> None:
    from prorata.provider import TEST_CARD_REQUIRES_ACTION

    customer = billing.create_customer("3ds@example.com", payment_method=TEST_CARD_REQUIRES_ACTION)
    sub = billing.subscribe(customer.id, "basic")
    snapshot = billing.sync(sub.id)
    assert snapshot.status.value == "incomplete"
    assert snapshot.payment_action is not None
    assert snapshot.latest_invoice is not None
    assert snapshot.payment_action.invoice_id == snapshot.latest_invoice.id
    assert snapshot.next_payment is None

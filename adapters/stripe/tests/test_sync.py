"""``Billing.sync`` on Stripe: at most two requests whatever the history (the emulator's request log)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from prorata import Billing, Customer, Money, PlanChange
from prorata.provider import TimeControl
from prorata_emulators.stripe import StripeEmulator


def test_sync_after_a_year_takes_two_requests(
    billing: Billing,
    emulator: StripeEmulator,
    time_control: TimeControl,
    customer_factory: Callable[..., Customer],
) -> None:
    sub = billing.subscribe(customer_factory().id, "basic")
    time_control.advance(sub.current_period_end + timedelta(days=365))
    invoices = billing.invoices(sub.id)
    assert len(invoices) >= 13
    current = billing.get(sub.id)
    before = len(emulator.requests())
    snapshot = billing.sync(sub.id)
    used = emulator.requests()[before:]
    print(f"stripe sync: {len(used)} requests after {len(invoices)} invoices")
    assert len(used) <= 2, [f"{r.method} {r.path}" for r in used]
    assert snapshot.subscription == current
    assert snapshot.latest_invoice == invoices[-1]
    assert snapshot.latest_invoice_status is invoices[-1].status
    assert snapshot.next_payment is not None
    assert snapshot.next_payment.at == current.current_period_end
    assert snapshot.next_payment.amount == Money.of(1000, "USD")


def test_sync_when_cancelling_has_no_next_payment_and_one_request(
    billing: Billing, emulator: StripeEmulator, customer_factory: Callable[..., Customer]
) -> None:
    sub = billing.subscribe(customer_factory().id, "basic")
    billing.apply(sub.id, PlanChange.cancel_at_period_end())
    before = len(emulator.requests())
    snapshot = billing.sync(sub.id)
    assert len(emulator.requests()) - before == 1
    assert snapshot.cancel_at_period_end is True
    assert snapshot.next_payment is None


def test_sync_keeps_the_payment_action(billing: Billing, emulator: StripeEmulator) -> None:
    """A first payment that needs 3-D Secure: sync reports the same action as get."""
    from prorata.provider import TEST_CARD_REQUIRES_ACTION

    customer = billing.create_customer("3ds-sync@example.com", payment_method=TEST_CARD_REQUIRES_ACTION)
    sub = billing.subscribe(customer.id, "basic")
    held = billing.get(sub.id).payment_action
    assert held is not None
    snapshot = billing.sync(sub.id)
    assert snapshot.payment_action == held
    assert snapshot.payment_action.client_secret == held.client_secret
    assert snapshot.latest_invoice is not None
    assert snapshot.latest_invoice.id == held.invoice_id

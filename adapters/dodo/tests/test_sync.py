"""``Billing.sync`` on Dodo: three requests whatever the history (the emulator's request log);
listing every payment costs two requests per payment."""

from __future__ import annotations

from datetime import timedelta

from prorata import Billing, Money, PlanChange
from prorata.provider import TimeControl
from prorata_emulators.dodo import DodoEmulator


def test_sync_after_a_year_takes_three_requests(
    billing: Billing, emulator: DodoEmulator, time_control: TimeControl
) -> None:
    customer = billing.create_customer("year@example.com")
    sub = billing.subscribe(customer.id, "basic")
    for _ in range(12):
        time_control.advance(billing.get(sub.id).current_period_end + timedelta(hours=1))
    emulator.reset_counts()
    invoices = list(billing.invoices(sub.id))
    listing = sum(emulator.request_counts().values())
    current = billing.get(sub.id)
    emulator.reset_counts()
    snapshot = billing.sync(sub.id)
    used = sum(emulator.request_counts().values())
    print(f"dodo sync: {used} requests; listing every invoice: {listing} requests ({len(invoices)} payments)")
    assert used <= 3, emulator.request_counts()
    assert listing > used
    assert snapshot.subscription == current
    assert snapshot.latest_invoice is not None
    assert snapshot.latest_invoice.id == invoices[-1].id
    assert snapshot.latest_invoice.status is invoices[-1].status
    assert snapshot.latest_invoice.totals.amount_due == invoices[-1].totals.amount_due
    assert snapshot.next_payment is not None
    assert snapshot.next_payment.at == current.current_period_end
    assert snapshot.next_payment.amount == Money.of(1000, "USD")


def test_sync_when_cancelling_has_no_next_payment(billing: Billing) -> None:
    customer = billing.create_customer("cancel@example.com")
    sub = billing.subscribe(customer.id, "basic")
    billing.apply(sub.id, PlanChange.cancel_at_period_end())
    snapshot = billing.sync(sub.id)
    assert snapshot.cancel_at_period_end is True
    assert snapshot.next_payment is None


def test_sync_of_a_subscription_waiting_for_checkout_has_its_action(
    billing: Billing, emulator: DodoEmulator
) -> None:
    """No saved card: the first payment waits on Dodo's checkout (``payment_link``)."""
    customer = billing.create_customer("nocard@example.com", payment_method="pm_new_on_checkout")
    sub = billing.subscribe(customer.id, "basic", trial_days=0)
    held = billing.get(sub.id).payment_action
    assert held is not None
    emulator.reset_counts()
    snapshot = billing.sync(sub.id)
    assert sum(emulator.request_counts().values()) <= 3, emulator.request_counts()
    assert snapshot.status.value == "incomplete"
    assert snapshot.payment_action == held
    assert snapshot.next_payment is None
    assert snapshot.latest_invoice is not None
    assert snapshot.latest_invoice.id == held.invoice_id

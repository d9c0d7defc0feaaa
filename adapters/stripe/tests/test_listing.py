"""Stripe listing costs: one ``GET /v1/subscriptions`` per page with ``starting_after``, filters sent
to Stripe (https://docs.stripe.com/api/subscriptions/list, https://docs.stripe.com/api/pagination)."""

from __future__ import annotations

from prorata import Billing, SubscriptionStatus
from prorata_emulators.stripe import StripeEmulator


def test_pages_cost_one_request_each(billing: Billing, emulator: StripeEmulator) -> None:
    customer = billing.create_customer("pages@example.com")
    made = [billing.subscribe(customer.id, plan, trial_days=0).id for plan in ("basic", "pro", "premium")]
    before = len(emulator.requests())
    listed = [sub.id for sub in billing.subscriptions(customer_id=customer.id, page_size=2)]
    after = emulator.requests()[before:]
    assert sorted(listed) == sorted(made)
    assert [r.method for r in after] == ["GET", "GET"]
    assert "starting_after=" in after[1].path


def test_price_and_status_filters_are_sent(billing: Billing, emulator: StripeEmulator) -> None:
    customer = billing.create_customer("filters@example.com")
    pro = billing.subscribe(customer.id, "pro", trial_days=0).id
    billing.subscribe(customer.id, "basic", trial_days=0)
    before = len(emulator.requests())
    found = billing.subscriptions(customer_id=customer.id, plan="pro", status=SubscriptionStatus.ACTIVE)
    assert [sub.id for sub in found] == [pro]
    (request,) = emulator.requests()[before:]
    assert "price=" in request.path
    assert "status=active" in request.path


def test_newest_first_invoices_page_natively(billing: Billing, emulator: StripeEmulator) -> None:
    customer = billing.create_customer("invoices@example.com")
    sub = billing.subscribe(customer.id, "basic", trial_days=0)
    before = len(emulator.requests())
    first = billing.invoices(sub.id, newest_first=True, page_size=1).first()
    assert first is not None
    assert len(emulator.requests()[before:]) == 1

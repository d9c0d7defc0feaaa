"""Dodo listing costs: one request per page; a row is retrieved only when the list lacks its add-ons
or discount details (https://docs.dodopayments.com/api-reference/subscriptions/get-subscriptions)."""

from __future__ import annotations

from prorata import Billing, Item, SubscriptionStatus
from prorata_emulators.dodo import DodoEmulator


def test_only_rows_with_add_ons_are_retrieved(billing: Billing, emulator: DodoEmulator) -> None:
    customer = billing.create_customer("rows@example.com")
    plain = [billing.subscribe(customer.id, plan, trial_days=0).id for plan in ("basic", "pro", "premium")]
    with_addon = billing.subscribe(customer.id, [Item(plan="basic"), Item(plan="addon")], trial_days=0).id
    before = len(emulator.requests())
    listed = {sub.id: sub for sub in billing.subscriptions(customer_id=customer.id, page_size=2)}
    after = emulator.requests()[before:]
    assert set(listed) == {*plain, with_addon}
    assert listed[with_addon].plan_quantities == {"basic": 1, "addon": 1}
    pages = [r for r in after if r.path.split("?")[0] == "/subscriptions"]
    details = [r for r in after if r.path.split("?")[0].startswith("/subscriptions/")]
    assert len(pages) == 3  # 2 + 2 rows, then an empty page ends it
    assert [r.path.split("?")[0] for r in details] == [f"/subscriptions/{with_addon}"]


def test_filters_are_sent_to_dodo(billing: Billing, emulator: DodoEmulator) -> None:
    customer = billing.create_customer("filters@example.com")
    pro = billing.subscribe(customer.id, "pro", trial_days=0).id
    billing.subscribe(customer.id, "basic", trial_days=0)
    before = len(emulator.requests())
    found = billing.subscriptions(customer_id=customer.id, plan="pro", status=SubscriptionStatus.ACTIVE)
    assert [sub.id for sub in found] == [pro]
    (request,) = emulator.requests()[before:]
    assert "product_id=" in request.path
    assert "status=active" in request.path
    assert f"customer_id={customer.id}" in request.path

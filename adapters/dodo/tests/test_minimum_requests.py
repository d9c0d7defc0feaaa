"""Requests per write with a durable journal: Dodo has no idempotency keys, so the journal's word
that a key was never sent replaces the read-before-write replay check."""

from __future__ import annotations

from pathlib import Path

import httpx

from prorata import AtPeriodEnd, Billing, PlanChange, ProrationMode
from prorata.journal import Journal
from prorata_emulators.dodo import DodoEmulator, Fault

UP = PlanChange.swap("basic", "pro", proration=ProrationMode.PRORATE_NOW)


def _durable(billing: Billing, tmp_path: Path) -> Billing:
    return Billing(
        provider=billing.provider, catalog=billing.catalog, journal=Journal.open(tmp_path / "j.db")
    )


def _sent(emulator: DodoEmulator, before: int) -> list[str]:
    return [f"{r.method} {r.path.split('?')[0]}" for r in emulator.requests()[before:]]


def test_apply_is_one_write_and_at_most_one_read(
    billing: Billing, emulator: DodoEmulator, tmp_path: Path
) -> None:
    durable = _durable(billing, tmp_path)
    sub = durable.subscribe(durable.create_customer("min@example.com").id, "basic", trial_days=0)
    before = len(emulator.requests())
    result = durable.apply(sub, UP)
    sent = _sent(emulator, before)
    assert sum(1 for r in sent if not r.startswith("GET")) == 1
    assert sum(1 for r in sent if r.startswith("GET")) <= 1
    assert result.subscription.plan_quantities == {"pro": 1}
    assert durable.get(sub.id).plan_quantities == {"pro": 1}


def test_a_retry_after_an_unknown_outcome_still_checks_for_a_replay(
    billing: Billing, emulator: DodoEmulator, tmp_path: Path
) -> None:
    durable = _durable(billing, tmp_path)
    sub = durable.subscribe(durable.create_customer("retry@example.com").id, "basic", trial_days=0)
    emulator.inject(
        Fault(route="POST /subscriptions/{id}/change-plan", kind="drop_after_commit")
    )  # applied, answer lost
    first = durable.apply(sub, UP, idempotency_key="k")
    assert first.subscription.plan_quantities == {"pro": 1}
    assert len(durable.invoices(sub.id)) == 2  # the change billed once


def test_by_id_forms_and_cancel_scheduled(billing: Billing, emulator: DodoEmulator, tmp_path: Path) -> None:
    durable = _durable(billing, tmp_path)
    sub = durable.subscribe(durable.create_customer("ids@example.com").id, "basic", trial_days=0)
    before = len(emulator.requests())
    durable.apply(sub.id, PlanChange.swap("basic", "pro", timing=AtPeriodEnd()))
    assert _sent(emulator, before) == [
        f"GET /subscriptions/{sub.id}",
        f"POST /subscriptions/{sub.id}/change-plan",
    ]
    before = len(emulator.requests())
    after = durable.cancel_scheduled_change(sub.id)
    assert after.scheduled_change is None
    sent = _sent(emulator, before)
    # the read (an id says nothing about the state), the DELETE, and the revision bump (so
    # scheduling the same change again is new); no read-back: the DELETE answers no body and its
    # effect is derived from the state read under the lease
    assert [r.split()[0] for r in sent] == ["GET", "DELETE", "PATCH"]
    assert durable.get(sub.id).scheduled_change is None


def test_cancel_scheduled_held_is_the_delete_and_the_revision_bump(
    billing: Billing, emulator: DodoEmulator, tmp_path: Path
) -> None:
    durable = _durable(billing, tmp_path)
    sub = durable.subscribe(durable.create_customer("held@example.com").id, "basic", trial_days=0)
    scheduled = durable.apply(sub, PlanChange.swap("basic", "pro", timing=AtPeriodEnd())).subscription
    assert scheduled.scheduled_change is not None
    before = len(emulator.requests())
    after = durable.cancel_scheduled_change(scheduled)
    # the journal's last write produced `scheduled`: no read
    assert _sent(emulator, before) == [
        f"DELETE /subscriptions/{sub.id}/change-plan/scheduled",
        f"PATCH /subscriptions/{sub.id}",
    ]
    assert after.scheduled_change is None
    assert after.revision != scheduled.revision
    fetched = durable.get(sub.id)
    assert fetched.scheduled_change is None
    assert fetched.revision == after.revision
    again = durable.apply(after, PlanChange.swap("basic", "pro", timing=AtPeriodEnd()))
    assert again.subscription.scheduled_change is not None  # a new request, not a replay
    assert durable.get(sub.id).scheduled_change is not None


def test_invoice_listing_reads_a_payment_only_when_its_row_and_items_do_not_say_it_all(
    billing: Billing, emulator: DodoEmulator, tmp_path: Path
) -> None:
    durable = _durable(billing, tmp_path)
    sub = durable.subscribe(durable.create_customer("inv@example.com").id, "basic", trial_days=0)
    httpx.post(f"{emulator.url}/_emulator/config", json={"tax_rate_bps": 1000}).raise_for_status()
    durable.apply(sub, UP)  # a taxed charge: its tax is only on the payment
    before = len(emulator.requests())
    invoices = list(durable.invoices(sub.id))  # a Listing reads when iterated
    sent = _sent(emulator, before)
    first, change = (i for i in invoices if i.reason != "credit_note")
    payments = [r for r in sent if r.startswith("GET /payments/") and not r.endswith("/line-items")]
    # the payment list, each payment's line items, the wallet ledger, and the taxed payment itself
    # (the untaxed first one is its row and its items: no tax, discount or wallet balance in it);
    # no subscription read (no payment failed, and the rows name the customer)
    assert sum(1 for r in sent if r.endswith("/line-items")) == 2
    assert payments == [f"GET /payments/{change.id}"]
    assert len(sent) == 5
    assert not any(r == f"GET /subscriptions/{sub.id}" for r in sent)
    assert first.totals.tax.amount == 0
    assert change.totals.tax.amount > 0
    assert first.totals.total.amount == first.totals.subtotal.amount

"""Requests per operation: cancelling a scheduled change is one read, the release
(https://docs.stripe.com/api/subscription_schedules/release) and the revision bump; the by-id
forms read once."""

from __future__ import annotations

from pathlib import Path

from prorata import AtPeriodEnd, Billing, PlanChange, ProrationMode
from prorata.journal import Journal
from prorata_emulators.stripe import StripeEmulator


def _sent(emulator: StripeEmulator, before: int) -> list[str]:
    return [f"{r.method} {r.path.split('?')[0]}" for r in emulator.requests()[before:]]


def test_cancel_scheduled_change_is_a_read_and_the_release(
    billing: Billing, emulator: StripeEmulator
) -> None:
    sub = billing.subscribe(billing.create_customer("sched@example.com").id, "basic", trial_days=0)
    scheduled = billing.apply(sub, PlanChange.swap("basic", "pro", timing=AtPeriodEnd())).subscription
    assert scheduled.schedule is not None
    before = len(emulator.requests())
    after = billing.cancel_scheduled_change(sub.id)
    sent = _sent(emulator, before)
    # the read, the release, and the revision bump that answers the subscription (no read-back)
    assert len(sent) == 3
    assert sent[1].endswith("/release")
    assert after.schedule is None
    assert after.scheduled_change is None
    fetched = billing.get(sub.id)
    assert fetched.schedule is None
    assert fetched.plan_quantities == after.plan_quantities
    assert fetched.revision == after.revision


def test_preview_and_apply_by_id_read_once(billing: Billing, emulator: StripeEmulator) -> None:
    sub = billing.subscribe(billing.create_customer("byid@example.com").id, "basic", trial_days=0)
    change = PlanChange.swap("basic", "pro", proration=ProrationMode.PRORATE_NOW)
    before = len(emulator.requests())
    billing.preview(sub.id, change)
    assert [r.split()[0] for r in _sent(emulator, before)] == ["GET", "POST"]
    before = len(emulator.requests())
    billing.apply(sub.id, change)
    assert [r.split()[0] for r in _sent(emulator, before)] == ["GET", "POST"]


def test_subscribe_with_a_durable_journal_is_one_request_and_new_after_a_cancel(
    billing: Billing, emulator: StripeEmulator, tmp_path: Path
) -> None:
    durable = Billing(
        provider=billing.provider, catalog=billing.catalog, journal=Journal.open(tmp_path / "j.db")
    )
    customer = durable.create_customer("durable@example.com")
    # The journal keeps records per account: GET /v1/account, once per Billing, at its first use.
    assert durable.journal.namespace.startswith("stripe:acct_")
    before = len(emulator.requests())
    first = durable.subscribe(customer.id, "basic", trial_days=0)
    assert _sent(emulator, before) == ["POST /v1/subscriptions"]
    durable.cancel_now(first.id)
    second = durable.subscribe(customer.id, "basic", trial_days=0)  # Stripe would replay the old key
    assert second.id != first.id
    assert not second.is_canceled

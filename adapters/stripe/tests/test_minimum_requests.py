"""Requests per operation: cancelling a scheduled change is the release
(https://docs.stripe.com/api/subscription_schedules/release) and the revision bump, plus one read
in the by-id form; the by-id forms of preview and apply read once."""

from __future__ import annotations

from pathlib import Path

from prorata import AtPeriodEnd, Billing, PlanChange, ProrationMode, Subscription
from prorata.journal import Journal
from prorata_emulators.stripe import StripeEmulator


def _sent(emulator: StripeEmulator, before: int) -> list[str]:
    return [f"{r.method} {r.path.split('?')[0]}" for r in emulator.requests()[before:]]


def _scheduled(billing: Billing, email: str) -> Subscription:
    sub = billing.subscribe(billing.create_customer(email).id, "basic", trial_days=0)
    scheduled = billing.apply(sub, PlanChange.swap("basic", "pro", timing=AtPeriodEnd())).subscription
    assert scheduled.schedule is not None
    return scheduled


def test_cancel_scheduled_change_is_the_release_and_the_revision_bump(
    billing: Billing, emulator: StripeEmulator
) -> None:
    scheduled = _scheduled(billing, "sched@example.com")
    assert scheduled.schedule is not None
    before = len(emulator.requests())
    after = billing.cancel_scheduled_change(scheduled)
    # the journal's last write produced `scheduled`: no read. The release, then the revision
    # bump (so scheduling the same change again is a new request), whose answer is the result.
    assert _sent(emulator, before) == [
        f"POST /v1/subscription_schedules/{scheduled.schedule.id}/release",
        f"POST /v1/subscriptions/{scheduled.id}",
    ]
    assert after.schedule is None
    assert after.scheduled_change is None
    assert after.revision != scheduled.revision
    fetched = billing.get(scheduled.id)
    assert fetched.schedule is None
    assert fetched.plan_quantities == after.plan_quantities
    assert fetched.revision == after.revision


def test_cancel_scheduled_change_by_id_reads_once(billing: Billing, emulator: StripeEmulator) -> None:
    scheduled = _scheduled(billing, "sched-id@example.com")
    before = len(emulator.requests())
    after = billing.cancel_scheduled_change(scheduled.id)
    sent = _sent(emulator, before)
    # +1 over the held form: the read (an id says nothing about the state)
    assert [r.split()[0] for r in sent] == ["GET", "POST", "POST"]
    assert sent[1].endswith("/release")
    assert after.schedule is None


def test_cancel_scheduled_change_reads_when_the_held_state_is_not_the_journals_last_write(
    billing: Billing, emulator: StripeEmulator
) -> None:
    scheduled = _scheduled(billing, "sched-stale@example.com")
    billing.cancel_scheduled_change(scheduled)
    rescheduled = billing.apply(
        billing.get(scheduled.id), PlanChange.swap("basic", "pro", timing=AtPeriodEnd())
    ).subscription
    assert rescheduled.schedule is not None
    before = len(emulator.requests())
    after = billing.cancel_scheduled_change(scheduled)  # an old state: read again, then release
    assert [r.split()[0] for r in _sent(emulator, before)] == ["GET", "POST", "POST"]
    assert after.schedule is None


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

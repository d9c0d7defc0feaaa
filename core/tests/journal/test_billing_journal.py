"""Billing through the journal: retries after lost responses, restarts and stale reads.

Each test runs on both journal stores (a SQLite file, and PostgreSQL when CI gives one) with
the local provider on its own database file; ``Faulty`` loses responses after the write.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from prorata import AtPeriodEnd, PlanChange, ProrationMode, SubscriptionStatus
from prorata.errors import ConflictError, ProviderUnavailableError
from prorata.journal import EntryStatus

from .conftest import CATALOG_CODE

SWAP = PlanChange.swap("basic", "pro", proration=ProrationMode.PRORATE_NOW)


def _subscribed(billing: Any) -> str:
    customer = billing.create_customer("j@example.com")
    sub = billing.subscribe(customer.id, "basic")
    billing.time_control().advance(datetime(2024, 1, 16, tzinfo=UTC))
    return str(sub.id)


def test_a_lost_response_then_a_retry_with_the_same_preview_applies_once(
    open_billing: Callable[[], Any],
) -> None:
    billing = open_billing()
    sub_id = _subscribed(billing)
    preview = billing.preview(sub_id, SWAP)
    billing.provider.drop = 3
    with pytest.raises(
        ProviderUnavailableError, match="may have been applied: retry with the same key or preview"
    ):
        billing.apply(sub_id, SWAP, preview=preview)
    result = billing.apply(sub_id, SWAP, preview=preview)
    assert result.replayed
    assert result.subscription.plan_quantities == {"pro": 1}
    assert result.invoice is not None
    assert result.invoice.totals.amount_due == preview.totals.amount_due
    assert len(billing.invoices(sub_id)) == 2  # the first period and this one change
    assert [e.status for e in billing.journal.entries(sub_id)] == [EntryStatus.APPLIED]


def test_a_lost_response_is_reconciled_inside_the_call(open_billing: Callable[[], Any]) -> None:
    billing = open_billing()
    sub_id = _subscribed(billing)
    billing.provider.drop = 1
    billing.provider.writes = 0
    result = billing.apply(sub_id, SWAP)
    assert result.subscription.plan_quantities == {"pro": 1}
    assert len(billing.invoices(sub_id)) == 2
    assert billing.provider.writes == 2  # the write, then its replay (the engine recognised the key)


def test_a_retry_by_id_with_the_same_key_returns_the_change(open_billing: Callable[[], Any]) -> None:
    billing = open_billing()
    sub_id = _subscribed(billing)
    first = billing.apply(sub_id, SWAP, idempotency_key="order-7")
    again = billing.apply(sub_id, SWAP, idempotency_key="order-7")
    assert again.replayed
    assert again.subscription == first.subscription
    assert again.invoice == first.invoice
    assert len(billing.invoices(sub_id)) == 2


def test_a_retry_from_a_new_process_returns_the_change(open_billing: Callable[[], Any]) -> None:
    billing = open_billing()
    sub_id = _subscribed(billing)
    billing.provider.drop = 3
    with pytest.raises(ProviderUnavailableError):
        billing.apply(sub_id, SWAP, idempotency_key="order-8")
    billing.close()
    restarted = open_billing()
    result = restarted.apply(sub_id, SWAP, idempotency_key="order-8")
    assert result.subscription.plan_quantities == {"pro": 1}
    assert len(restarted.invoices(sub_id)) == 2
    entry = restarted.journal.find("order-8")
    assert entry is not None
    assert entry.status is EntryStatus.APPLIED


def test_a_key_reused_for_another_change_is_a_conflict(open_billing: Callable[[], Any]) -> None:
    billing = open_billing()
    sub_id = _subscribed(billing)
    billing.apply(sub_id, SWAP, idempotency_key="order-9")
    with pytest.raises(ConflictError, match="different request"):
        billing.apply(sub_id, PlanChange.set_quantity("pro", 3), idempotency_key="order-9")


def test_a_stale_subscription_is_a_conflict_naming_both_revisions(open_billing: Callable[[], Any]) -> None:
    billing = open_billing()
    sub_id = _subscribed(billing)
    read = billing.get(sub_id)
    billing.apply(sub_id, PlanChange.set_quantity("basic", 2))
    now = billing.get(sub_id)
    with pytest.raises(ConflictError) as caught:
        billing.apply(read, SWAP)
    assert str(read.revision) in str(caught.value)
    assert str(now.revision) in str(caught.value)


def test_a_preview_of_an_older_revision_is_a_conflict(open_billing: Callable[[], Any]) -> None:
    billing = open_billing()
    sub_id = _subscribed(billing)
    preview = billing.preview(sub_id, SWAP)
    billing.apply(sub_id, PlanChange.set_quantity("basic", 2))
    with pytest.raises(ConflictError, match="changed since it was read"):
        billing.apply(sub_id, SWAP, preview=preview)
    assert billing.get(sub_id).plan_quantities == {"basic": 2}


def test_subscribing_again_after_a_cancellation_makes_a_new_subscription(
    open_billing: Callable[[], Any],
) -> None:
    billing = open_billing()
    customer = billing.create_customer("again@example.com")
    first = billing.subscribe(customer.id, "basic")
    billing.cancel_now(first.id)
    second = billing.subscribe(customer.id, "basic")
    assert second.id != first.id
    assert second.status is SubscriptionStatus.ACTIVE
    assert billing.get(first.id).status is SubscriptionStatus.CANCELED
    assert len(billing.invoices(second.id)) == 1


def test_a_lost_subscribe_response_is_retried_without_a_duplicate(open_billing: Callable[[], Any]) -> None:
    billing = open_billing()
    customer = billing.create_customer("lost@example.com")
    billing.provider.drop = 3
    with pytest.raises(ProviderUnavailableError):
        billing.subscribe(customer.id, "basic")
    made = billing.subscribe(customer.id, "basic")
    assert [s.id for s in billing.subscriptions(customer_id=customer.id)] == [made.id]


def test_unscheduling_twice_cancels_the_second_scheduled_change_too(open_billing: Callable[[], Any]) -> None:
    billing = open_billing()
    sub_id = _subscribed(billing)
    later = PlanChange.swap("basic", "pro", timing=AtPeriodEnd(), proration=ProrationMode.NO_BILLING)
    for _ in range(2):
        billing.apply(sub_id, later)
        assert billing.get(sub_id).scheduled_change is not None
        billing.cancel_scheduled_change(sub_id)
        assert billing.get(sub_id).scheduled_change is None
    billing.time_control().advance(datetime(2024, 2, 2, tzinfo=UTC))
    assert billing.get(sub_id).plan_quantities == {"basic": 1}


KILLED = """
import os, sys, time
from datetime import UTC, datetime
from prorata import Billing, PlanChange, ProrationMode
from prorata.journal import Journal
from prorata.local import LocalProvider
exec(sys.argv[4])
local = LocalProvider(CATALOG, database=sys.argv[1], start=datetime(2024, 1, 1, tzinfo=UTC))
real = local.apply_change
def apply_then_hang(*args, **kw):
    result = real(*args, **kw)
    open(sys.argv[3], "w").write("applied")
    time.sleep(600)
    return result
local.apply_change = apply_then_hang
billing = Billing(provider=local, catalog=local.catalog, journal=Journal.open(sys.argv[2]))
change = PlanChange.swap("basic", "pro", proration=ProrationMode.PRORATE_NOW)
billing.apply(sys.argv[5], change, idempotency_key="order-kill")
"""


def test_kill_9_after_the_write_then_a_retry_completes_it_once(
    open_billing: Callable[[], Any], local_db: Path, journal_url: str, tmp_path: Path
) -> None:
    billing = open_billing()
    sub_id = _subscribed(billing)
    billing.close()
    marker = tmp_path / "applied"
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED, str(local_db), journal_url, str(marker), CATALOG_CODE, sub_id]
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the child never applied"
    finally:
        child.kill()
        child.wait(10)
    restarted = open_billing()
    pending = restarted.journal.find("order-kill")
    assert pending is not None
    assert pending.status is EntryStatus.PENDING
    result = restarted.apply(sub_id, SWAP, idempotency_key="order-kill")
    assert result.subscription.plan_quantities == {"pro": 1}
    assert len(restarted.invoices(sub_id)) == 2
    again = restarted.apply(sub_id, SWAP, idempotency_key="order-kill")
    assert again.replayed
    assert len(restarted.invoices(sub_id)) == 2

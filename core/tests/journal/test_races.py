"""Races on one subscription: threads and processes add seats concurrently; none is lost.

Each worker reads the subscription, asks for one more seat than it read (with a key of its
own: two workers asking for the same quantity from the same state are two requests), and on a
``ConflictError`` (someone else changed it first) reads again and retries, as a host app does.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from prorata import Billing, PlanChange, ProrationMode
from prorata.errors import ConflictError
from prorata.journal import Journal
from prorata.local import LocalProvider

from .conftest import CATALOG_CODE, make_catalog

ROUNDS = 5


def add_seat(billing: Billing, sub_id: str, request: str) -> int:
    """One more seat, retried on conflicts; returns how many conflicts it met."""
    conflicts = 0
    while True:
        current = billing.get(sub_id)
        seats = current.plan_quantities["basic"]
        try:
            billing.apply(
                current,
                PlanChange.set_quantity("basic", seats + 1, proration=ProrationMode.NO_BILLING),
                idempotency_key=f"{request}-{conflicts}",
            )
        except ConflictError:
            conflicts += 1
            continue
        return conflicts


def _subscription(local_db: Path, journal_url: str) -> str:
    local = LocalProvider(make_catalog(), database=local_db, start=datetime(2024, 1, 1, tzinfo=UTC))
    with Billing(provider=local, catalog=local.catalog, journal=Journal.open(journal_url)) as billing:
        customer = billing.create_customer("race@example.com")
        return billing.subscribe(customer.id, "basic").id


def _seats(local_db: Path) -> int:
    local = LocalProvider(make_catalog(), database=local_db)
    try:
        return local.get_subscription(_only_subscription(local)).plan_quantities["basic"]
    finally:
        local.close()


def _only_subscription(local: LocalProvider) -> str:
    (sub,) = local.list_subscriptions()
    return sub.id


def test_threads_lose_no_update(local_db: Path, journal_url: str) -> None:
    sub_id = _subscription(local_db, journal_url)
    workers: list[Billing] = []
    for _ in range(4):
        local = LocalProvider(make_catalog(), database=local_db)
        workers.append(Billing(provider=local, catalog=local.catalog, journal=Journal.open(journal_url)))
    errors: list[BaseException] = []

    def run(billing: Billing, worker: int) -> None:
        try:
            for n in range(ROUNDS):
                add_seat(billing, sub_id, f"w{worker}-{n}")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(billing, n)) for n, billing in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for billing in workers:
        billing.close()
    assert errors == []
    assert _seats(local_db) == 1 + 4 * ROUNDS


WORKER = """
import sys
from prorata import Billing, PlanChange, ProrationMode
from prorata.errors import ConflictError
from prorata.journal import Journal
from prorata.local import LocalProvider
exec(sys.argv[1])
local = LocalProvider(CATALOG, database=sys.argv[2])
billing = Billing(provider=local, catalog=local.catalog, journal=Journal.open(sys.argv[3]))
for n in range(int(sys.argv[5])):
    attempt = 0
    while True:
        current = billing.get(sys.argv[4])
        seats = current.plan_quantities["basic"]
        try:
            billing.apply(
                current,
                PlanChange.set_quantity("basic", seats + 1, proration=ProrationMode.NO_BILLING),
                idempotency_key=f"{sys.argv[6]}-{n}-{attempt}",
            )
        except ConflictError:
            attempt += 1
            continue
        break
billing.close()
"""


def test_processes_lose_no_update(local_db: Path, journal_url: str) -> None:
    sub_id = _subscription(local_db, journal_url)
    args = [CATALOG_CODE, str(local_db), journal_url, sub_id, str(ROUNDS)]
    children = [subprocess.Popen([sys.executable, "-c", WORKER, *args, f"p{n}"]) for n in range(3)]
    assert [child.wait(180) for child in children] == [0, 0, 0]
    assert _seats(local_db) == 1 + 3 * ROUNDS


def test_a_worker_without_the_journal_is_still_refused_by_the_engine(
    open_billing: Callable[[], Any], local_db: Path
) -> None:
    billing = open_billing()
    customer = billing.create_customer("rev@example.com")
    sub = billing.subscribe(customer.id, "basic")
    other = LocalProvider(make_catalog(), database=local_db)
    try:
        billing.apply(sub.id, PlanChange.set_quantity("basic", 2, proration=ProrationMode.NO_BILLING))
        stale = other.get_subscription(sub.id)
        billing.apply(sub.id, PlanChange.set_quantity("basic", 3, proration=ProrationMode.NO_BILLING))
        change = PlanChange.set_quantity("basic", 4, proration=ProrationMode.NO_BILLING)
        with pytest.raises(ConflictError, match=str(stale.revision)):
            other.apply_change(
                stale,
                change,
                target=change.target_items(stale.items),
                proration_time=None,
                idempotency_key="direct",
            )
    finally:
        other.close()

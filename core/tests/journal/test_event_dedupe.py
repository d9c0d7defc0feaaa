"""``Billing.process_event`` on both journal stores: two workers sharing one journal process
each delivered event once, even when both receive it at the same time."""

from __future__ import annotations

import threading
from pathlib import Path

from prorata import Billing, BillingEvent
from prorata.journal import Journal
from prorata.local import LocalProvider

from .conftest import make_catalog


def test_two_workers_process_a_delivery_once(journal_url: str, tmp_path: Path) -> None:
    catalog = make_catalog()
    database = tmp_path / "billing.sqlite3"
    workers = [
        Billing(
            provider=LocalProvider(catalog, database=database),
            catalog=catalog,
            journal=Journal.open(journal_url),
        )
        for _ in range(2)
    ]
    try:
        customer = workers[0].create_customer("workers@example.com")
        workers[0].subscribe(customer.id, "basic")
        provider = workers[0].provider
        assert isinstance(provider, LocalProvider)
        deliveries = provider.webhooks.drain()
        assert len(deliveries) == 4
        handled: list[str] = []
        lock = threading.Lock()

        def handler(event: BillingEvent) -> None:
            with lock:
                handled.append(event.id)

        def receive(billing: Billing) -> None:
            for delivery in deliveries:  # both workers get every delivery (a retry, a duplicate)
                billing.process_event(delivery.headers, delivery.body, handler)

        threads = [threading.Thread(target=receive, args=(w,)) for w in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(handled) == sorted(d.id for d in deliveries), "every event once, none twice"
        assert all(workers[1].journal.event_processed("local:webhook", d.id) for d in deliveries)
    finally:
        for worker in workers:
            worker.close()

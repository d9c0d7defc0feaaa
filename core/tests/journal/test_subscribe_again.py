"""With a durable journal, subscribe reads no list: the journal alone tells a retry from a new
subscribe after a cancellation."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from prorata import Billing, load_config
from prorata._config import DEMO_CONFIG
from prorata.journal import Journal
from prorata.local import LocalProvider

START = datetime(2026, 1, 1, tzinfo=UTC)


def test_a_retry_replays_and_a_subscribe_after_cancel_is_new(tmp_path: Path) -> None:
    catalog = load_config(DEMO_CONFIG).catalog
    provider = LocalProvider(catalog, database=tmp_path / "billing.sqlite3", start=START)
    billing = Billing(provider=provider, catalog=catalog, journal=Journal.open(tmp_path / "journal.sqlite3"))
    assert billing.journal.durable
    customer = billing.create_customer("again@example.com")
    first = billing.subscribe(customer.id, "basic")
    assert billing.subscribe(customer.id, "basic").id == first.id  # the same request: a retry
    billing.cancel_now(first.id)
    second = billing.subscribe(customer.id, "basic")
    assert second.id != first.id
    assert not second.is_canceled
    assert [s.id for s in billing.subscriptions(customer_id=customer.id, status="active")] == [second.id]

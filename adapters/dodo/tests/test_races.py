"""Workers racing on one Dodo subscription lose no update when they share a change journal.

Dodo checks and writes in separate requests, so the journal's per-subscription lease is what
serialises workers; the revision (the key of the last write, kept in the subscription's
metadata) makes a worker that read stale state get a ``ConflictError`` and try again.
"""

from __future__ import annotations

from collections.abc import Callable

from prorata import Billing
from prorata_contract import race_seat_changes


def test_workers_sharing_a_journal_lose_no_update(journal_workers: Callable[[], Billing]) -> None:
    with journal_workers() as first:
        customer = first.create_customer("race@example.com")
        subscription = first.subscribe(customer.id, "seat")
    outcome = race_seat_changes(journal_workers, subscription.id, plan="seat", workers=4, rounds=3)
    assert outcome.errors == ()
    assert outcome.lost_updates == 0, outcome

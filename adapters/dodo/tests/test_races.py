"""Workers racing on one Dodo subscription lose no update when they share a change journal.

Dodo checks and writes in separate requests, so the journal's per-subscription lease is what
serialises workers; the revision (the key of the last write, kept in the subscription's
metadata) makes a worker that read stale state get a ``ConflictError`` and try again.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from prorata import Billing, Catalog
from prorata.journal import Journal
from prorata_contract import race_seat_changes
from prorata_emulators.dodo import DodoEmulator

from .conftest import make_billing


def test_workers_sharing_a_journal_lose_no_update(
    emulator: DodoEmulator, catalog: Catalog, tmp_path: Path
) -> None:
    journal_path = str(tmp_path / "journal.sqlite3")

    def worker() -> Billing:
        return attrs.evolve(make_billing(emulator, catalog), journal=Journal.open(journal_path))

    with worker() as first:
        customer = first.create_customer("race@example.com")
        subscription = first.subscribe(customer.id, "seat")
    outcome = race_seat_changes(worker, subscription.id, plan="seat", workers=4, rounds=3)
    assert outcome.errors == ()
    assert outcome.lost_updates == 0, outcome

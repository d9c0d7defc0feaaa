"""Workers racing on one Stripe subscription lose no update when they share a change journal.

Stripe has no conditional update, so two processes that each read the subscription and write
what they read would overwrite each other. The journal's per-subscription lease serialises
them; the revision the adapter keeps in the subscription's metadata makes the second worker
see that it read stale state (a ``ConflictError``), re-read and apply on the new state.
"""

from __future__ import annotations

from collections.abc import Callable

from prorata import Billing
from prorata_contract import race_seat_changes


def test_workers_sharing_a_journal_lose_no_update(journal_workers: Callable[[], Billing]) -> None:
    with journal_workers() as first:
        customer = first.create_customer("race@example.com", payment_method="pm_card_visa")
        subscription = first.subscribe(customer.id, "seat")
    outcome = race_seat_changes(journal_workers, subscription.id, plan="seat", workers=4, rounds=3)
    assert outcome.errors == ()
    assert outcome.lost_updates == 0, outcome

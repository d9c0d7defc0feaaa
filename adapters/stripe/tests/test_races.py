"""Workers racing on one Stripe subscription lose no update when they share a change journal.

Stripe has no conditional update, so two processes that each read the subscription and write
what they read would overwrite each other. The journal's per-subscription lease serialises
them; the revision the adapter keeps in the subscription's metadata makes the second worker
see that it read stale state (a ``ConflictError``), re-read and apply on the new state.
"""

from __future__ import annotations

from pathlib import Path

import stripe

from prorata import Billing, Catalog
from prorata.journal import Journal
from prorata_contract import race_seat_changes
from prorata_emulators.stripe import StripeEmulatorServer
from prorata_stripe import StripeProvider


def test_workers_sharing_a_journal_lose_no_update(
    emulator: StripeEmulatorServer, stripe_catalog: Catalog, tmp_path: Path
) -> None:
    journal_path = str(tmp_path / "journal.sqlite3")

    def worker() -> Billing:
        client = stripe.StripeClient(
            "sk_test_race", base_addresses={"api": emulator.url}, max_network_retries=2
        )
        provider = StripeProvider(client=client, catalog=stripe_catalog)
        return Billing(provider=provider, catalog=stripe_catalog, journal=Journal.open(journal_path))

    with worker() as first:
        customer = first.create_customer("race@example.com", payment_method="pm_card_visa")
        subscription = first.subscribe(customer.id, "seat")
    outcome = race_seat_changes(worker, subscription.id, plan="seat", workers=4, rounds=3)
    assert outcome.errors == ()
    assert outcome.lost_updates == 0, outcome

"""Fault soak on the Dodo emulator: 30 % of requests fail, every change lands exactly once.

The full-size run (1,000 changes) is ``adapters/emulators/benchmarks/soak_faults.py``.
"""

from __future__ import annotations

from pathlib import Path

import dodopayments

from prorata import Billing, Catalog
from prorata.journal import Journal
from prorata_contract import soak_new_subscription
from prorata_dodo import Attempts, DodoProvider
from prorata_emulators.dodo import DodoEmulator

from .conftest import API_KEY

KINDS = ["drop_after_commit", "error_after_commit", "error_before_commit", "rate_limit"]


def test_thirty_percent_faults_leave_the_books_exact(
    emulator: DodoEmulator, catalog: Catalog, tmp_path: Path
) -> None:
    journal = str(tmp_path / "journal.sqlite3")

    def make_billing() -> Billing:
        # The host retries; the SDK does not (its backoff would only slow the soak down).
        client = dodopayments.DodoPayments(bearer_token=API_KEY, base_url=emulator.url, max_retries=0)
        provider = DodoProvider(client, catalog, attempts=Attempts(sleep=lambda _: None))
        return Billing(provider=provider, catalog=catalog, journal=Journal.open(journal))

    faults = emulator.app.faults
    report = soak_new_subscription(
        make_billing,
        rounds=40,
        faults_on=lambda: faults.randomly(0.3, KINDS, seed=3, retry_after=0),
        faults_off=faults.clear,
    )
    assert report.clean, report
    assert report.applied == 40
    assert report.retries > 0, "no fault was injected: the soak tested nothing"
    assert set(faults.injected) == set(KINDS)

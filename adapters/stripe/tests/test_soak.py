"""Fault soak on the Stripe emulator: 30 % of requests fail, every change lands exactly once.

The full-size run (1,000 changes) is ``adapters/emulators/benchmarks/soak_faults.py``.
"""

from __future__ import annotations

from collections.abc import Callable

from prorata import Billing
from prorata_contract import soak_new_subscription
from prorata_emulators.stripe import StripeEmulator

KINDS = ["drop_after_commit", "error_after_commit", "error_before_commit", "rate_limit"]


def test_thirty_percent_faults_leave_the_books_exact(
    emulator: StripeEmulator, journal_workers: Callable[[], Billing]
) -> None:
    faults = emulator.faults
    report = soak_new_subscription(
        journal_workers,
        rounds=40,
        faults_on=lambda: faults.randomly(0.3, KINDS, seed=3, retry_after=0),
        faults_off=faults.clear,
        payment_method="pm_card_visa",
    )
    assert report.clean, report
    assert report.applied == 40
    assert report.retries > 0, "no fault was injected: the soak tested nothing"
    assert set(faults.injected) == set(KINDS)

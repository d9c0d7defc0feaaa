"""Fault soak: 30 % of requests fail on both emulators, 30 % of the local provider's writes meet
a SQLite write lock held by another connection; changes retried as a host app does.

Run: ``uv run python adapters/emulators/benchmarks/soak_faults.py [ROUNDS] [--provider NAME]``
(default 1,000 per provider, every provider; ``--help``). Prints, per provider, the changes
applied, the retries, and the failure columns the exactly-once promise requires to be 0: lost,
duplicated, half-applied, applied although the host gave up, untyped exceptions.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from pathlib import Path

import dodopayments
import stripe

from prorata import Billing, Catalog
from prorata.journal import Journal
from prorata_contract import (
    SoakReport,
    SQLiteBusy,
    contract_catalog,
    local_busy_workers,
    soak_new_subscription,
)
from prorata_dodo import Attempts, DodoProvider, create_catalog_objects
from prorata_emulators.dodo import DodoEmulator
from prorata_emulators.kit import FaultKind, Faults
from prorata_emulators.stripe import running
from prorata_stripe import StripeProvider, create_catalog_prices

KINDS: list[FaultKind] = ["drop_after_commit", "error_after_commit", "error_before_commit", "rate_limit"]


def _run(make: Callable[[], Billing], faults: Faults, rounds: int, **customer: str) -> SoakReport:
    return soak_new_subscription(
        make,
        rounds=rounds,
        faults_on=lambda: faults.randomly(0.3, KINDS, seed=1, retry_after=0),
        faults_off=faults.clear,
        **customer,
    )


def stripe_soak(rounds: int, journal: str) -> SoakReport:
    with running() as server:
        setup = stripe.StripeClient("sk_test_soak", base_addresses={"api": server.url})
        refs = create_catalog_prices(setup, contract_catalog().plans)
        catalog: Catalog = contract_catalog(refs)

        def make() -> Billing:
            client = stripe.StripeClient(
                "sk_test_soak", base_addresses={"api": server.url}, max_network_retries=0
            )
            return Billing(
                provider=StripeProvider(client=client, catalog=catalog),
                catalog=catalog,
                journal=Journal.open(journal),
            )

        return _run(make, server.faults, rounds, payment_method="pm_card_visa")


def dodo_soak(rounds: int, journal: str) -> SoakReport:
    with DodoEmulator() as emulator:
        setup = dodopayments.DodoPayments(bearer_token="soak", base_url=emulator.url)
        catalog = contract_catalog(create_catalog_objects(setup, contract_catalog()))

        def make() -> Billing:
            client = dodopayments.DodoPayments(bearer_token="soak", base_url=emulator.url, max_retries=0)
            provider = DodoProvider(client, catalog, attempts=Attempts(sleep=lambda _: None))
            return Billing(provider=provider, catalog=catalog, journal=Journal.open(journal))

        return _run(make, emulator.faults, rounds)


def local_soak(rounds: int, journal: str) -> SoakReport:
    """The local provider: SQLite busy faults (another connection's write lock) on its database,
    which also holds its change journal (``journal`` names the folder's file to use)."""
    database = Path(journal).with_name("local.sqlite3")
    busy = SQLiteBusy(database, chance=0.3, seed=1)
    return soak_new_subscription(
        local_busy_workers(database, busy), rounds=rounds, faults_on=busy.start, faults_off=busy.stop
    )


SOAKS: dict[str, Callable[[int, str], SoakReport]] = {
    "stripe": stripe_soak,
    "dodo": dodo_soak,
    "local": local_soak,
}


def main(rounds: int, providers: list[str]) -> None:
    columns = ("applied", "retries", "lost", "duplicates", "half_applied", "applied_but_error", "untyped")
    print(f"{'provider':<8} " + " ".join(f"{c:>17}" for c in columns) + f" {'seconds':>8}")
    with tempfile.TemporaryDirectory() as folder:
        for name in providers:
            report = SOAKS[name](rounds, str(Path(folder) / f"{name}-journal.sqlite3"))
            values = [getattr(report, c) for c in columns]
            print(f"{name:<8} " + " ".join(f"{v:>17}" for v in values) + f" {report.seconds:>8.1f}")
            for failure in report.typed_failures[:5]:
                print(f"    {failure}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("rounds", nargs="?", type=int, default=1000, help="changes per provider")
    parser.add_argument(
        "--provider", choices=sorted(SOAKS), action="append", help="soak only this provider (repeatable)"
    )
    arguments = parser.parse_args()
    main(arguments.rounds, arguments.provider or list(SOAKS))

"""Dodo emulator: time per renewal when its clock moves one month over N subscriptions.

Run: ``uv run python adapters/emulators/benchmarks/dodo_advance.py [N ...]``. Subscriptions are
created through prorata's Dodo adapter (over loopback HTTP); the advance is timed in process.
The goal: time per renewal flat in N (renewals run from a heap, not a scan per renewal).
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta

import dodopayments

from prorata import Billing
from prorata_contract import contract_catalog
from prorata_dodo import DodoProvider, create_catalog_objects
from prorata_emulators.dodo import DodoEmulator


def run(count: int) -> tuple[float, float]:
    with DodoEmulator() as emulator:
        client = dodopayments.DodoPayments(bearer_token="bench", base_url=emulator.url)
        catalog = contract_catalog(create_catalog_objects(client, contract_catalog()))
        with Billing(provider=DodoProvider(client, catalog), catalog=catalog) as billing:
            start = time.perf_counter()
            for index in range(count):
                billing.subscribe(billing.create_customer(f"c{index}@example.com").id, "basic")
            create_ms = (time.perf_counter() - start) * 1e3 / count
        target = emulator.now + timedelta(days=31)
        start = time.perf_counter()
        emulator.advance(target)
        per_renewal_ms = (time.perf_counter() - start) * 1e3 / count
    return create_ms, per_renewal_ms


def main(counts: list[int]) -> None:
    print(f"{'subscriptions':>13} {'create ms/sub':>13} {'advance ms/renewal':>18}")
    for count in counts:
        create_ms, per_renewal = run(count)
        print(f"{count:>13} {create_ms:>13.2f} {per_renewal:>18.3f}")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [100, 1000, 10000])

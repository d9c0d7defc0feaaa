"""Figures for the local engine: preview/apply latency and a year of renewals for N subscriptions.

Run: ``uv run python core/benchmarks/local_engine.py [--subscriptions N] [--database PATH]``.
It prints figures and asserts nothing about time: speed goals live here, not in tests.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from prorata import Billing, Item, PlanChange, load_config
from prorata._config import DEMO_CONFIG
from prorata.local import LocalProvider

START = datetime(2026, 1, 1, tzinfo=UTC)


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1] if len(ordered) > 1 else ordered[0]
    return f"median {statistics.median(ordered) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscriptions", type=int, default=500)
    parser.add_argument("--database", type=Path, default=None, help="SQLite file (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.database or Path(folder) / "bench.sqlite3"
        catalog = load_config(DEMO_CONFIG).catalog
        provider = LocalProvider(catalog, database=path, start=START)
        billing = Billing(provider=provider, catalog=catalog)
        tracemalloc.start()
        began = time.perf_counter()
        ids = []
        for index in range(args.subscriptions):
            customer = billing.create_customer(f"user{index}@example.com")
            ids.append(billing.subscribe(customer.id, [Item(plan="basic"), Item(plan="team", quantity=3)]).id)
        created = time.perf_counter() - began
        billing.time_control().advance(START + timedelta(days=10))
        previews: list[float] = []
        applies: list[float] = []
        for subscription_id in ids:
            subscription = billing.get(subscription_id)
            change = PlanChange.swap("basic", "pro")
            t0 = time.perf_counter()
            preview = billing.preview(subscription, change)
            t1 = time.perf_counter()
            billing.apply(subscription, change, preview=preview)
            t2 = time.perf_counter()
            previews.append(t1 - t0)
            applies.append(t2 - t1)
        t0 = time.perf_counter()
        billing.time_control().advance(START + timedelta(days=366))
        year = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        renewals = sum(len(billing.invoices(i)) for i in ids[:10]) / 10
        provider.close()
        size = path.stat().st_size
    print(f"subscriptions:            {args.subscriptions} (2 items each), SQLite file")
    print(f"create customer+sub:      {created / args.subscriptions * 1000:.2f} ms each")
    print(f"preview (held sub):       {_ms(previews)}")
    print(f"apply with preview:       {_ms(applies)}")
    print(
        f"advance one year:         {year:.2f} s for {args.subscriptions * 12} renewals "
        f"({year / (args.subscriptions * 12) * 1000:.2f} ms each); {renewals:.0f} invoices per subscription"
    )
    print(f"peak Python memory:       {peak / 1e6:.1f} MB; database {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()

"""Local engine at scale: create N subscriptions, advance one month, list pages; N = 1k, 10k, 100k.

Run: ``uv run python core/benchmarks/local_scale.py [--sizes 1000,10000,100000]``.
Each size runs in its own process (so its peak RSS is its own) on a fresh SQLite file. Every
subscription renews at the same instant (the usual case: a batch created together), which is
where a ``due`` query without the ``(next_event_at, id)`` index sorted a temporary B-tree per
renewal. Prints figures; asserts nothing about time (the goal: time per renewal flat in N
within 1.5x).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from prorata import Item, SubscriptionStatus, load_config
from prorata._config import DEMO_CONFIG
from prorata._listing import Pages, SubscriptionQuery
from prorata.local import LocalProvider
from prorata.provider import NewCustomer, NewSubscription

START = datetime(2026, 1, 1, tzinfo=UTC)
CHUNK = 5_000


def _measure(size: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        catalog = load_config(DEMO_CONFIG).catalog
        provider = LocalProvider(catalog, database=Path(folder) / "scale.sqlite3", start=START)
        began = time.perf_counter()
        for offset in range(0, size, CHUNK):
            count = min(CHUNK, size - offset)
            customers = provider.create_customers(
                [NewCustomer(email=f"user{offset + i}@example.com") for i in range(count)]
            )
            provider.create_subscriptions(
                [
                    NewSubscription(
                        customer_id=customer.id, items=[Item(plan="basic"), Item(plan="team", quantity=3)]
                    )
                    for customer in customers
                ]
            )
        created = time.perf_counter() - began
        clock = provider.time_control()
        began = time.perf_counter()
        clock.advance(START + timedelta(days=31))
        advanced = time.perf_counter() - began
        began = time.perf_counter()
        everything = Pages(lambda cursor: provider.subscriptions_page(SubscriptionQuery(cursor=cursor)))
        renewals = sum(1 for sub in everything if sub.current_period_start > START)
        walk = time.perf_counter() - began
        assert renewals == size, renewals
        began = time.perf_counter()
        first = provider.subscriptions_page(
            SubscriptionQuery(statuses=[SubscriptionStatus.ACTIVE], plans=["team"])
        )
        first_page = time.perf_counter() - began
        page, pages = first, 1
        began = time.perf_counter()
        while page.next_cursor is not None and pages < 20:
            page = provider.subscriptions_page(SubscriptionQuery(plans=["team"], cursor=page.next_cursor))
            pages += 1
        paging = (time.perf_counter() - began) / max(pages - 1, 1)
        customer_page = provider.subscriptions_page(
            SubscriptionQuery(customer_id=first.items[-1].customer_id)
        )
        assert len(customer_page.items) == 1
        provider.close()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "size": size,
        "create_us": created / size * 1e6,
        "advance_s": advanced,
        "renewal_us": advanced / renewals * 1e6,
        "first_page_ms": first_page * 1000,
        "next_page_ms": paging * 1000,
        "walk_us": walk / size * 1e6,
        "peak_rss_mb": peak_kb / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(_measure(args.one)))
        return
    rows: list[dict[str, float]] = []
    for size in (int(text) for text in args.sizes.split(",")):
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(size)], check=True, capture_output=True, text=True
        ).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
    print("subscriptions (2 items each, all renewing at one instant), SQLite file, one process per N")
    print(
        f"{'N':>8} {'create/sub':>11} {'advance 1 month':>16} {'per renewal':>12} {'page 1':>8} {'page n':>8} {'list all/sub':>13} {'peak RSS':>9}"
    )
    for row in rows:
        print(
            f"{row['size']:>8.0f} {row['create_us']:>9.0f}us {row['advance_s']:>14.2f}s "
            f"{row['renewal_us']:>10.0f}us {row['first_page_ms']:>6.2f}ms {row['next_page_ms']:>6.2f}ms {row['walk_us']:>11.0f}us "
            f"{row['peak_rss_mb']:>7.0f}MB"
        )
    base = rows[0]["renewal_us"]
    print(f"per-renewal time, largest N / smallest N: {rows[-1]['renewal_us'] / base:.2f}x (goal <= 1.5x)")


if __name__ == "__main__":
    main()

"""A price migration of N subscriptions at a write limit, on the Stripe or Dodo emulator or local.

Run: ``uv run python core/benchmarks/migration.py --provider stripe [--subscriptions 1000] [--rate 25]``.
The emulator answers writes over ``--rate`` per second with 429 (its token bucket), and the
migration paces itself at the same rate. The run is interrupted after a third of the
subscriptions (as Ctrl-C would), then started again with the same name: the report shows the
sustained rate, errors, 429s, duplicates (subscriptions written twice, counted in the
emulator's request log, or in invoices on local) and peak memory. Prints figures only.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from prorata import Billing, Item, MigrationOutcome, load_config
from prorata.journal import Journal
from prorata.local import LocalProvider
from prorata.provider import NewCustomer, NewSubscription
from prorata_emulators.dodo import DodoEmulator
from prorata_emulators.stripe import running

sys.path.insert(0, str(Path(__file__).parent))
from requests_per_operation import START, dodo_billing, stripe_billing


class Interrupt(Exception):
    """Stands in for Ctrl-C part way through the first run."""


@contextmanager
def _setup(
    provider: str, folder: Path, rate: float
) -> Iterator[tuple[Billing, Callable[[], Counter[str]], Callable[[], None]]]:
    journal = Journal.open(folder / "journal.sqlite3")
    if provider == "local":
        catalog = load_config(
            {
                "provider": "local",
                "plans": {
                    "basic": {"price": "10.00", "currency": "USD"},
                    "pro": {"price": "20.00", "currency": "USD"},
                },
            }
        ).catalog
        local = LocalProvider(catalog, database=folder / "local.sqlite3", start=START)
        billing = Billing(provider=local, catalog=catalog, journal=journal)

        def writes() -> Counter[str]:
            counts: Counter[str] = Counter()
            for sub in billing.subscriptions():
                counts[sub.id] = sum(1 for i in billing.invoices(sub.id) if i.reason == "subscription_update")
            return counts

        yield billing, writes, lambda: None
        return
    if provider == "stripe":
        with running() as server:
            billing = stripe_billing(server, journal)

            def stripe_writes() -> Counter[str]:
                return Counter(
                    r.path.split("?")[0].rsplit("/", 1)[-1]
                    for r in server.requests("POST")
                    if r.path.startswith("/v1/subscriptions/sub_") and r.status == 200
                )

            yield billing, stripe_writes, lambda: server.limit_writes(rate)
        return
    with DodoEmulator(now=START) as dodo:
        billing = dodo_billing(dodo.url, journal)

        def dodo_writes() -> Counter[str]:
            return Counter(
                r.path.split("/")[2]
                for r in dodo.requests("POST")
                if r.path.endswith("/change-plan") and r.status == 200
            )

        yield billing, dodo_writes, lambda: dodo.limit_writes(rate)


def _populate(billing: Billing, count: int) -> None:
    provider = billing.provider
    if isinstance(provider, LocalProvider):
        customers = provider.create_customers([NewCustomer(email=f"m{i}@example.test") for i in range(count)])
        provider.create_subscriptions(
            [NewSubscription(customer_id=c.id, items=[Item(plan="basic")]) for c in customers]
        )
        return
    for index in range(count):
        customer = billing.create_customer(f"m{index}@example.test")
        billing.subscribe(customer.id, "basic", trial_days=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--provider", choices=["stripe", "dodo", "local"], default="stripe")
    parser.add_argument("--subscriptions", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=25.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as folder,
        _setup(args.provider, Path(folder), args.rate) as (billing, writes, limit),
    ):
        began = time.perf_counter()
        _populate(billing, args.subscriptions)
        setup = time.perf_counter() - began
        limit()  # from here on the emulator answers writes over the limit with 429
        stop_after = args.subscriptions // 3
        seen = [0]

        def interrupt(outcome: MigrationOutcome) -> None:
            seen[0] += 1
            if seen[0] == stop_after:
                raise Interrupt

        options = {
            "plan": "basic",
            "to_plan": "pro",
            "name": "bench",
            "rate": args.rate,
            "concurrency": args.concurrency,
        }
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        began = time.perf_counter()
        with suppress(Interrupt):
            billing.migrate(**options, on_outcome=interrupt)
        first = time.perf_counter() - began
        report = billing.migrate(**options)
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        written = writes()
        applied_first = sum(1 for n in written.values() if n) - report.count("applied")
        duplicates = sum(1 for n in written.values() if n > 1)
        on_new = sum(1 for _ in billing.subscriptions(plan="pro"))
        billing.close()
    total = applied_first + report.count("applied")
    print(
        f"provider {args.provider}: {args.subscriptions} subscriptions, limit {args.rate:g} writes/s, "
        f"concurrency {args.concurrency} (setup {setup:.1f} s)"
    )
    print(f"  first run, interrupted after {stop_after} outcomes: {applied_first} applied in {first:.1f} s")
    print(
        f"  resumed run: {report.count('applied')} applied, {report.count('already_applied')} already applied, "
        f"{report.count('skipped')} skipped, {report.count('failed')} failed in {report.elapsed:.1f} s"
    )
    print(
        f"  sustained rate (resumed run): {report.rate:.2f}/s = {report.rate / args.rate * 100:.1f}% of the limit; "
        f"429s: {report.throttled}"
    )
    print(
        f"  total applied {total} / {args.subscriptions}; on the new plan {on_new}; duplicates {duplicates}"
    )
    print(f"  peak RSS {rss_after / 1024:.0f} MB (before the runs {rss_before / 1024:.0f} MB)")


if __name__ == "__main__":
    main()

"""Requests per operation of the Stripe adapter, next to the minimum, on the emulator.

Run: ``uv run python adapters/stripe/benchmarks/requests_per_operation.py``. Prints one row per
operation: the requests the adapter sent (counted by the emulator, per route), the minimum
Stripe's API allows, and the wall time over loopback HTTP.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import stripe

from prorata import AtDate, AtPeriodEnd, Billing, Item, PlanChange, Subscription
from prorata_contract import contract_catalog
from prorata_emulators.stripe import StripeEmulator, running
from prorata_stripe import StripeProvider, create_catalog_prices

START = datetime(2026, 1, 31, 9, 30, tzinfo=UTC)


def _billing(server: StripeEmulator) -> Billing:
    client = stripe.StripeClient(
        "sk_test_benchmark", base_addresses={"api": server.url}, max_network_retries=2
    )
    refs = create_catalog_prices(client, contract_catalog().plans)
    catalog = contract_catalog(refs)
    provider = StripeProvider(
        client=client, catalog=catalog, create_test_clock=True, frozen_time=int(START.timestamp())
    )
    return Billing(provider=provider, catalog=catalog)


def _measure(server: StripeEmulator, action: Callable[[], Any]) -> tuple[int, float, Any]:
    server.reset_counts()
    began = time.perf_counter()
    result = action()
    elapsed = time.perf_counter() - began
    return sum(server.request_counts().values()), elapsed, result


def main() -> None:
    rows: list[tuple[str, int, int, float]] = []
    with running() as server:
        billing = _billing(server)
        customer = billing.create_customer("benchmark@example.test")
        count, seconds, sub = _measure(server, lambda: billing.subscribe(customer.id, "basic"))
        rows.append(("subscribe", count, 1, seconds))
        subscription: Subscription = sub
        billing.time_control().advance(subscription.current_period_start + timedelta(days=10))
        count, seconds, subscription = _measure(server, lambda: billing.get(subscription.id))
        rows.append(("get subscription", count, 1, seconds))
        upgrade = PlanChange.swap("basic", "pro")
        count, seconds, preview = _measure(server, lambda: billing.preview(subscription, upgrade))
        rows.append(("preview immediate change (held subscription)", count, 1, seconds))
        count, seconds, result = _measure(
            server, lambda: billing.apply(subscription, upgrade, preview=preview)
        )
        rows.append(("apply immediate change", count, 1, seconds))
        subscription = result.subscription
        add = PlanChange.add("addon", 2)
        count, seconds, result = _measure(server, lambda: billing.apply(subscription, add))
        rows.append(("add a second product", count, 1, seconds))
        subscription = result.subscription
        later = PlanChange.swap("pro", "basic", timing=AtPeriodEnd())
        count, seconds, _ = _measure(server, lambda: billing.preview(subscription, later))
        rows.append(("preview change at period end", count, 1, seconds))
        count, seconds, result = _measure(server, lambda: billing.apply(subscription, later))
        rows.append(("apply change at period end (new schedule)", count, 2, seconds))
        subscription = result.subscription
        at_date = PlanChange.set_quantity(
            "addon",
            5,
            timing=AtDate(at=subscription.current_period_end - timedelta(days=3)),
            replace_pending=True,
        )
        count, seconds, _ = _measure(server, lambda: billing.apply(subscription, at_date))
        rows.append(("replace the pending change (schedule update)", count, 1, seconds))
        count, seconds, _ = _measure(
            server,
            lambda: billing.apply(
                billing.get(subscription.id), PlanChange.set_items([Item(plan="pro")], replace_pending=True)
            ),
        )
        rows.append(("get + apply immediate over a schedule", count, 2, seconds))
    width = max(len(name) for name, *_ in rows)
    print(f"{'operation':<{width}}  requests  minimum  ms")
    for name, count, minimum, seconds in rows:
        flag = "" if count <= minimum else "  <- above minimum"
        print(f"{name:<{width}}  {count:>8}  {minimum:>7}  {seconds * 1000:6.1f}{flag}")


if __name__ == "__main__":
    main()

"""Stripe emulator: cost per request as its state grows, and memory per subscription.

Run: ``uv run python adapters/emulators/benchmarks/stripe_state_size.py [N ...]``. For each N,
seeds N customers with one subscription each (through the emulator's own request handler, no
HTTP), then times a retrieve, an update and an invoice preview on one subscription. The goal
(issue: emulators fast at any size) is per-request time at 10,000 subscriptions within 2x of 1.
"""

from __future__ import annotations

import json
import resource
import sys
import time
import tracemalloc
from typing import Any
from urllib.parse import urlencode

from _timing import median_ms

from prorata_emulators.stripe import StripeApp

JSON = dict[str, Any]

HEADERS = {"Authorization": "Bearer sk_test_benchmark", "Content-Type": "application/x-www-form-urlencoded"}


def _call(emulator: StripeApp, method: str, path: str, params: dict[str, str] | None = None) -> JSON:
    body = urlencode(params or {}).encode()
    target = path if method == "POST" or not params else f"{path}?{body.decode()}"
    response = emulator.handle(method, target, HEADERS, body if method == "POST" else b"")
    assert response.status < 400, (path, response.status, response.body)
    return json.loads(response.body)


def _seed(emulator: StripeApp, count: int) -> tuple[str, str, str]:
    product = _call(emulator, "POST", "/v1/products", {"name": "Basic"})
    price = _call(
        emulator,
        "POST",
        "/v1/prices",
        {"product": product["id"], "currency": "usd", "unit_amount": "1000", "recurring[interval]": "month"},
    )
    other = _call(
        emulator,
        "POST",
        "/v1/prices",
        {"product": product["id"], "currency": "usd", "unit_amount": "2000", "recurring[interval]": "month"},
    )
    last = ""
    for index in range(count):
        customer = _call(
            emulator,
            "POST",
            "/v1/customers",
            {
                "email": f"c{index}@example.com",
                "payment_method": "pm_card_visa",
                "invoice_settings[default_payment_method]": "pm_card_visa",
            },
        )
        last = _call(
            emulator,
            "POST",
            "/v1/subscriptions",
            {"customer": customer["id"], "items[0][price]": price["id"]},
        )["id"]
    return last, price["id"], other["id"]


def run(count: int) -> tuple[float, float, float, float, float]:
    emulator = StripeApp.create()
    tracemalloc.start()
    start = time.perf_counter()
    subscription, price, other = _seed(emulator, count)
    seed_ms = (time.perf_counter() - start) * 1e3 / max(count, 1)
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    prices = [price, other]
    flip = iter(range(10**9))

    def update() -> object:
        sub = _call(emulator, "GET", f"/v1/subscriptions/{subscription}")
        item = sub["items"]["data"][0]["id"]
        return _call(
            emulator,
            "POST",
            f"/v1/subscriptions/{subscription}",
            {"items[0][id]": item, "items[0][price]": prices[next(flip) % 2], "proration_behavior": "none"},
        )

    retrieve = median_ms(lambda: _call(emulator, "GET", f"/v1/subscriptions/{subscription}"))
    write = median_ms(update)
    preview = median_ms(
        lambda: _call(emulator, "POST", "/v1/invoices/create_preview", {"subscription": subscription})
    )
    return seed_ms, retrieve, write, preview, current / max(count, 1) / 1024


def advance(count: int) -> tuple[float, int]:
    """ms per renewal when a test clock with ``count`` subscriptions moves one month on."""
    emulator = StripeApp.create()
    clock = _call(emulator, "POST", "/v1/test_helpers/test_clocks", {"frozen_time": "1767225600"})
    product = _call(emulator, "POST", "/v1/products", {"name": "Basic"})
    price = _call(
        emulator,
        "POST",
        "/v1/prices",
        {"product": product["id"], "currency": "usd", "unit_amount": "1000", "recurring[interval]": "month"},
    )
    for index in range(count):
        customer = _call(
            emulator,
            "POST",
            "/v1/customers",
            {
                "email": f"c{index}@example.com",
                "test_clock": clock["id"],
                "payment_method": "pm_card_visa",
                "invoice_settings[default_payment_method]": "pm_card_visa",
            },
        )
        _call(
            emulator,
            "POST",
            "/v1/subscriptions",
            {"customer": customer["id"], "items[0][price]": price["id"]},
        )
    start = time.perf_counter()
    _call(
        emulator, "POST", f"/v1/test_helpers/test_clocks/{clock['id']}/advance", {"frozen_time": "1769904000"}
    )
    elapsed = time.perf_counter() - start
    invoices = sum(1 for _ in emulator.store.ids("invoice"))
    return elapsed * 1e3 / max(count, 1), invoices - count


def main(counts: list[int]) -> None:
    print(
        f"{'subscriptions':>13} {'create/sub ms':>13} {'GET ms':>8} {'update ms':>9} {'preview ms':>10} {'KiB/sub':>8}"
    )
    for count in counts:
        seed, retrieve, write, preview, kib = run(count)
        print(f"{count:>13} {seed:>13.2f} {retrieve:>8.2f} {write:>9.2f} {preview:>10.2f} {kib:>8.1f}")
    print()
    print(f"{'subscriptions':>13} {'advance 1 month: ms/renewal':>28} {'renewals':>9}")
    for count in counts:
        per_renewal, renewals = advance(count)
        print(f"{count:>13} {per_renewal:>28.3f} {renewals:>9}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [1, 100, 1000, 10000])

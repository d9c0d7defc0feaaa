"""Dodo emulator: cost per request as its state grows, and memory per subscription.

Run: ``uv run python adapters/emulators/benchmarks/dodo_state_size.py [N ...]``. For each N,
seeds N customers with one subscription each through the emulator's own request handler (no
HTTP), with the requests prorata's Dodo adapter sends to subscribe (find the customer by email,
create it, find its subscriptions, its saved card, create the subscription, read it back), then
times the common routes on one subscription (median of 20) and a one-month clock move over all
N. The goal (issue 11): per-request time at 10,000 subscriptions within 2x of 1, advance linear.
"""

from __future__ import annotations

import json
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any
from urllib.parse import urlencode

from _timing import median_ms

from prorata_emulators.dodo import DodoApp
from prorata_emulators.dodo._state import State

JSON = dict[str, Any]

HEADERS = {"authorization": "Bearer benchmark", "content-type": "application/json"}


def _call(app: DodoApp, method: str, path: str, body: JSON | None = None, **query: str) -> Any:
    raw = json.dumps(body).encode() if body is not None else b""
    target = f"{path}?{urlencode(query)}" if query else path
    outcome = app.handle(method, target, HEADERS, raw)
    assert outcome.status < 400, (method, path, outcome.status, outcome.body)
    return json.loads(outcome.body) if outcome.body else None


def _product(app: DodoApp, price: int) -> str:
    body = {
        "name": f"Plan {price}",
        "tax_category": "saas",
        "price": {
            "type": "recurring_price",
            "currency": "USD",
            "price": price,
            "discount": 0,
            "purchasing_power_parity": False,
            "payment_frequency_interval": "Month",
            "payment_frequency_count": 1,
            "subscription_period_interval": "Year",
            "subscription_period_count": 20,
        },
    }
    return _call(app, "POST", "/products", body)["product_id"]


def subscribe(app: DodoApp, index: int, product: str) -> str:
    """What the adapter sends for ``create_customer`` then ``subscribe`` (a saved card)."""
    email = f"c{index}@example.com"
    _call(app, "GET", "/customers", email=email, page_number="0", page_size="100")
    customer = _call(
        app, "POST", "/customers", {"email": email, "name": email, "metadata": {"test_card": "succeeds"}}
    )["customer_id"]
    _call(app, "GET", "/subscriptions", customer_id=customer, page_number="0", page_size="100")
    card = _call(app, "GET", f"/customers/{customer}/payment-methods")["items"][0]["payment_method_id"]
    sub = _call(
        app,
        "POST",
        "/subscriptions",
        {
            "billing": {"country": "US"},
            "customer": {"customer_id": customer},
            "product_id": product,
            "quantity": 1,
            "payment_method_id": card,
        },
    )["subscription_id"]
    _call(app, "GET", f"/subscriptions/{sub}")
    return sub


def run(size: int) -> dict[str, float]:
    """Per-request milliseconds at ``size`` subscriptions, and KiB per subscription."""
    app = DodoApp(state=State(now=datetime(2026, 1, 1, tzinfo=UTC)))
    basic, pro = _product(app, 1000), _product(app, 2500)
    tracemalloc.start()
    for index in range(size):
        sub = subscribe(app, index, basic)
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    kib = current / max(size, 1) / 1024
    sub = subscribe(app, size, basic)
    customer = _call(app, "GET", f"/subscriptions/{sub}")["customer"]["customer_id"]
    fresh = count(size + 1)
    targets = iter([pro, basic] * 40)

    def change() -> object:
        return _call(
            app,
            "POST",
            f"/subscriptions/{sub}/change-plan",
            {"product_id": next(targets), "quantity": 1, "proration_billing_mode": "difference_immediately"},
        )

    figures = {
        "create": median_ms(lambda: subscribe(app, next(fresh), basic)),
        "GET sub": median_ms(lambda: _call(app, "GET", f"/subscriptions/{sub}")),
        "by email": median_ms(lambda: _call(app, "GET", "/customers", email=f"c{size // 2}@example.com")),
        "subs of customer": median_ms(lambda: _call(app, "GET", "/subscriptions", customer_id=customer)),
        "payments of sub": median_ms(
            lambda: _call(app, "GET", "/payments", subscription_id=sub, page_size="1")
        ),
        "preview": median_ms(
            lambda: _call(
                app,
                "POST",
                f"/subscriptions/{sub}/change-plan/preview",
                {"product_id": pro, "quantity": 1, "proration_billing_mode": "prorated_immediately"},
            )
        ),
        "change": median_ms(change),
        "PATCH": median_ms(lambda: _call(app, "PATCH", f"/subscriptions/{sub}", {"metadata": {"k": "v"}})),
    }
    renewals = sum(1 for s in app.state.subscriptions.values() if s.status == "active")
    later = (app.state.now + timedelta(days=32)).isoformat()
    start = time.perf_counter()
    _call(app, "POST", "/_emulator/clock", {"now": later})
    figures["advance/renewal"] = (time.perf_counter() - start) * 1e3 / renewals
    figures["KiB/sub"] = kib
    return figures


def main(sizes: list[int]) -> None:
    rows = [(size, run(size)) for size in sizes]
    names = list(rows[0][1])
    print(f"{'subscriptions':>13} " + " ".join(f"{name:>16}" for name in names))
    for size, figures in rows:
        print(f"{size:>13} " + " ".join(f"{figures[name]:>16.3f}" for name in names))
    print("(milliseconds per request, per renewal for advance; traced KiB per subscription)")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [1, 1000, 10000])

"""Seeding: create Stripe objects from Python, without HTTP, through the emulator's own routes.

A seeded object goes through the same validation and rules as an API request (a refused one
raises ``prorata_emulators.kit.SeedError`` with Stripe's error body), but skips authentication, the request log,
the counts, the write limit and injected faults: a test's setup never trips its own faults.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prorata_emulators.kit import seeded
from prorata_emulators.stripe._app import StripeApp
from prorata_emulators.stripe._forms import encode

__all__ = ["Seeder"]


class Seeder:
    """``emulator.seed``: ``call(method, path, params)`` and shortcuts for common objects."""

    def __init__(self, app: StripeApp) -> None:
        self._app = app

    def call(self, method: str, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """Serve ``method path`` with ``params`` (nested as the API documents them); the JSON answer."""
        form = encode(params or {})
        target, body = (f"{path}?{form}" if form else path, b"") if method == "GET" else (path, form.encode())
        return seeded(self._app.handle(method, target, {}, body, seeding=True))

    def customer(self, **params: Any) -> dict[str, Any]:
        """``POST /v1/customers`` (``email``, ``name``, ``balance``, ``test_clock``...)."""
        return self.call("POST", "/v1/customers", params)

    def price(
        self,
        unit_amount: int,
        *,
        currency: str = "usd",
        interval: str = "month",
        product: str = "Plan",
        **params: Any,
    ) -> dict[str, Any]:
        """A product named ``product`` and a recurring price of ``unit_amount`` minor units on it."""
        created = self.call("POST", "/v1/products", {"name": product})
        return self.call(
            "POST",
            "/v1/prices",
            {
                "product": created["id"],
                "unit_amount": unit_amount,
                "currency": currency,
                "recurring": {"interval": interval},
                **params,
            },
        )

    def subscription(self, customer: str, price: str, *, quantity: int = 1, **params: Any) -> dict[str, Any]:
        """``POST /v1/subscriptions`` with one item (``trial_period_days``, ``metadata``...)."""
        return self.call(
            "POST",
            "/v1/subscriptions",
            {"customer": customer, "items": [{"price": price, "quantity": quantity}], **params},
        )

    def test_clock(self, frozen_time: int, **params: Any) -> dict[str, Any]:
        """``POST /v1/test_helpers/test_clocks`` frozen at ``frozen_time`` (a Unix time)."""
        return self.call("POST", "/v1/test_helpers/test_clocks", {"frozen_time": frozen_time, **params})

    def webhook_endpoint(self, url: str, *, enabled_events: list[str] | None = None) -> dict[str, Any]:
        """``POST /v1/webhook_endpoints``; the answer carries the signing ``secret``."""
        return self.call(
            "POST", "/v1/webhook_endpoints", {"url": url, "enabled_events": enabled_events or ["*"]}
        )

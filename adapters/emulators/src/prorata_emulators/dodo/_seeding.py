"""Seeding: create Dodo Payments objects from Python, without HTTP, through the emulator's routes.

A seeded object goes through the same validation and rules as an API request (a refused one
raises ``prorata_emulators.kit.SeedError`` with Dodo's error body), but skips authentication,
the request log, the counts, the write limit and injected faults.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from prorata_emulators.dodo._app import DodoApp
from prorata_emulators.kit import seeded

__all__ = ["Seeder"]


class Seeder:
    """``emulator.seed``: ``call(method, path, body)`` and shortcuts for common objects."""

    def __init__(self, app: DodoApp) -> None:
        self._app = app

    def call(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        """Serve ``method path`` with the JSON ``body``; the JSON answer."""
        raw = json.dumps(dict(body or {})).encode()
        return seeded(self._app.handle(method, path, {}, raw, seeding=True))

    def customer(self, email: str, name: str, **body: Any) -> dict[str, Any]:
        """``POST /customers``."""
        return self.call("POST", "/customers", {"email": email, "name": name, **body})

    def product(
        self,
        price: int,
        *,
        currency: str = "USD",
        interval: str = "Month",
        name: str = "Plan",
        tax_category: str = "saas",
        **body: Any,
    ) -> dict[str, Any]:
        """A subscription product billed ``price`` minor units every ``interval`` (``POST /products``)."""
        recurring = {
            "type": "recurring_price",
            "price": price,
            "currency": currency,
            "discount": 0,
            "purchasing_power_parity": False,
            "payment_frequency_count": 1,
            "payment_frequency_interval": interval,
            "subscription_period_count": 10,
            "subscription_period_interval": "Year",
        }
        return self.call(
            "POST", "/products", {"name": name, "tax_category": tax_category, "price": recurring, **body}
        )

    def subscription(
        self, customer_id: str, product_id: str, *, quantity: int = 1, **body: Any
    ) -> dict[str, Any]:
        """``POST /subscriptions``; without a saved ``payment_method_id`` the first payment waits
        on checkout (the subscription is ``pending``), as on Dodo."""
        return self.call(
            "POST",
            "/subscriptions",
            {
                "customer": {"customer_id": customer_id},
                "product_id": product_id,
                "quantity": quantity,
                "billing": {
                    "country": "US",
                    "state": "CA",
                    "city": "SF",
                    "street": "1 Main",
                    "zipcode": "94000",
                },
                **body,
            },
        )

"""Create a catalog's prices in Stripe (or the emulator) and return their refs."""

from __future__ import annotations

from collections.abc import Iterable

import stripe

from prorata import Plan
from prorata_stripe._amounts import to_stripe

__all__ = ["create_catalog_prices"]


def create_catalog_prices(client: stripe.StripeClient, plans: Iterable[Plan]) -> dict[str, dict[str, str]]:
    """One product and one recurring price per plan; returns ``{key: {"stripe": price_id}}``.

    For tests and first setups: every call creates new objects (run it once per account).
    """
    refs: dict[str, dict[str, str]] = {}
    for plan in plans:
        product = client.v1.products.create({"name": plan.name})
        price = client.v1.prices.create(
            {
                "product": product.id,
                "currency": plan.currency.lower(),
                "unit_amount": to_stripe(plan.price),
                "recurring": {"interval": plan.interval.unit.value, "interval_count": plan.interval.count},
            }
        )
        refs[plan.key] = {"stripe": price.id}
    return refs

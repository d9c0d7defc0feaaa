"""prorata-stripe: the Stripe adapter for prorata.

Only the capabilities load with the package; the names that need the ``stripe`` SDK load
on first use, so registering the plugin stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prorata.provider import lazy_attributes
from prorata_stripe._capabilities import STRIPE_CAPABILITIES

if TYPE_CHECKING:
    from prorata_stripe._bootstrap import create_catalog_prices
    from prorata_stripe._errors import translate
    from prorata_stripe._provider import SUBSCRIPTION_EXPAND, StripeProvider
    from prorata_stripe._time import TestClockControl
    from prorata_stripe.plugin import build_provider

_LAZY = {
    "create_catalog_prices": "prorata_stripe._bootstrap",
    "translate": "prorata_stripe._errors",
    "SUBSCRIPTION_EXPAND": "prorata_stripe._provider",
    "StripeProvider": "prorata_stripe._provider",
    "TestClockControl": "prorata_stripe._time",
    "build_provider": "prorata_stripe.plugin",
}

__getattr__ = lazy_attributes(__name__, _LAZY)


__all__ = [
    "STRIPE_CAPABILITIES",
    "SUBSCRIPTION_EXPAND",
    "StripeProvider",
    "TestClockControl",
    "build_provider",
    "create_catalog_prices",
    "translate",
]

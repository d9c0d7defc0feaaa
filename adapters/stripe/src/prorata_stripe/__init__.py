"""prorata-stripe: the Stripe adapter for prorata."""

from prorata_stripe._capabilities import STRIPE_CAPABILITIES
from prorata_stripe._errors import translate
from prorata_stripe._provider import SUBSCRIPTION_EXPAND, StripeProvider
from prorata_stripe._time import TestClockControl
from prorata_stripe.plugin import build_provider

__all__ = [
    "STRIPE_CAPABILITIES",
    "SUBSCRIPTION_EXPAND",
    "StripeProvider",
    "TestClockControl",
    "build_provider",
    "translate",
]

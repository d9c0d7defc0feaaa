"""Amounts on Stripe's wire vs prorata's minor units, for the currencies where they differ.

prorata counts minor units as ISO 4217 defines them. Stripe's API differs for two currencies
(https://docs.stripe.com/currencies#special-cases and #zero-decimal):

- ISK is zero-decimal in ISO 4217, but Stripe's API represents it with two decimals for
  backwards compatibility (5 ISK is ``500`` on the wire, and charges must be whole krónur);
- MGA has two decimals in ISO 4217, but Stripe treats it as zero-decimal (5 MGA is ``5``).

Every amount the adapter reads from Stripe or sends to it goes through these two functions.
"""

from __future__ import annotations

from fractions import Fraction

from prorata import Money
from prorata.errors import ValidationError
from prorata.provider import currency_exponent, round_half_away_from_zero

__all__ = ["STRIPE_EXPONENTS", "from_stripe", "stripe_exponent", "to_stripe"]

STRIPE_EXPONENTS = {"ISK": 2, "MGA": 0}
"""Currencies whose decimals on Stripe's wire differ from ISO 4217."""


def stripe_exponent(currency: str) -> int:
    code = currency.upper()
    return STRIPE_EXPONENTS.get(code, currency_exponent(code))


def from_stripe(value: int, currency: str) -> Money:
    """Money from an amount as Stripe sends it (rounded half away from zero where Stripe has
    more decimals than ISO 4217: a proration line of ``1250`` ISK-hundredths is 13 ISK)."""
    code = currency.upper()
    shift = currency_exponent(code) - stripe_exponent(code)
    if shift >= 0:
        return Money.of(value * 10**shift, code)
    return Money.of(round_half_away_from_zero(Fraction(value, 10**-shift)), code)


def to_stripe(money: Money) -> int:
    """The amount to send Stripe; refuses a value Stripe cannot represent (fractions of an MGA)."""
    shift = stripe_exponent(money.currency) - currency_exponent(money.currency)
    if shift >= 0:
        return money.amount * 10**shift
    scaled, rest = divmod(money.amount, 10**-shift)
    if rest:
        raise ValidationError(
            "Money.amount", money, f"whole units of {money.currency}: Stripe has no minor unit for it"
        )
    return scaled

"""ISK and MGA: Stripe's wire decimals differ from ISO 4217, prorata's Money follows ISO.

https://docs.stripe.com/currencies#special-cases (ISK is sent with two decimals) and
https://docs.stripe.com/currencies#zero-decimal (MGA is zero-decimal on Stripe).
"""

from __future__ import annotations

import pytest
import stripe

from prorata import Billing, Catalog, Interval, Money, Plan
from prorata.errors import ValidationError
from prorata_stripe import StripeProvider
from prorata_stripe._amounts import from_stripe, to_stripe


@pytest.mark.parametrize(
    ("wire", "currency", "money"),
    [
        (500, "ISK", 5),
        (1250, "ISK", 13),
        (-1250, "ISK", -13),
        (5, "MGA", 500),
        (1000, "USD", 1000),
        (7, "JPY", 7),
    ],
)
def test_amounts_from_the_wire(wire: int, currency: str, money: int) -> None:
    assert from_stripe(wire, currency) == Money.of(money, currency)


def test_amounts_to_the_wire() -> None:
    assert to_stripe(Money.of(5, "ISK")) == 500
    assert to_stripe(Money.of(500, "MGA")) == 5
    with pytest.raises(ValidationError, match="MGA"):
        to_stripe(Money.of(550, "MGA"))


@pytest.mark.parametrize(("currency", "wire", "iso"), [("isk", 100_000, 1000), ("mga", 5000, 500_000)])
def test_a_subscription_invoice_in_iso_minor_units(
    stripe_client: stripe.StripeClient, currency: str, wire: int, iso: int
) -> None:
    product = stripe_client.v1.products.create({"name": "Basic"})
    price = stripe_client.v1.prices.create(
        {"product": product.id, "currency": currency, "unit_amount": wire, "recurring": {"interval": "month"}}
    )
    code = currency.upper()
    catalog = Catalog(
        plans=(
            Plan(
                key="basic",
                name="Basic",
                price=Money.of(iso, code),
                interval=Interval.monthly(),
                refs={"stripe": price.id},
            ),
        )
    )
    with Billing(provider=StripeProvider(client=stripe_client, catalog=catalog), catalog=catalog) as billing:
        customer = billing.create_customer("iso@example.com", payment_method="pm_card_visa")
        subscription = billing.subscribe(customer.id, "basic")
        (first,) = billing.invoices(subscription.id)
    assert first.totals.total == Money.of(iso, code)
    assert [line.amount for line in first.lines] == [Money.of(iso, code)]

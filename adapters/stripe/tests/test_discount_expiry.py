"""A coupon whose duration is over leaves the subscription (emulator and adapter).

https://docs.stripe.com/api/coupons/object#coupon_object-duration: ``once`` applies to the first
invoice only; when a discount ends Stripe removes it and sends ``customer.discount.deleted``
(https://docs.stripe.com/api/events/types#event_types-customer.discount.deleted).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import stripe

from prorata import Billing, Customer, Discount, DiscountDuration, Money
from prorata.provider import TimeControl


def test_a_once_coupon_is_gone_after_the_first_invoice(
    billing: Billing,
    time_control: TimeControl,
    customer_factory: Callable[..., Customer],
    stripe_client: stripe.StripeClient,
) -> None:
    coupon = stripe_client.v1.coupons.create({"percent_off": 50, "duration": "once"})
    discount = Discount(coupon=coupon.id, percent_off=Decimal(50), duration=DiscountDuration.ONCE)
    subscription = billing.subscribe(customer_factory().id, "basic", discounts=[discount])
    assert [d.coupon for d in subscription.discounts] == [coupon.id]
    time_control.advance(subscription.current_period_end + timedelta(hours=1))
    renewed = billing.get(subscription.id)
    assert renewed.discounts == ()
    first, second = billing.invoices(subscription.id)
    assert first.totals.total == Money.of(500, "USD")
    assert second.totals.total == Money.of(1000, "USD")
    deleted = stripe_client.v1.events.list({"type": "customer.discount.deleted"})
    assert len(deleted.data) == 1

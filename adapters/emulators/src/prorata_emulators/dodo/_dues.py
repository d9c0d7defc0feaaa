"""An ``on_hold`` subscription's remaining dues: charged again, and the subscription reactivated.

https://docs.dodopayments.com/api-reference/subscriptions/update-payment-method: "For
subscriptions in ``on_hold`` state, updating the payment method automatically creates a charge
for remaining dues, generates an invoice, and reactivates the subscription to ``active`` state
upon successful payment"; the events are ``payment.succeeded`` then ``subscription.active``;
"If the payment fails ... the subscription will remain in ``on_hold`` state".
"""

from __future__ import annotations

from fractions import Fraction

from prorata_emulators.dodo import _render, _webhooks
from prorata_emulators.dodo._billing import charge
from prorata_emulators.dodo._errors import ApiError
from prorata_emulators.dodo._state import Payment, State, Subscription

__all__ = ["charge_dues", "reactivate"]


def charge_dues(state: State, sub: Subscription, *, hosted: bool) -> Payment:
    """Charge the renewal that failed again (``hosted``: on Dodo's page, at its payment link)."""
    failed = next(
        (
            state.payments[p]
            for p in state.payments_by_subscription.newest(sub.id)
            if state.payments[p].status == "failed"
        ),
        None,
    )
    if failed is None:
        raise ApiError(422, "NO_DUES", f"subscription {sub.id} has no failed payment to settle")
    payment = charge(
        state,
        sub,
        failed.total_amount,
        tax=failed.tax,
        charge_type=failed.charge_type,
        period=(failed.service_start, failed.service_end),
        factor=Fraction(1),
        cart=list(failed.product_cart),
        lines=list(failed.lines),
        metadata=dict(failed.metadata),
        discounts=list(failed.discounts),
        hosted=hosted,
        link=hosted,
    )
    if payment.status == "succeeded":
        reactivate(state, sub, payment)
    return payment


def reactivate(state: State, sub: Subscription, payment: Payment) -> None:
    """The dues are paid: ``active`` again, for the period the payment covers."""
    sub.status = "active"
    sub.previous_billing_date, sub.next_billing_date = payment.service_start, payment.service_end
    state.due(sub)
    _webhooks.emit(state, "subscription.active", _render.subscription(state, sub))

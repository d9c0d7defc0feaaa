"""What the Dodo adapter supports, declared truthfully for core's up-front checks."""

from __future__ import annotations

from prorata import BillingCycle, PaymentFailurePolicy, ProrationMode, TimingKind
from prorata.provider import Capabilities, CollectionMethod, ProrationSupport, ProrationTime

__all__ = ["CAPABILITIES"]

CAPABILITIES = Capabilities(
    proration={
        ProrationSupport(mode=ProrationMode.PRORATE_NOW, cycle=BillingCycle.RESET),
        ProrationSupport(mode=ProrationMode.PRORATE_NOW, cycle=BillingCycle.KEEP),
        ProrationSupport(mode=ProrationMode.FULL_PRICE_NOW, cycle=BillingCycle.RESET),
        ProrationSupport(mode=ProrationMode.PRICE_DIFFERENCE_NOW, cycle=BillingCycle.RESET),
        ProrationSupport(mode=ProrationMode.NO_BILLING, cycle=BillingCycle.KEEP),
    },
    timings={TimingKind.IMMEDIATELY, TimingKind.AT_PERIOD_END},
    multi_item=True,
    max_base_items=1,
    quantities=True,
    max_phases=0,
    trials=True,
    discounts=True,
    tax_rates=False,
    collection_methods={CollectionMethod.CHARGE_AUTOMATICALLY},
    payment_failure_policies=set(PaymentFailurePolicy),
    cancel_at_period_end=True,
    resume=True,
    cancel_scheduled_change=True,
    time_control=True,
    native_idempotency=False,
    events=True,
    # The first payment on Dodo's checkout (payment_link / client_secret) is a payment
    # action; refunds of a payment, in full or per line item. Not declared: a payment setup
    # without a purchase, replacing a payment method outside a hosted page, paying or voiding
    # an open payment (docs/dodo.md, "Payments").
    payment_actions=True,
    refunds=True,
    partial_refunds=True,
    # Dodo's change_plan takes no proration time: it prices when it receives the request.
    proration_time=ProrationTime.AT_RECEIPT,
)
"""Dodo: one product (with a quantity) plus add-ons; five billing modes; no schedules.

``time_control`` is provided by the emulator's clock only: against the real API,
``DodoProvider.time_control()`` returns None.
"""

"""What Stripe does natively, declared for core's up-front checks."""

from __future__ import annotations

from prorata import BillingCycle, PaymentFailurePolicy, ProrationMode, TimingKind
from prorata.provider import Capabilities, CollectionMethod, EndBehavior, ProrationSupport

__all__ = ["STRIPE_CAPABILITIES", "STRIPE_MAX_PHASES"]

STRIPE_MAX_PHASES = 10

STRIPE_CAPABILITIES = Capabilities(
    proration=[
        # always_invoice (+ billing_cycle_anchor {type: now} to reset)
        ProrationSupport(mode=ProrationMode.PRORATE_NOW, cycle=BillingCycle.KEEP),
        ProrationSupport(mode=ProrationMode.PRORATE_NOW, cycle=BillingCycle.RESET),
        # create_prorations: pending invoice items billed with the next invoice
        ProrationSupport(mode=ProrationMode.PRORATE_NEXT_INVOICE, cycle=BillingCycle.KEEP),
        # proration_behavior none + billing_cycle_anchor now: full new period, no credit
        ProrationSupport(mode=ProrationMode.FULL_PRICE_NOW, cycle=BillingCycle.RESET),
        # proration_behavior none
        ProrationSupport(mode=ProrationMode.NO_BILLING, cycle=BillingCycle.KEEP),
        # price_difference_now has no native Stripe equivalent: not declared.
    ],
    timings=[TimingKind.IMMEDIATELY, TimingKind.AT_PERIOD_END, TimingKind.AT_DATE, TimingKind.SCHEDULE],
    multi_item=True,
    max_base_items=None,
    quantities=True,
    max_phases=STRIPE_MAX_PHASES,
    end_behaviors=[EndBehavior.RELEASE, EndBehavior.CANCEL],
    trials=True,
    discounts=True,
    tax_rates=True,
    collection_methods=[CollectionMethod.CHARGE_AUTOMATICALLY, CollectionMethod.SEND_INVOICE],
    payment_failure_policies=[PaymentFailurePolicy.KEEP_OLD_PLAN, PaymentFailurePolicy.APPLY_CHANGE],
    cancel_at_period_end=True,
    resume=True,
    cancel_scheduled_change=True,
    time_control=True,
    native_idempotency=True,
    # SetupIntents, invoice_settings.default_payment_method, PaymentIntents (3-D Secure),
    # invoices pay/void, refunds on the invoice's PaymentIntent, in full or in part.
    payment_setup=True,
    set_payment_method=True,
    payment_actions=True,
    pay_invoice=True,
    void_invoice=True,
    refunds=True,
    partial_refunds=True,
    events=True,
)
"""Stripe's capabilities. ``time_control`` is through test clocks (test mode and the emulator)."""

"""Core (proration mode, billing cycle, timing) -> Dodo ``proration_billing_mode``/``effective_at``."""

from __future__ import annotations

from typing import Literal

from prorata import AtPeriodEnd, BillingCycle, PaymentFailurePolicy, PlanChange, ProrationMode
from prorata_dodo.semantics import DodoMode

__all__ = ["MODE_MAP", "dodo_mode", "effective_at", "on_payment_failure"]

MODE_MAP: dict[tuple[ProrationMode, BillingCycle], DodoMode] = {
    (ProrationMode.PRORATE_NOW, BillingCycle.RESET): "prorated_immediately",
    (ProrationMode.PRORATE_NOW, BillingCycle.KEEP): "prorated_immediately_keep_cycle",
    (ProrationMode.FULL_PRICE_NOW, BillingCycle.RESET): "full_immediately",
    (ProrationMode.PRICE_DIFFERENCE_NOW, BillingCycle.RESET): "difference_immediately",
    (ProrationMode.NO_BILLING, BillingCycle.KEEP): "do_not_bill",
}
"""The five pairs declared in the capabilities, one Dodo mode each."""


def dodo_mode(change: PlanChange) -> DodoMode:
    """The Dodo mode for ``change`` (core has already refused unsupported pairs)."""
    return MODE_MAP[(change.proration, change.billing_cycle)]


def effective_at(change: PlanChange) -> Literal["immediately", "next_billing_date"]:
    return "next_billing_date" if isinstance(change.timing, AtPeriodEnd) else "immediately"


def on_payment_failure(change: PlanChange) -> Literal["prevent_change", "apply_change"]:
    if change.on_payment_failure is PaymentFailurePolicy.KEEP_OLD_PLAN:
        return "prevent_change"
    return "apply_change"

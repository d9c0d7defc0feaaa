"""What a change does during a free trial, the same on every provider (docs/proration.md).

- By default an immediate change during a trial changes the items, keeps the trial and
  charges nothing (it is billed as ``no_billing``): there is no paid time to prorate.
- ``end_trial=True``, or ``BillingCycle.RESET`` (a new cycle cannot start inside a
  trial), ends the trial now and bills the new items' full first period
  (``full_price_now`` with a reset cycle). Unpaid trial time is never credited.
"""

from __future__ import annotations

import attrs

from prorata._change import BillingCycle, Immediately, PlanChange, ProrationMode
from prorata._subscription import Subscription, SubscriptionStatus

__all__ = ["during_trial"]


def during_trial(subscription: Subscription, change: PlanChange) -> PlanChange:
    """``change`` as it is billed on ``subscription``: unchanged unless it is trialing."""
    if (
        subscription.status is not SubscriptionStatus.TRIALING
        or not isinstance(change.timing, Immediately)
        or not change.changes_items
    ):
        return change
    if change.end_trial or change.billing_cycle is BillingCycle.RESET:
        return attrs.evolve(
            change, end_trial=True, proration=ProrationMode.FULL_PRICE_NOW, billing_cycle=BillingCycle.RESET
        )
    return attrs.evolve(change, proration=ProrationMode.NO_BILLING, billing_cycle=BillingCycle.KEEP)

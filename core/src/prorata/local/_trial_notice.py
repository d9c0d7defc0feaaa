"""``subscription.trial_will_end`` on the local provider: three days before a trial ends.

The same notice Stripe sends ("three days before a subscription's trial period is scheduled
to end": https://docs.stripe.com/api/events/types#event_types-customer.subscription.trial_will_end),
once per trial; a trial of three days or less gets it when it starts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from prorata._event_types import EventType
from prorata._subscription import SubscriptionStatus
from prorata.local._outbox import Outbox
from prorata.local._state import LocalState

__all__ = ["TRIAL_NOTICE", "notice_at", "send_notice"]

TRIAL_NOTICE = timedelta(days=3)


def notice_at(state: LocalState) -> datetime | None:
    """When the trial-will-end notice is due, or None (no trial, or already sent)."""
    sub = state.subscription
    if state.trial_notice_sent or sub.status is not SubscriptionStatus.TRIALING or sub.trial_end is None:
        return None
    return max(sub.trial_end - TRIAL_NOTICE, sub.current_period_start)


def send_notice(outbox: Outbox, state: LocalState) -> LocalState:
    """Record the notice (in the caller's transaction) and remember it was sent."""
    outbox.subscription(EventType.SUBSCRIPTION_TRIAL_WILL_END, state.subscription)
    return attrs.evolve(state, trial_notice_sent=True)

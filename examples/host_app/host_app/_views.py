"""JSON views of prorata's objects, as the app's clients read them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prorata import PaymentSetup, SubscriptionSnapshot

__all__ = ["setup_view", "subscription_view"]


def _ts(moment: datetime | None) -> int:
    return 0 if moment is None else int(moment.timestamp())


def subscription_view(snapshot: SubscriptionSnapshot) -> dict[str, Any]:
    sub = snapshot.subscription
    invoice = snapshot.latest_invoice
    action = snapshot.payment_action
    upcoming = snapshot.next_payment
    return {
        "id": sub.id,
        "customer_id": sub.customer_id,
        "product_id": sub.items[0].plan,
        "status": sub.status.value,
        "cancel_at_period_end": sub.cancel_at_period_end,
        "canceled_ts": _ts(sub.canceled_at),
        "current_cycle_start_ts": _ts(sub.current_period_start),
        "current_cycle_end_ts": _ts(sub.current_period_end),
        "trial_end_ts": _ts(sub.trial_end),
        "invoice_id": None if invoice is None else invoice.id,
        "invoice_status": None if invoice is None else invoice.status.value,
        "payment_action": None
        if action is None
        else {"client_secret": action.client_secret, "url": action.url, "invoice_id": action.invoice_id},
        "next_payment": None
        if upcoming is None
        else {
            "amount": upcoming.amount.amount,
            "currency": upcoming.amount.currency,
            "at_ts": _ts(upcoming.at),
        },
        "scheduled_change": None
        if sub.scheduled_change is None
        else {
            "product_id": sub.scheduled_change.items[0].plan,
            "effective_ts": _ts(sub.scheduled_change.effective_at),
        },
    }


def setup_view(setup: PaymentSetup) -> dict[str, Any]:
    return {
        "id": setup.id,
        "customer_id": setup.customer_id,
        "client_secret": setup.client_secret,
        "url": setup.url,
        "status": setup.status.value,
        "payment_method_id": setup.payment_method or "",
    }

"""Which normalized events a local state change produces (the reference every adapter matches)."""

from __future__ import annotations

from prorata._event_types import EventType
from prorata._invoice import Invoice, InvoiceStatus
from prorata._items import CollectionMethod
from prorata._subscription import SubscriptionStatus
from prorata.local._state import LocalState

__all__ = ["action_required", "invoice_events", "subscription_events"]


def _scheduled_change_applied(before: LocalState, after: LocalState) -> bool:
    pending_ran = before.pending_change is not None and after.pending_change is None
    phase_moved = before.subscription.schedule is not None and after.phase_index != before.phase_index
    changed = before.subscription.items != after.subscription.items
    return changed and (pending_ran or phase_moved) and after.subscription.scheduled_change is None


def subscription_events(before: LocalState | None, after: LocalState) -> list[EventType]:
    """The events a subscription write produces (none when nothing public changed).

    Created, canceled or past due alone; else a scheduled change that took effect and/or a
    renewal (a new period starting where the previous one ended: also the end of a trial),
    in that order, as Stripe reports a schedule phase at a period end; else any update.
    """
    if before is None:
        return [EventType.SUBSCRIPTION_CREATED]
    old, new = before.subscription, after.subscription
    if new.is_canceled and not old.is_canceled:
        return [EventType.SUBSCRIPTION_CANCELED]
    if new.status is SubscriptionStatus.PAST_DUE and old.status is not SubscriptionStatus.PAST_DUE:
        return [EventType.SUBSCRIPTION_PAST_DUE]
    found: list[EventType] = []
    if _scheduled_change_applied(before, after):
        found.append(EventType.SUBSCRIPTION_SCHEDULED_CHANGE_APPLIED)
    if new.current_period_start == old.current_period_end:
        found.append(EventType.SUBSCRIPTION_RENEWED)
    if not found and old != new:
        found.append(EventType.SUBSCRIPTION_UPDATED)
    return found


def invoice_events(before: Invoice | None, after: Invoice) -> list[EventType]:
    """Events of an invoice write: issued (created, finalized, then paid or failed), or paid later."""
    if before is None:
        found = [EventType.INVOICE_CREATED]
        if after.status is not InvoiceStatus.DRAFT:
            found.append(EventType.INVOICE_FINALIZED)
        if after.status is InvoiceStatus.PAID:
            found.append(EventType.INVOICE_PAID)
        elif (
            after.status is InvoiceStatus.OPEN
            and after.collection_method is CollectionMethod.CHARGE_AUTOMATICALLY
        ):
            found.append(EventType.INVOICE_PAYMENT_FAILED)
        return found
    if after.status is InvoiceStatus.PAID and before.status is not InvoiceStatus.PAID:
        return [EventType.INVOICE_PAID]
    return []


def action_required(before: LocalState | None, after: LocalState) -> str | None:
    """The invoice whose payment now waits for the customer (3-D Secure), if this write asked it."""
    action = after.subscription.payment_action
    if action is None:
        return None
    earlier = None if before is None else before.subscription.payment_action
    if earlier is not None and earlier.invoice_id == action.invoice_id:
        return None
    return action.invoice_id

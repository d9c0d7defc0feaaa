"""Stripe webhooks -> BillingEvent, verified with ``stripe.Webhook.construct_event``.

Mapping (docs/events.md keeps the table):
https://docs.stripe.com/api/events/types and https://docs.stripe.com/webhooks#verify-events
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import stripe

from prorata import Catalog
from prorata.errors import WebhookVerificationError
from prorata.provider import BillingEvent, EventType, Invoice, Secret, Subscription
from prorata_stripe import _mapping as mapping

__all__ = ["DEFAULT_TOLERANCE", "event_type", "parse_event"]

JSON = dict[str, Any]

DEFAULT_TOLERANCE = 300
"""Seconds a signature stays valid (the SDK's default, Stripe's recommendation)."""

_DIRECT: Mapping[str, EventType] = {
    "customer.subscription.created": EventType.SUBSCRIPTION_CREATED,
    "customer.subscription.deleted": EventType.SUBSCRIPTION_CANCELED,
    "customer.subscription.trial_will_end": EventType.SUBSCRIPTION_TRIAL_WILL_END,
    "invoice.created": EventType.INVOICE_CREATED,
    "invoice.finalized": EventType.INVOICE_FINALIZED,
    "invoice.paid": EventType.INVOICE_PAID,
    "invoice.payment_failed": EventType.INVOICE_PAYMENT_FAILED,
    "invoice.payment_action_required": EventType.INVOICE_PAYMENT_ACTION_REQUIRED,
    "refund.created": EventType.REFUND_CREATED,
}


def _table(value: Any) -> JSON:
    """``value`` when it is a JSON object, else an empty one."""
    return dict(value) if isinstance(value, Mapping) else {}  # pyright: ignore[reportUnknownArgumentType]


def _item_periods(items: Any) -> dict[str, tuple[Any, Any]]:
    data: Any = _table(items).get("data")
    rows = [_table(item) for item in data] if isinstance(data, list) else []  # pyright: ignore[reportUnknownVariableType]
    return {
        str(_table(item.get("price")).get("id")): (item.get("current_period_start"), item.get("quantity"))
        for item in rows
    }


def _subscription_updated(obj: JSON, previous: JSON, automatic: bool) -> EventType:
    was = previous.get("status")
    if obj.get("status") in ("past_due", "unpaid") and was is not None and was not in ("past_due", "unpaid"):
        return EventType.SUBSCRIPTION_PAST_DUE
    if "current_period_start" in previous:  # before 2025-03-31.basil the period was on the subscription
        return EventType.SUBSCRIPTION_RENEWED
    if "items" in previous:
        before, now = _item_periods(previous["items"]), _item_periods(obj.get("items"))
        same_items = set(before) == set(now) and all(before[p][1] == now[p][1] for p in now)
        if same_items and any(before[p][0] != now[p][0] for p in now):
            return EventType.SUBSCRIPTION_RENEWED
        if not same_items and automatic:  # prices or quantities changed by time: a schedule phase
            return EventType.SUBSCRIPTION_SCHEDULED_CHANGE_APPLIED
    return EventType.SUBSCRIPTION_UPDATED


def event_type(event: JSON) -> EventType:
    """The normalized type of a Stripe event (``OTHER`` when prorata does not map it)."""
    kind = str(event.get("type"))
    if kind in _DIRECT:
        return _DIRECT[kind]
    data = _table(event.get("data"))
    if kind == "customer.subscription.updated":
        return _subscription_updated(
            _table(data.get("object")),
            _table(data.get("previous_attributes")),
            _table(event.get("request")).get("id") is None,
        )
    return EventType.OTHER


def _id(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = _table(value).get("id")
    return None if value is None else str(value)


def _subscription(catalog: Catalog, obj: JSON) -> Subscription | None:
    try:
        return mapping.subscription_from_stripe(catalog, obj)
    except Exception:
        return None


def _invoice(catalog: Catalog, obj: JSON) -> Invoice | None:
    try:
        return mapping.invoice_from_stripe(catalog, obj)
    except Exception:
        return None


def parse_event(
    catalog: Catalog,
    headers: Mapping[str, str],
    body: bytes,
    secret: Secret | None,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
) -> BillingEvent:
    """Verify ``body`` against the ``Stripe-Signature`` header and normalize the event."""
    if secret is None:
        raise WebhookVerificationError(
            "stripe", "no webhook secret configured (providers.stripe.webhook_secret_env)"
        )
    signature = headers.get("stripe-signature")
    if not signature:
        raise WebhookVerificationError("stripe", "no Stripe-Signature header")
    try:
        verified = stripe.Webhook.construct_event(
            body.decode("utf-8"), signature, secret.reveal(), tolerance=tolerance
        )
    except stripe.SignatureVerificationError as exc:
        raise WebhookVerificationError("stripe", exc.user_message or "signature mismatch") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise WebhookVerificationError(
            "stripe", f"the body is not a JSON event ({type(exc).__name__})"
        ) from None
    event: JSON = verified.to_dict()
    obj = _table(_table(event.get("data")).get("object"))
    kind = obj.get("object")
    subscription = _subscription(catalog, obj) if kind == "subscription" else None
    invoice = _invoice(catalog, obj) if kind == "invoice" else None
    if kind == "subscription":
        subscription_id = _id(obj.get("id"))
    elif kind == "invoice":
        details = _table(_table(obj.get("parent")).get("subscription_details"))
        subscription_id = _id(details.get("subscription") or obj.get("subscription"))
    else:
        subscription_id = _id(obj.get("subscription"))
    invoice_id = _id(obj.get("id")) if kind == "invoice" else _id(obj.get("invoice"))
    return BillingEvent(
        id=str(event["id"]),
        provider="stripe",
        type=event_type(event),
        provider_type=str(event.get("type")),
        occurred_at=datetime.fromtimestamp(int(event["created"]), tz=UTC),
        subscription_id=subscription_id,
        invoice_id=invoice_id,
        customer_id=_id(obj.get("customer")) if kind != "customer" else _id(obj.get("id")),
        subscription=subscription,
        invoice=invoice,
        raw=event,
    )

"""Dodo Payments webhooks -> BillingEvent, verified with ``standardwebhooks``.

Dodo signs deliveries with the Standard Webhooks scheme (``webhook-id``, ``webhook-timestamp``,
``webhook-signature``; 5 minutes tolerance): https://docs.dodopayments.com/developer-resources/webhooks
The event types are the SDK's ``WebhookEventType``; docs/events.md keeps the mapping table.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import standardwebhooks
from dodopayments.types import Payment
from dodopayments.types import Subscription as DodoSubscription

from prorata import Catalog
from prorata.errors import WebhookVerificationError
from prorata.provider import BillingEvent, EventType, Invoice, Secret, Subscription
from prorata_dodo import _mapping as mapping
from prorata_dodo._errors import PROVIDER

__all__ = ["event_type", "parse_event"]

JSON = dict[str, Any]

_DIRECT: Mapping[str, EventType] = {
    "subscription.renewed": EventType.SUBSCRIPTION_RENEWED,
    "subscription.on_hold": EventType.SUBSCRIPTION_PAST_DUE,
    "subscription.past_due": EventType.SUBSCRIPTION_PAST_DUE,
    "subscription.cancelled": EventType.SUBSCRIPTION_CANCELED,
    "subscription.expired": EventType.SUBSCRIPTION_CANCELED,
    "subscription.plan_changed": EventType.SUBSCRIPTION_UPDATED,
    "subscription.updated": EventType.SUBSCRIPTION_UPDATED,
    "subscription.paused": EventType.SUBSCRIPTION_UPDATED,
    "subscription.unpaused": EventType.SUBSCRIPTION_UPDATED,
    "subscription.update_payment_method": EventType.SUBSCRIPTION_UPDATED,
    "payment.succeeded": EventType.INVOICE_PAID,
    "payment.failed": EventType.INVOICE_PAYMENT_FAILED,
    "refund.succeeded": EventType.REFUND_CREATED,
}


def _table(value: Any) -> JSON:
    return dict(value) if isinstance(value, Mapping) else {}  # pyright: ignore[reportUnknownArgumentType]


def event_type(payload: JSON) -> EventType:
    """The normalized type of a Dodo event (``OTHER`` when prorata does not map it).

    ``subscription.active`` is the first activation (``subscription.created``) while the
    subscription was never billed for a later period; afterwards it is a reactivation
    (``subscription.updated``), e.g. after ``on_hold`` once the customer paid.
    """
    kind = str(payload.get("type"))
    if kind == "subscription.active":
        data = _table(payload.get("data"))
        first = data.get("previous_billing_date") in (None, data.get("created_at"))
        return EventType.SUBSCRIPTION_CREATED if first else EventType.SUBSCRIPTION_UPDATED
    return _DIRECT.get(kind, EventType.OTHER)


def _subscription(catalog: Catalog, data: JSON) -> Subscription | None:
    try:
        return mapping.subscription_from(catalog, DodoSubscription.model_validate(data))
    except Exception:
        return None


def _invoice(catalog: Catalog, data: JSON) -> Invoice | None:
    try:
        return mapping.invoice_from_payment(catalog, Payment.model_validate(data), None)
    except Exception:
        return None


def _optional(value: Any) -> str | None:
    return None if value is None else str(value)


def parse_event(
    catalog: Catalog, headers: Mapping[str, str], body: bytes, secret: Secret | None
) -> BillingEvent:
    """Verify ``body`` against the Standard Webhooks headers and normalize the event."""
    if secret is None:
        raise WebhookVerificationError(
            PROVIDER, "no webhook secret configured (providers.dodo.webhook_secret_env)"
        )
    try:
        verified: Any = standardwebhooks.Webhook(secret.reveal()).verify(body, dict(headers))
    except standardwebhooks.WebhookVerificationError as exc:
        raise WebhookVerificationError(PROVIDER, str(exc)) from None
    except (ValueError, UnicodeDecodeError) as exc:  # bad base64 key, body not JSON or not UTF-8
        raise WebhookVerificationError(PROVIDER, f"unreadable delivery ({type(exc).__name__})") from None
    payload = _table(verified)
    data = _table(payload.get("data"))
    kind = str(payload.get("type"))
    is_subscription = kind.startswith("subscription.")
    is_payment = kind.startswith("payment.")
    customer = _table(data.get("customer"))
    try:
        occurred = datetime.fromisoformat(str(payload.get("timestamp")).replace("Z", "+00:00"))
    except ValueError:
        raise WebhookVerificationError(PROVIDER, "the payload has no ISO-8601 timestamp") from None
    return BillingEvent(
        id=headers["webhook-id"],
        provider=PROVIDER,
        type=event_type(payload),
        provider_type=kind,
        occurred_at=occurred,
        subscription_id=_optional(data.get("subscription_id")),
        invoice_id=_optional(data.get("payment_id")) if is_payment else None,
        customer_id=_optional(customer.get("customer_id") or data.get("customer_id")),
        subscription=_subscription(catalog, data) if is_subscription else None,
        invoice=_invoice(catalog, data) if is_payment else None,
        raw=payload,
    )

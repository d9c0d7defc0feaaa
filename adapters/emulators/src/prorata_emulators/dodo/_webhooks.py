"""Signed Standard Webhooks events (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from prorata_emulators.dodo._render import iso
from prorata_emulators.dodo._state import State
from prorata_emulators.kit import Delivery

__all__ = ["emit", "sign"]


def sign(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """The ``webhook-signature`` header value for ``body``."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{message_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def emit(state: State, event_type: str, data: dict[str, Any]) -> None:
    """Record one signed event and, when an endpoint is set, queue it for delivery (in order,
    retried: ``prorata_emulators.kit.WebhookDelivery``)."""
    message_id = state.new_id("msg")
    timestamp = int(time.time())  # the send time (receivers check it); the payload carries emulator time
    payload = {
        "business_id": state.business_id,
        "type": event_type,
        "timestamp": iso(state.now),
        "data": data,
    }
    body = json.dumps(payload, separators=(",", ":"))
    headers = {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(state.webhook_secret, message_id, timestamp, body),
        "content-type": "application/json",
    }
    state.outbox.append({"id": message_id, "type": event_type, "headers": headers, "body": body})
    if state.webhook_url is not None:
        state.delivery.send(Delivery(url=state.webhook_url, headers=headers, body=body.encode()))

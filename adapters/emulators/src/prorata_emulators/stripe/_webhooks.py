"""Signed webhook delivery: ``Stripe-Signature: t=<ts>,v1=<hmac-sha256(secret, "<ts>.<body>")>``."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from prorata_emulators.kit import Delivery, WebhookDelivery
from prorata_emulators.stripe._store import JSON, Store, public

__all__ = ["send_events", "sign"]


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header value for ``payload``."""
    ts = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{ts}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={ts},v1={digest}"


def send_events(store: Store, events: list[JSON], delivery: WebhookDelivery) -> None:
    """Queue each event for every enabled endpoint that listens to its type (not in previews)."""
    if not store.real_time:
        return
    for event in events:
        for endpoint in store.scan("webhook_endpoint"):
            enabled: list[str] = endpoint["enabled_events"]
            if endpoint.get("status", "enabled") == "enabled" and (
                "*" in enabled or event["type"] in enabled
            ):
                body = json.dumps(public(event)).encode()
                headers = {
                    "Content-Type": "application/json",
                    "Stripe-Signature": sign(body, endpoint["secret"]),
                }
                delivery.send(Delivery(url=endpoint["url"], headers=headers, body=body))

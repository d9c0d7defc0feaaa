"""``prorata listen`` on Stripe: new events from ``GET /v1/events``, signed like a webhook.

Events read with the API key are authentic already; they are signed with the configured
webhook secret (the scheme of https://docs.stripe.com/webhooks#verify-manually) so that one
code path, ``Billing.parse_event`` / ``process_event``, serves both them and real deliveries,
and so that ``--forward-to`` sends what Stripe itself would.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any

import stripe

from prorata.provider import Delivery, Feed, Secret
from prorata_stripe._errors import stripe_errors

__all__ = ["event_feed", "signature_header"]

PAGE = 100


def signature_header(body: bytes, secret: str, timestamp: int | None = None) -> str:
    """``Stripe-Signature: t=<ts>,v1=<hex hmac-sha256(secret, "<ts>.<body>")>``."""
    ts = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={ts},v1={digest}"


def _recent(client: stripe.StripeClient) -> list[dict[str, Any]]:
    """The newest events, newest first, as the API sent them (decimals untouched)."""
    with stripe_errors("list events"):
        response: Any = client.raw_request("get", "/v1/events", limit=PAGE)  # pyright: ignore[reportUnknownMemberType]
    listed: Any = json.loads(response.body)["data"]
    return [dict(event) for event in listed]


def event_feed(
    client: stripe.StripeClient,
    secret: Callable[[], Secret | None],
    set_secret: Callable[[Secret], None],
    *,
    replay: bool,
) -> Feed:
    """New events on each call, oldest first (up to 100 per call). Without a configured
    webhook secret an ephemeral one is made (and given to the provider, never printed)."""
    if secret() is None:
        set_secret(Secret("whsec_" + secrets.token_hex(24), source="ephemeral (prorata listen)"))
    seen: set[str] = set() if replay else {str(e["id"]) for e in _recent(client)}

    def take() -> list[Delivery]:
        key = secret()
        assert key is not None
        fresh = [e for e in reversed(_recent(client)) if str(e["id"]) not in seen]
        deliveries: list[Delivery] = []
        for event in fresh:
            seen.add(str(event["id"]))
            body = json.dumps(event).encode()
            headers: Mapping[str, str] = {
                "content-type": "application/json",
                "stripe-signature": signature_header(body, key.reveal()),
            }
            deliveries.append((headers, body))
        return deliveries

    return take

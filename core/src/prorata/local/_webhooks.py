"""The local provider's webhooks: its signing secret, the outbox API and parsing its events."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import standardwebhooks

from prorata._errors import WebhookVerificationError
from prorata._events import BillingEvent
from prorata._invoice import Invoice
from prorata._secrets import Secret
from prorata._serialization import structure
from prorata._subscription import Subscription
from prorata.local._outbox import Delivery, new_webhook_secret
from prorata.local._store import Store

__all__ = ["LocalWebhooks"]

_SECRET_META = "webhook_secret"


class LocalWebhooks:
    """Signed events of one local database.

    The secret is the configured one (``webhook_secret_env``), else one generated once and
    kept in the database, so every process on the same file signs and verifies alike.
    """

    def __init__(self, store: Store, secret: Secret | None = None) -> None:
        self._store = store
        if secret is None:
            with store.transaction():
                stored = store.get_meta(_SECRET_META)
                if stored is None:
                    stored = new_webhook_secret()
                    store.set_meta(_SECRET_META, stored)
            secret = Secret(stored, source=f"local database {store.path}")
        self.secret = secret

    def __repr__(self) -> str:
        return f"LocalWebhooks(secret={self.secret!r})"

    def deliveries(self) -> list[Delivery]:
        """Every retained event, oldest first, signed now (nothing is marked taken)."""
        return self._store.outbox.all(self.secret.reveal())

    def drain(self, *, consumer: str = "queue", limit: int = 1000) -> list[Delivery]:
        """The in-process queue: events ``consumer`` has not taken yet, oldest first."""
        with self._store.transaction():
            return self._store.outbox.drain(self.secret.reveal(), consumer=consumer, limit=limit)

    def feed(self, *, replay: bool = False) -> Callable[[], list[tuple[Mapping[str, str], bytes]]]:
        """A private cursor over the events (for ``prorata listen``): each call, what is new."""
        position = 0 if replay else self._store.outbox.last_seq()

        def take() -> list[tuple[Mapping[str, str], bytes]]:
            nonlocal position
            position, found = self._store.outbox.since(self.secret.reveal(), position)
            return [(d.headers, d.body) for d in found]

        return take

    def add_endpoint(self, url: str, *, from_now: bool = True) -> None:
        """Deliver events to ``url`` by HTTP POST (see :meth:`deliver`)."""
        with self._store.transaction():
            self._store.outbox.add_endpoint(url, from_now=from_now)

    def endpoints(self) -> list[str]:
        return self._store.outbox.endpoints()

    def deliver(self, *, timeout: float = 5.0) -> int:
        """POST every pending event to every endpoint, in order; returns how many were accepted."""
        return self._store.outbox.deliver(self.secret.reveal(), timeout=timeout)

    def parse(self, headers: Mapping[str, str], body: bytes) -> BillingEvent:
        """Verify a delivery with ``standardwebhooks`` and read the event it carries."""
        try:
            verified: Any = standardwebhooks.Webhook(self.secret.reveal()).verify(body, dict(headers))
        except standardwebhooks.WebhookVerificationError as exc:
            raise WebhookVerificationError("local", str(exc)) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise WebhookVerificationError("local", f"unreadable delivery ({type(exc).__name__})") from None
        try:
            payload: dict[str, Any] = dict(verified)
            data: dict[str, Any] = dict(payload["data"])
            return BillingEvent(
                id=str(payload["id"]),
                provider="local",
                type=str(payload["type"]),
                provider_type=str(payload["type"]),
                occurred_at=datetime.fromisoformat(str(payload["timestamp"]).replace("Z", "+00:00")),
                subscription_id=data.get("subscription_id"),
                invoice_id=data.get("invoice_id"),
                customer_id=data.get("customer_id"),
                subscription=None
                if data.get("subscription") is None
                else structure(data["subscription"], Subscription),
                invoice=None if data.get("invoice") is None else structure(data["invoice"], Invoice),
                raw=payload,
            )
        except (KeyError, TypeError, ValueError) as exc:
            detail = json.dumps(type(exc).__name__)
            raise WebhookVerificationError("local", f"signed, but not a prorata event ({detail})") from None

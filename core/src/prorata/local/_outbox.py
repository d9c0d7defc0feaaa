"""The local provider's events: a transactional outbox, signed with Standard Webhooks.

Every subscription, invoice and refund write records its events in the same SQLite
transaction (an event exists exactly when its change committed). Consumers read them
in order, each from its own cursor: ``drain()`` for an in-process queue, ``deliver()``
POSTs them to registered endpoints (at least once: a failed POST is retried next time).
Bodies are signed when sent with ``standardwebhooks`` (https://www.standardwebhooks.com/),
the scheme Dodo Payments uses, so one verifier serves both.
"""

from __future__ import annotations

import base64
import contextlib
import json
import secrets
import sqlite3
import urllib.request
from collections.abc import Callable, Generator, Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

import attrs
import standardwebhooks

from prorata._event_types import EventType
from prorata._invoice import Invoice
from prorata._payments import Refund
from prorata._serialization import unstructure
from prorata._subscription import Subscription

__all__ = ["MAX_EVENTS", "OUTBOX_SCHEMA", "Delivery", "Outbox", "new_webhook_secret"]

MAX_EVENTS = 10_000
"""Events kept (oldest dropped first): retention stays bounded however long the database lives."""

OUTBOX_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS event_cursors (name TEXT PRIMARY KEY, seq INTEGER NOT NULL);
"""

Execute = Callable[[str, tuple[object, ...]], sqlite3.Cursor]


def new_webhook_secret() -> str:
    """A Standard Webhooks signing key: ``whsec_`` + base64 of 24 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


@attrs.frozen(kw_only=True, slots=True)
class Delivery:
    """One signed event as it goes over the wire (headers ``webhook-id/-timestamp/-signature``)."""

    id: str
    type: EventType = attrs.field(converter=EventType)
    headers: Mapping[str, str] = attrs.field(converter=lambda h: MappingProxyType(dict(h)))  # pyright: ignore[reportUnknownLambdaType, reportUnknownArgumentType]
    body: bytes = attrs.field(repr=False)


class Outbox:
    """Events of one local database. ``execute`` runs SQL inside the store's transaction."""

    def __init__(self, execute: Execute, next_id: Callable[[str], str], now: Callable[[], datetime]) -> None:
        self._execute = execute
        self._next_id = next_id
        self._now = now
        self._at: datetime | None = None

    @contextlib.contextmanager
    def occurring_at(self, moment: datetime) -> Generator[None]:
        """Events recorded in the block happened at ``moment`` (time-driven work runs before the
        clock is moved to it)."""
        previous, self._at = self._at, moment
        try:
            yield
        finally:
            self._at = previous

    # -- recording (inside the writer's transaction) ----------------------------------------

    def record(self, event_type: EventType, data: Mapping[str, Any]) -> str:
        event_id = self._next_id("evt")
        body = {
            "id": event_id,
            "type": event_type.value,
            "timestamp": (self._at or self._now()).isoformat().replace("+00:00", "Z"),
            "data": dict(data),
        }
        cursor = self._execute(
            "INSERT INTO events(id, type, body) VALUES (?, ?, ?)",
            (event_id, event_type.value, json.dumps(body, sort_keys=True, separators=(",", ":"))),
        )
        seq = int(cursor.lastrowid or 0)
        if seq > MAX_EVENTS:
            self._execute("DELETE FROM events WHERE seq <= ?", (seq - MAX_EVENTS,))
        return event_id

    def subscription(self, event_type: EventType, subscription: Subscription) -> None:
        self.record(
            event_type,
            {
                "subscription_id": subscription.id,
                "customer_id": subscription.customer_id,
                "subscription": unstructure(subscription),
            },
        )

    def invoice(self, event_type: EventType, invoice: Invoice, customer_id: str) -> None:
        self.record(
            event_type,
            {
                "subscription_id": invoice.subscription_id,
                "invoice_id": invoice.id,
                "customer_id": customer_id,
                "invoice": unstructure(invoice),
            },
        )

    def refund(self, refund: Refund, subscription_id: str | None, customer_id: str) -> None:
        self.record(
            EventType.REFUND_CREATED,
            {
                "subscription_id": subscription_id,
                "invoice_id": refund.invoice_id,
                "customer_id": customer_id,
                "refund": unstructure(refund),
            },
        )

    # -- reading -----------------------------------------------------------------------------

    def _cursor(self, name: str) -> int:
        row = self._execute("SELECT seq FROM event_cursors WHERE name = ?", (name,)).fetchone()
        return 0 if row is None else int(row[0])

    def _move(self, name: str, seq: int) -> None:
        self._execute(
            "INSERT INTO event_cursors(name, seq) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET seq = MAX(seq, excluded.seq)",
            (name, seq),
        )

    def _after(self, seq: int, limit: int) -> list[tuple[int, str, str, str]]:
        rows = self._execute(
            "SELECT seq, id, type, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?", (seq, limit)
        ).fetchall()
        return [(int(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]

    def all(self, secret: str) -> list[Delivery]:
        """Every retained event, oldest first, signed now (cursors unchanged)."""
        return [_signed(secret, i, t, b) for _, i, t, b in self._after(0, MAX_EVENTS)]

    def last_seq(self) -> int:
        row = self._execute("SELECT COALESCE(MAX(seq), 0) FROM events", ()).fetchone()
        return int(row[0])

    def since(self, secret: str, seq: int, *, limit: int = 1000) -> tuple[int, list[Delivery]]:
        """Events after ``seq`` (nothing is marked taken), and the position to read on from."""
        rows = self._after(seq, limit)
        return (rows[-1][0] if rows else seq), [_signed(secret, i, t, b) for _, i, t, b in rows]

    def drain(self, secret: str, *, consumer: str = "queue", limit: int = 1000) -> list[Delivery]:
        """Events ``consumer`` has not taken yet, oldest first; they are then taken."""
        rows = self._after(self._cursor(consumer), limit)
        if rows:
            self._move(consumer, rows[-1][0])
        return [_signed(secret, i, t, b) for _, i, t, b in rows]

    def add_endpoint(self, url: str, *, from_now: bool = True) -> None:
        """Register ``url`` (events from now on, or every retained one with ``from_now=False``)."""
        self._move(f"endpoint:{url}", self.last_seq() if from_now else 0)

    def endpoints(self) -> list[str]:
        rows = self._execute("SELECT name FROM event_cursors WHERE name LIKE 'endpoint:%' ORDER BY name", ())
        return [str(r[0]).removeprefix("endpoint:") for r in rows.fetchall()]

    def deliver(self, secret: str, *, timeout: float = 5.0) -> int:
        """POST pending events to every endpoint in order; returns how many were accepted.

        An endpoint that fails (no 2xx, unreachable) keeps its place: the same event is sent
        again on the next call, so receivers must dedupe (``Billing.process_event`` does).
        """
        sent = 0
        for url in self.endpoints():
            name = f"endpoint:{url}"
            for seq, event_id, kind, body in self._after(self._cursor(name), 1000):
                delivery = _signed(secret, event_id, kind, body)
                request = urllib.request.Request(
                    url, data=delivery.body, headers=dict(delivery.headers), method="POST"
                )
                try:
                    with urllib.request.urlopen(request, timeout=timeout) as response:
                        accepted = 200 <= response.status < 300
                except OSError:
                    accepted = False
                if not accepted:
                    break
                self._move(name, seq)
                sent += 1
        return sent


def _signed(secret: str, event_id: str, kind: str, body: str) -> Delivery:
    now = datetime.now(tz=UTC)
    signature = standardwebhooks.Webhook(secret).sign(msg_id=event_id, timestamp=now, data=body)
    headers = {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
    }
    return Delivery(id=event_id, type=kind, headers=headers, body=body.encode())

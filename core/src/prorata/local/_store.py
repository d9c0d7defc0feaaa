"""SQLite persistence of the local engine. Every change runs in one transaction."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Generator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import attrs

from prorata._calendar import utc_from_timestamp
from prorata._errors import NotFoundError, ProviderError, ProviderUnavailableError
from prorata._invoice import Invoice
from prorata._serialization import dumps, loads
from prorata.local._event_rules import invoice_events, subscription_event
from prorata.local._outbox import OUTBOX_SCHEMA, Outbox
from prorata.local._state import LocalState

__all__ = ["CustomerRow", "Store"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS customers (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    name TEXT,
    payment_method TEXT,
    balance INTEGER NOT NULL DEFAULT 0,
    currency TEXT
);
CREATE TABLE IF NOT EXISTS subscriptions (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    state TEXT NOT NULL,
    next_event_at INTEGER
);
CREATE INDEX IF NOT EXISTS subscriptions_next_event ON subscriptions(next_event_at);
CREATE TABLE IF NOT EXISTS invoices (
    id TEXT PRIMARY KEY,
    subscription_id TEXT,
    customer_id TEXT NOT NULL,
    created INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS invoices_subscription ON invoices(subscription_id, seq);
CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    result TEXT NOT NULL
);
"""


def database_error(path: str, exc: sqlite3.Error) -> ProviderError:
    """A SQLite failure as a typed error: locked or busy is retryable, anything else is not."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return ProviderUnavailableError(
            f"the local database {path} is locked by another process ({text}); nothing was changed",
            provider="local",
            code="database_locked",
            retry_after=0.5,
        )
    return ProviderError(
        f"the local database {path} failed: {type(exc).__name__}: {text}",
        provider="local",
        code="database_error",
    )


@attrs.frozen(kw_only=True, slots=True)
class CustomerRow:
    id: str
    email: str
    name: str | None
    payment_method: str | None
    balance: int
    currency: str | None


class Store:
    """A SQLite database holding customers, subscriptions, invoices and idempotency records."""

    def __init__(self, path: str | Path) -> None:
        self._path = str(path)
        self._lock = threading.RLock()
        self._depth = 0
        try:
            self._conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
            self._execute("PRAGMA foreign_keys = ON")
            if self._path != ":memory:":
                self._execute("PRAGMA journal_mode = WAL")
            self._conn.executescript(SCHEMA + OUTBOX_SCHEMA)
        except sqlite3.Error as exc:
            raise database_error(self._path, exc) from None
        self.outbox = Outbox(self._execute, self.next_id, self._event_time)
        """Events of every write, recorded in the write's own transaction."""

    def _event_time(self) -> datetime:
        moment = self.get_time()
        assert moment is not None
        return moment

    def _execute(self, sql: str, params: tuple[object, ...] = ()) -> sqlite3.Cursor:
        """Run one statement; the lock makes the shared connection safe across threads."""
        with self._lock:
            try:
                return self._conn.execute(sql, params)
            except sqlite3.Error as exc:
                raise database_error(self._path, exc) from None

    @property
    def path(self) -> str:
        return self._path

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def transaction(self) -> Generator[None]:
        """One atomic unit: everything inside commits together or not at all."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                with contextlib.suppress(ProviderError):
                    self._execute("ROLLBACK")
                raise
            else:
                self._execute("COMMIT")
            finally:
                self._depth = 0

    # -- meta -------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self._execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def next_id(self, prefix: str) -> str:
        counter = int(self.get_meta(f"seq:{prefix}") or "0") + 1
        self.set_meta(f"seq:{prefix}", str(counter))
        return f"{prefix}_{counter:06d}"

    def get_time(self) -> datetime | None:
        value = self.get_meta("now")
        return None if value is None else utc_from_timestamp(int(value))

    def set_time(self, moment: datetime) -> None:
        self.set_meta("now", str(int(moment.timestamp())))

    # -- customers --------------------------------------------------------------------------

    def insert_customer(self, row: CustomerRow) -> None:
        self._execute(
            "INSERT INTO customers(id, email, name, payment_method, balance, currency) VALUES (?, ?, ?, ?, ?, ?)",
            (row.id, row.email, row.name, row.payment_method, row.balance, row.currency),
        )

    def customer(self, customer_id: str) -> CustomerRow:
        row = self._execute(
            "SELECT id, email, name, payment_method, balance, currency FROM customers WHERE id = ?",
            (customer_id,),
        ).fetchone()
        if row is None:
            raise NotFoundError(
                f"no customer {customer_id}", provider="local", code="resource_missing", param="customer"
            )
        return CustomerRow(
            id=row[0], email=row[1], name=row[2], payment_method=row[3], balance=row[4], currency=row[5]
        )

    def update_customer(self, row: CustomerRow) -> None:
        self._execute(
            "UPDATE customers SET payment_method = ?, balance = ?, currency = ? WHERE id = ?",
            (row.payment_method, row.balance, row.currency, row.id),
        )

    # -- subscriptions ----------------------------------------------------------------------

    def put_state(self, state: LocalState, next_event_at: datetime | None) -> None:
        sub = state.subscription
        row = self._execute("SELECT state FROM subscriptions WHERE id = ?", (sub.id,)).fetchone()
        before = None if row is None else loads(row[0], LocalState)
        self._execute(
            "INSERT INTO subscriptions(id, customer_id, state, next_event_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET state = excluded.state, next_event_at = excluded.next_event_at",
            (
                sub.id,
                sub.customer_id,
                dumps(state),
                None if next_event_at is None else int(next_event_at.timestamp()),
            ),
        )
        event = subscription_event(before, state)
        if event is not None:
            self.outbox.subscription(event, sub)

    def state(self, subscription_id: str) -> LocalState:
        row = self._execute("SELECT state FROM subscriptions WHERE id = ?", (subscription_id,)).fetchone()
        if row is None:
            raise NotFoundError(
                f"no subscription {subscription_id}",
                provider="local",
                code="resource_missing",
                param="subscription",
            )
        return loads(row[0], LocalState)

    def states(self, customer_id: str | None = None) -> list[LocalState]:
        if customer_id is None:
            rows = self._execute("SELECT state FROM subscriptions ORDER BY id").fetchall()
        else:
            rows = self._execute(
                "SELECT state FROM subscriptions WHERE customer_id = ? ORDER BY id", (customer_id,)
            ).fetchall()
        return [loads(row[0], LocalState) for row in rows]

    def due(self, until: datetime) -> tuple[str, datetime] | None:
        """The subscription with the earliest event at or before ``until``."""
        row = self._execute(
            "SELECT id, next_event_at FROM subscriptions WHERE next_event_at IS NOT NULL AND next_event_at <= ? "
            "ORDER BY next_event_at, id LIMIT 1",
            (int(until.timestamp()),),
        ).fetchone()
        return None if row is None else (str(row[0]), utc_from_timestamp(int(row[1])))

    # -- invoices ---------------------------------------------------------------------------

    def put_invoice(self, invoice: Invoice, customer_id: str) -> None:
        seq = int(invoice.id.rsplit("_", 1)[-1])
        row = self._execute("SELECT data FROM invoices WHERE id = ?", (invoice.id,)).fetchone()
        before = None if row is None else loads(row[0], Invoice)
        self._execute(
            "INSERT INTO invoices(id, subscription_id, customer_id, created, seq, data) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET data = excluded.data",
            (
                invoice.id,
                invoice.subscription_id,
                customer_id,
                int(invoice.created.timestamp()),
                seq,
                dumps(invoice),
            ),
        )
        for event in invoice_events(before, invoice):
            self.outbox.invoice(event, invoice, customer_id)

    def invoice(self, invoice_id: str) -> Invoice:
        row = self._execute("SELECT data FROM invoices WHERE id = ?", (invoice_id,)).fetchone()
        if row is None:
            raise NotFoundError(
                f"no invoice {invoice_id}", provider="local", code="resource_missing", param="invoice"
            )
        return loads(row[0], Invoice)

    def invoices(self, subscription_id: str) -> list[Invoice]:
        rows = self._execute(
            "SELECT data FROM invoices WHERE subscription_id = ? ORDER BY seq", (subscription_id,)
        ).fetchall()
        return [loads(row[0], Invoice) for row in rows]

    # -- idempotency ------------------------------------------------------------------------

    def recall(self, key: str) -> tuple[str, str] | None:
        row = self._execute("SELECT fingerprint, result FROM idempotency WHERE key = ?", (key,)).fetchone()
        return None if row is None else (str(row[0]), str(row[1]))

    def remember(self, key: str, fingerprint: str, result: str) -> None:
        self._execute(
            "INSERT INTO idempotency(key, fingerprint, result) VALUES (?, ?, ?)", (key, fingerprint, result)
        )

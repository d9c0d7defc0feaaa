"""SQLite persistence of the local engine. Every change runs in one transaction."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Generator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import attrs

from prorata._calendar import utc_from_timestamp
from prorata._errors import NotFoundError, ProviderError, ProviderUnavailableError
from prorata._event_types import EventType
from prorata._invoice import Invoice
from prorata._listing import SubscriptionQuery
from prorata._serialization import dumps, loads
from prorata.local._event_rules import action_required, invoice_events, subscription_events
from prorata.local._outbox import OUTBOX_SCHEMA, Outbox
from prorata.local._state import LocalState

__all__ = ["SCHEMA_VERSION", "CustomerRow", "Store"]

SCHEMA_V1 = """
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
"""The first schema (databases written before ``PRAGMA user_version`` was set have it)."""

SCHEMA_V2 = """
ALTER TABLE subscriptions ADD COLUMN status TEXT;
UPDATE subscriptions SET status = json_extract(state, '$.subscription.status');
CREATE TABLE subscription_plans (
    subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
    plan TEXT NOT NULL,
    PRIMARY KEY (subscription_id, plan)
) WITHOUT ROWID;
INSERT OR IGNORE INTO subscription_plans(subscription_id, plan)
    SELECT subscriptions.id, json_extract(item.value, '$.plan')
    FROM subscriptions, json_each(subscriptions.state, '$.subscription.items') AS item;
DROP INDEX IF EXISTS subscriptions_next_event;
CREATE INDEX subscriptions_due ON subscriptions(next_event_at, id) WHERE next_event_at IS NOT NULL;
CREATE INDEX subscriptions_customer ON subscriptions(customer_id, id);
CREATE INDEX subscriptions_status ON subscriptions(status, id);
CREATE INDEX subscription_plans_plan ON subscription_plans(plan, subscription_id);
CREATE INDEX invoices_customer ON invoices(customer_id, seq);
"""
"""Indexes for every hot query: due events by ``(next_event_at, id)``, listing by customer,
status and plan (a plan table, since one subscription has several items), invoices by customer."""

MIGRATIONS: tuple[str, ...] = (SCHEMA_V1, SCHEMA_V2)
"""Schema step ``n`` brings a database from ``PRAGMA user_version`` n to n + 1."""
SCHEMA_VERSION = len(MIGRATIONS)


def _statements(script: str) -> list[str]:
    """Split a schema script into statements (none of ours has a ``;`` inside a literal)."""
    return [statement.strip() for statement in script.split(";") if statement.strip()]


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


def _subscription_row(state: LocalState, next_event_at: datetime | None) -> tuple[object, ...]:
    sub = state.subscription
    return (
        sub.id,
        sub.customer_id,
        dumps(state),
        None if next_event_at is None else int(next_event_at.timestamp()),
        sub.status.value,
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

    def __init__(self, path: str | Path, *, busy_timeout: float = 5.0) -> None:
        """``busy_timeout``: seconds a write waits for another process's lock before it
        fails with ``ProviderUnavailableError`` (code ``database_locked``, retryable)."""
        self._path = str(path)
        self._lock = threading.RLock()
        self._depth = 0
        try:
            self._conn = sqlite3.connect(
                self._path, isolation_level=None, check_same_thread=False, timeout=busy_timeout
            )
            self._execute("PRAGMA foreign_keys = ON")
            if self._path != ":memory:":
                self._execute("PRAGMA journal_mode = WAL")
            self._conn.executescript(OUTBOX_SCHEMA)
        except sqlite3.Error as exc:
            raise database_error(self._path, exc) from None
        self._migrate()
        self.outbox = Outbox(self._execute, self.next_id, self._event_time)
        """Events of every write, recorded in the write's own transaction."""

    def _event_time(self) -> datetime:
        moment = self.get_time()
        assert moment is not None
        return moment

    def _migrate(self) -> None:
        """Bring the schema to :data:`SCHEMA_VERSION`, one step per transaction.

        The version is read again inside each step's write lock, so two processes opening an
        old database at once migrate it once.
        """
        while self.schema_version() < SCHEMA_VERSION:
            with self.transaction():
                version = self.schema_version()
                if version >= SCHEMA_VERSION:
                    return
                for statement in _statements(MIGRATIONS[version]):
                    self._execute(statement)
                self._execute(f"PRAGMA user_version = {version + 1}")

    def schema_version(self) -> int:
        """The database's ``PRAGMA user_version`` (0 for a new file or one from before versions)."""
        return int(self._execute("PRAGMA user_version").fetchone()[0])

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

    def next_ids(self, prefix: str, count: int) -> list[str]:
        """``count`` consecutive new ids with one counter write (the bulk path)."""
        first = int(self.get_meta(f"seq:{prefix}") or "0") + 1
        self.set_meta(f"seq:{prefix}", str(first + count - 1))
        return [f"{prefix}_{counter:06d}" for counter in range(first, first + count)]

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

    def insert_customers(self, rows: Sequence[CustomerRow]) -> None:
        with self._lock:
            try:
                self._conn.executemany(
                    "INSERT INTO customers(id, email, name, payment_method, balance, currency) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [(r.id, r.email, r.name, r.payment_method, r.balance, r.currency) for r in rows],
                )
            except sqlite3.Error as exc:
                raise database_error(self._path, exc) from None

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
            "INSERT INTO subscriptions(id, customer_id, state, next_event_at, status) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET state = excluded.state, next_event_at = excluded.next_event_at, "
            "status = excluded.status",
            _subscription_row(state, next_event_at),
        )
        for event in subscription_events(before, state):
            self.outbox.subscription(event, sub)
        waiting = action_required(before, state)
        if waiting is not None:
            self.outbox.invoice(
                EventType.INVOICE_PAYMENT_ACTION_REQUIRED, self.invoice(waiting), sub.customer_id
            )
        plans = sorted({item.plan for item in sub.items})
        if before is None or sorted({item.plan for item in before.subscription.items}) != plans:
            self._execute("DELETE FROM subscription_plans WHERE subscription_id = ?", (sub.id,))
            for plan in plans:
                self._execute(
                    "INSERT INTO subscription_plans(subscription_id, plan) VALUES (?, ?)", (sub.id, plan)
                )

    def put_states(self, states: Sequence[tuple[LocalState, datetime | None]]) -> None:
        """Insert many new subscriptions at once (the bulk path: one ``executemany`` each table)."""
        with self._lock:
            try:
                self._conn.executemany(
                    "INSERT INTO subscriptions(id, customer_id, state, next_event_at, status) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [_subscription_row(state, at) for state, at in states],
                )
                self._conn.executemany(
                    "INSERT OR IGNORE INTO subscription_plans(subscription_id, plan) VALUES (?, ?)",
                    [
                        (state.subscription.id, item.plan)
                        for state, _ in states
                        for item in state.subscription.items
                    ],
                )
            except sqlite3.Error as exc:
                raise database_error(self._path, exc) from None
        for state, _ in states:
            for event in subscription_events(None, state):
                self.outbox.subscription(event, state.subscription)

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

    def states_page(self, query: SubscriptionQuery, *, after: str | None, limit: int) -> list[LocalState]:
        """Up to ``limit`` subscriptions matching ``query`` with an id after ``after``, by id.

        Keyset paging on the primary key: each page costs the same at any depth.
        """
        where, params = ["1 = 1"], list[object]()
        if query.customer_id is not None:
            where.append("customer_id = ?")
            params.append(query.customer_id)
        if query.statuses:
            where.append(f"status IN ({', '.join('?' * len(query.statuses))})")
            params.extend(status.value for status in query.statuses)
        if query.plans:
            where.append(
                "EXISTS (SELECT 1 FROM subscription_plans WHERE subscription_id = subscriptions.id "
                f"AND plan IN ({', '.join('?' * len(query.plans))}))"
            )
            params.extend(query.plans)
        if after is not None:
            where.append("id > ?")
            params.append(after)
        rows = self._execute(
            f"SELECT state FROM subscriptions WHERE {' AND '.join(where)} ORDER BY id LIMIT ?",
            (*params, limit),
        ).fetchall()
        return [loads(row[0], LocalState) for row in rows]

    def due(self, until: datetime, *, limit: int = 1) -> list[tuple[str, datetime]]:
        """Up to ``limit`` subscriptions with an event at or before ``until``, earliest first
        (ties by id), read straight off the ``(next_event_at, id)`` index."""
        rows = self._execute(
            "SELECT id, next_event_at FROM subscriptions WHERE next_event_at IS NOT NULL AND next_event_at <= ? "
            "ORDER BY next_event_at, id LIMIT ?",
            (int(until.timestamp()), limit),
        ).fetchall()
        return [(str(row[0]), utc_from_timestamp(int(row[1]))) for row in rows]

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
        """Every invoice of a subscription, oldest first."""
        rows = self._execute(
            "SELECT data FROM invoices WHERE subscription_id = ? ORDER BY seq", (subscription_id,)
        ).fetchall()
        return [loads(row[0], Invoice) for row in rows]

    def invoices_page(
        self,
        *,
        subscription_id: str | None,
        customer_id: str | None,
        after: int | None,
        limit: int,
        newest_first: bool = False,
    ) -> list[Invoice]:
        """Up to ``limit`` invoices of a subscription and/or customer past sequence ``after``."""
        where, params = ["1 = 1"], list[object]()
        if subscription_id is not None:
            where.append("subscription_id = ?")
            params.append(subscription_id)
        if customer_id is not None:
            where.append("customer_id = ?")
            params.append(customer_id)
        if after is not None:
            where.append("seq < ?" if newest_first else "seq > ?")
            params.append(after)
        order = "seq DESC" if newest_first else "seq"
        rows = self._execute(
            f"SELECT data FROM invoices WHERE {' AND '.join(where)} ORDER BY {order} LIMIT ?",
            (*params, limit),
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

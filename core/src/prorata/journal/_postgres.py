"""The PostgreSQL journal store (psycopg 3): for several workers or machines.

Leases are session advisory locks, so a worker that dies (even ``kill -9``) releases its
lease when PostgreSQL notices the closed connection.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from typing import Any

from prorata.journal._entry import EntryStatus, JournalEntry
from prorata.journal._errors import JournalBusyError, JournalError
from prorata.journal._rows import COLUMNS, entry_from_row, entry_params, now_text

__all__ = ["PostgresJournalStore", "hide_password"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS prorata_journal (
    seq BIGSERIAL PRIMARY KEY,
    change_id TEXT NOT NULL UNIQUE,
    operation TEXT NOT NULL,
    subscription_id TEXT,
    revision TEXT,
    request TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    proration_time TEXT,
    status TEXT NOT NULL,
    outcome TEXT,
    result_revision TEXT,
    error TEXT,
    attempts INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS prorata_journal_subscription ON prorata_journal(subscription_id, seq);
CREATE TABLE IF NOT EXISTS prorata_events (
    source TEXT NOT NULL,
    event_id TEXT NOT NULL,
    processed_at TEXT NOT NULL,
    PRIMARY KEY (source, event_id)
);
CREATE TABLE IF NOT EXISTS prorata_values (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"""


def hide_password(url: str) -> str:
    """``postgresql://user:***@host/db``: the URL without its password (safe to log)."""
    url = re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)
    return re.sub(r"(password=)[^&\s]+", r"\1***", url)


class PostgresJournalStore:
    """Journal entries in PostgreSQL tables created on first use (``prorata_*``)."""

    def __init__(self, dsn: str, *, connect_timeout: int = 10) -> None:
        self.url = hide_password(dsn)
        self._dsn = dsn
        self._timeout = connect_timeout
        self._lock = threading.RLock()
        self._idle: list[Any] = []
        self._held = threading.local()
        self._conn = self._connect()
        with self._lock:
            self._run("SELECT pg_advisory_lock(7238957)")
            try:
                self._conn.execute(SCHEMA)
            finally:
                self._run("SELECT pg_advisory_unlock(7238957)")

    def _connect(self) -> Any:
        try:
            import psycopg
        except ImportError as exc:
            raise JournalError(
                self.url, "PostgreSQL needs psycopg: pip install 'prorata[postgresql]'"
            ) from exc
        try:
            return psycopg.connect(self._dsn, autocommit=True, connect_timeout=self._timeout)
        except psycopg.Error as exc:
            raise JournalError(self.url, f"cannot connect ({type(exc).__name__})") from None

    def _run(self, sql: str, params: tuple[object, ...] = (), *, conn: Any = None) -> list[Any]:
        import psycopg

        with self._lock if conn is None else _nothing():
            try:
                cursor = (conn or self._conn).execute(sql, params)
                return list(cursor.fetchall()) if cursor.description is not None else []
            except psycopg.errors.LockNotAvailable as exc:
                raise JournalBusyError(self.url, f"lock not available ({exc.sqlstate})") from None
            except psycopg.Error as exc:
                raise JournalError(self.url, f"{type(exc).__name__} ({exc.sqlstate})") from None

    # -- leases -----------------------------------------------------------------------------

    def _lease_connection(self) -> Any:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return self._connect()

    @contextmanager
    def lease(self, name: str, *, timeout: float = 30.0) -> Generator[None]:
        held: dict[str, int] = self._held.__dict__.setdefault("names", {})
        if held.get(name):
            held[name] += 1
            try:
                yield
            finally:
                held[name] -= 1
            return
        conn = self._lease_connection()
        deadline = time.monotonic() + timeout
        pause = 0.002
        sql = "SELECT pg_try_advisory_lock(hashtextextended(%s, 0))"
        while not self._run(sql, (name,), conn=conn)[0][0]:
            if time.monotonic() >= deadline:
                self._give_back(conn)
                raise JournalBusyError(self.url, f"lease {name} is held by another worker")
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
        held[name] = 1
        try:
            yield
        finally:
            held.pop(name, None)
            try:
                self._run("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (name,), conn=conn)
                self._give_back(conn)
            except JournalError:
                conn.close()

    def _give_back(self, conn: Any) -> None:
        with self._lock:
            self._idle.append(conn)

    # -- entries ----------------------------------------------------------------------------

    def get(self, change_id: str) -> JournalEntry | None:
        rows = self._run(f"SELECT {COLUMNS} FROM prorata_journal WHERE change_id = %s", (change_id,))
        return entry_from_row(rows[0]) if rows else None

    def latest(self, subscription_id: str) -> JournalEntry | None:
        rows = self._run(
            f"SELECT {COLUMNS} FROM prorata_journal WHERE subscription_id = %s ORDER BY seq DESC LIMIT 1",
            (subscription_id,),
        )
        return entry_from_row(rows[0]) if rows else None

    def insert(self, entry: JournalEntry) -> JournalEntry:
        self._run(
            f"INSERT INTO prorata_journal({COLUMNS}) VALUES ({', '.join(['%s'] * 14)}) "
            "ON CONFLICT (change_id) DO NOTHING",
            entry_params(entry),
        )
        stored = self.get(entry.change_id)
        assert stored is not None
        return stored

    def finish(
        self,
        change_id: str,
        *,
        status: EntryStatus,
        outcome: str | None,
        result_revision: str | None,
        error: str | None,
    ) -> None:
        self._run(
            "UPDATE prorata_journal SET status = %s, outcome = %s, result_revision = %s, error = %s, "
            "updated_at = %s WHERE change_id = %s",
            (status.value, outcome, result_revision, error, now_text(), change_id),
        )

    def retry(self, change_id: str) -> None:
        self._run(
            "UPDATE prorata_journal SET status = 'pending', error = NULL, attempts = attempts + 1, "
            "updated_at = %s WHERE change_id = %s",
            (now_text(), change_id),
        )

    def entries(self, subscription_id: str | None = None) -> Iterator[JournalEntry]:
        if subscription_id is None:
            rows = self._run(f"SELECT {COLUMNS} FROM prorata_journal ORDER BY seq")
        else:
            rows = self._run(
                f"SELECT {COLUMNS} FROM prorata_journal WHERE subscription_id = %s ORDER BY seq",
                (subscription_id,),
            )
        return iter([entry_from_row(row) for row in rows])

    # -- events and values ------------------------------------------------------------------

    def mark_event(self, source: str, event_id: str) -> bool:
        rows = self._run(
            "INSERT INTO prorata_events(source, event_id, processed_at) VALUES (%s, %s, %s) "
            "ON CONFLICT DO NOTHING RETURNING event_id",
            (source, event_id, now_text()),
        )
        return bool(rows)

    def event_seen(self, source: str, event_id: str) -> bool:
        rows = self._run(
            "SELECT 1 FROM prorata_events WHERE source = %s AND event_id = %s", (source, event_id)
        )
        return bool(rows)

    def get_value(self, name: str) -> str | None:
        rows = self._run("SELECT value FROM prorata_values WHERE name = %s", (name,))
        return str(rows[0][0]) if rows else None

    def set_value(self, name: str, value: str) -> None:
        self._run(
            "INSERT INTO prorata_values(name, value, updated_at) VALUES (%s, %s, %s) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            (name, value, now_text()),
        )

    def close(self) -> None:
        with self._lock:
            for conn in [self._conn, *self._idle]:
                conn.close()
            self._idle.clear()

    def __repr__(self) -> str:
        return f"PostgresJournalStore({self.url!r})"


@contextmanager
def _nothing() -> Generator[None]:
    yield

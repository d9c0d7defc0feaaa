"""The SQLite journal store: one file (or memory), leases taken with ``BEGIN IMMEDIATE``."""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from prorata.journal._entry import EntryStatus, JournalEntry
from prorata.journal._errors import JournalBusyError, JournalError
from prorata.journal._rows import COLUMNS, entry_from_row, entry_params, now_text

__all__ = ["SQLiteJournalStore"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS prorata_journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
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
CREATE TABLE IF NOT EXISTS prorata_leases (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    expires REAL NOT NULL
);
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

_HOST = socket.gethostname()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class SQLiteJournalStore:
    """Journal entries in a SQLite file (WAL mode) or in memory (one process only).

    Leases are rows taken inside ``BEGIN IMMEDIATE`` transactions; a lease whose holder
    process is gone (same host) or whose ``ttl`` passed is taken over.
    """

    def __init__(
        self, path: str | Path = ":memory:", *, ttl: float = 120.0, busy_timeout: float = 5.0
    ) -> None:
        self.path = str(path)
        self.url = f"sqlite:{self.path}"
        self.ttl = ttl
        self._lock = threading.RLock()
        self._held = threading.local()
        try:
            self._conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=busy_timeout
            )
            if self.path != ":memory:":
                self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.executescript(SCHEMA)
        except sqlite3.Error as exc:
            raise self._wrap(exc) from None

    # -- plumbing ---------------------------------------------------------------------------

    def _wrap(self, exc: sqlite3.Error) -> JournalError:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return JournalBusyError(self.url, f"database is locked ({text})")
        return JournalError(self.url, f"{type(exc).__name__}: {text}")

    def _run(self, sql: str, params: tuple[object, ...] = ()) -> list[Any]:
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise self._wrap(exc) from None

    @contextmanager
    def _immediate(self) -> Generator[None]:
        with self._lock:
            self._run("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._run("ROLLBACK")
                raise
            self._run("COMMIT")

    # -- leases -----------------------------------------------------------------------------

    def _try_take(self, name: str, owner: str) -> bool:
        with self._immediate():
            rows = self._run("SELECT host, pid, expires FROM prorata_leases WHERE name = ?", (name,))
            if rows:
                host, pid, expires = str(rows[0][0]), int(rows[0][1]), float(rows[0][2])
                abandoned = expires < time.time() or (host == _HOST and not _alive(pid))
                if not abandoned:
                    return False
            self._run(
                "INSERT INTO prorata_leases(name, owner, host, pid, expires) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, host = excluded.host, "
                "pid = excluded.pid, expires = excluded.expires",
                (name, owner, _HOST, os.getpid(), time.time() + self.ttl),
            )
            return True

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
        owner = uuid.uuid4().hex
        deadline = time.monotonic() + timeout
        pause = 0.002
        while True:
            try:
                if self._try_take(name, owner):
                    break
            except JournalBusyError:
                pass
            if time.monotonic() >= deadline:
                raise JournalBusyError(self.url, f"lease {name} is held by another worker")
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
        held[name] = 1
        try:
            yield
        finally:
            held.pop(name, None)
            self._release(name, owner)

    def _release(self, name: str, owner: str) -> None:
        for _ in range(200):
            try:
                self._run("DELETE FROM prorata_leases WHERE name = ? AND owner = ?", (name, owner))
                return
            except JournalBusyError:
                time.sleep(0.01)
        # Left behind: it expires after ``ttl`` (or is taken over when this process ends).

    # -- entries ----------------------------------------------------------------------------

    def get(self, change_id: str) -> JournalEntry | None:
        rows = self._run(f"SELECT {COLUMNS} FROM prorata_journal WHERE change_id = ?", (change_id,))
        return entry_from_row(rows[0]) if rows else None

    def latest(self, subscription_id: str) -> JournalEntry | None:
        rows = self._run(
            f"SELECT {COLUMNS} FROM prorata_journal WHERE subscription_id = ? ORDER BY seq DESC LIMIT 1",
            (subscription_id,),
        )
        return entry_from_row(rows[0]) if rows else None

    def insert(self, entry: JournalEntry) -> JournalEntry:
        self._run(
            f"INSERT INTO prorata_journal({COLUMNS}) VALUES ({', '.join('?' * 14)}) "
            "ON CONFLICT(change_id) DO NOTHING",
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
            "UPDATE prorata_journal SET status = ?, outcome = ?, result_revision = ?, error = ?, "
            "updated_at = ? WHERE change_id = ?",
            (status.value, outcome, result_revision, error, now_text(), change_id),
        )

    def retry(self, change_id: str) -> None:
        self._run(
            "UPDATE prorata_journal SET status = 'pending', error = NULL, attempts = attempts + 1, "
            "updated_at = ? WHERE change_id = ?",
            (now_text(), change_id),
        )

    def entries(self, subscription_id: str | None = None) -> Iterator[JournalEntry]:
        if subscription_id is None:
            rows = self._run(f"SELECT {COLUMNS} FROM prorata_journal ORDER BY seq")
        else:
            rows = self._run(
                f"SELECT {COLUMNS} FROM prorata_journal WHERE subscription_id = ? ORDER BY seq",
                (subscription_id,),
            )
        return iter([entry_from_row(row) for row in rows])

    # -- events and values ------------------------------------------------------------------

    def mark_event(self, source: str, event_id: str) -> bool:
        with self._immediate():
            rows = self._run(
                "INSERT INTO prorata_events(source, event_id, processed_at) VALUES (?, ?, ?) "
                "ON CONFLICT DO NOTHING RETURNING event_id",
                (source, event_id, now_text()),
            )
        return bool(rows)

    def event_seen(self, source: str, event_id: str) -> bool:
        rows = self._run("SELECT 1 FROM prorata_events WHERE source = ? AND event_id = ?", (source, event_id))
        return bool(rows)

    def get_value(self, name: str) -> str | None:
        rows = self._run("SELECT value FROM prorata_values WHERE name = ?", (name,))
        return str(rows[0][0]) if rows else None

    def set_value(self, name: str, value: str) -> None:
        self._run(
            "INSERT INTO prorata_values(name, value, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            (name, value, now_text()),
        )

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __repr__(self) -> str:
        return f"SQLiteJournalStore({self.path!r})"

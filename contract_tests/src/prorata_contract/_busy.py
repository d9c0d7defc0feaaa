"""SQLite busy faults: another connection takes a SQLite file's write lock for a moment.

What another process does to a local database (the local provider's, which also holds its
change journal): ``BEGIN IMMEDIATE``, work for a moment, ``COMMIT``. A write that meets the
lock waits for the busy timeout, then fails with a typed, retryable error (the local engine's
``ProviderUnavailableError`` with code ``database_locked``, the journal's
``JournalBusyError``); one that meets a shorter hold just waits.

The lock is real; only its moments are chosen, at seeded random, at the two points that
matter: right after the journal recorded a change's intent (the engine's write meets it:
busy before the commit) and right before the journal records its outcome (the change is
committed, the record of it meets the lock: busy after the commit).
"""

from __future__ import annotations

import random
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prorata import Billing
from prorata.journal import Journal, JournalEntry, SQLiteJournalStore
from prorata.local import LocalProvider
from prorata_contract._catalog import contract_catalog

__all__ = ["BUSY_TIMEOUT", "SQLiteBusy", "local_busy_workers"]

BUSY_TIMEOUT = 0.05
"""Seconds a write waits for a lock before its typed error (SQLite's busy timeout; default 5)."""

HOLDS = (0.01, 0.2)
"""How long a hold lasts: shorter than the busy timeout (the write waits), or longer (it fails)."""


class SQLiteBusy:
    """Takes the write lock of ``path`` from its own connection with probability ``chance``
    at each point offered (:meth:`maybe_hold`) while enabled, for one of :data:`HOLDS`."""

    def __init__(self, path: str | Path, *, chance: float = 0.3, seed: int = 1) -> None:
        self.path = str(path)
        self.chance = chance
        self.holds = 0
        """How many times the lock was taken."""
        self.enabled = False
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._release: threading.Timer | None = None

    def start(self) -> None:
        self.enabled = True

    def stop(self) -> None:
        """No more holds; the one in progress ends first."""
        self.enabled = False
        release = self._release
        if release is not None:
            release.join()
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def maybe_hold(self) -> None:
        """Perhaps take the lock now (it is held when this returns) and release it later."""
        with self._lock:
            if not self.enabled or self._release is not None or self._random.random() >= self.chance:
                return
            seconds = self._random.choice(HOLDS)
            if self._connection is None:
                self._connection = sqlite3.connect(
                    self.path, isolation_level=None, timeout=30.0, check_same_thread=False
                )
            self._connection.execute("BEGIN IMMEDIATE")
            self.holds += 1
            self._release = threading.Timer(seconds, self._commit)
            self._release.start()

    def _commit(self) -> None:
        with self._lock:
            assert self._connection is not None
            self._connection.execute("COMMIT")
            self._release = None


class _BusyMoments(SQLiteJournalStore):
    """The SQLite journal store, offering ``busy`` its moments around each change."""

    def __init__(self, path: str | Path, busy: SQLiteBusy) -> None:
        super().__init__(path, busy_timeout=BUSY_TIMEOUT)
        self._busy = busy

    def insert(self, entry: JournalEntry) -> JournalEntry:
        stored = super().insert(entry)
        self._busy.maybe_hold()  # the provider's write comes next
        return stored

    def finish(self, change_id: str, **outcome: Any) -> None:
        self._busy.maybe_hold()  # the change is committed; its record meets the lock
        super().finish(change_id, **outcome)


def local_busy_workers(database: str | Path, busy: SQLiteBusy) -> Callable[[], Billing]:
    """Billings that stand for separate processes on one local database (its change journal
    inside), each on its own connections, waiting :data:`BUSY_TIMEOUT` for a lock."""
    catalog = contract_catalog()

    def make() -> Billing:
        provider = LocalProvider(catalog, database=database, busy_timeout=BUSY_TIMEOUT)
        return Billing(provider=provider, catalog=catalog, journal=Journal(_BusyMoments(database, busy)))

    return make

"""What a journal store provides (SQLite and PostgreSQL implement it)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Protocol, runtime_checkable

from prorata.journal._entry import EntryStatus, JournalEntry

__all__ = ["JournalStore"]


@runtime_checkable
class JournalStore(Protocol):
    """Durable storage of journal entries, leases, processed events and progress values."""

    url: str
    """Where the store lives, with any password hidden (safe to log)."""

    def lease(self, name: str, *, timeout: float) -> AbstractContextManager[None]:
        """Hold the exclusive lease ``name`` (e.g. ``subscription:sub_1``) for the block.

        Raises ``JournalBusyError`` when another holder keeps it longer than ``timeout`` seconds.
        A holder that dies (even ``kill -9``) releases it.
        """
        ...

    def get(self, change_id: str) -> JournalEntry | None: ...

    def latest(self, subscription_id: str) -> JournalEntry | None:
        """The most recent entry of a subscription."""
        ...

    def insert(self, entry: JournalEntry) -> JournalEntry:
        """Store ``entry`` unless one with its ``change_id`` exists; returns the stored one."""
        ...

    def finish(
        self,
        change_id: str,
        *,
        status: EntryStatus,
        outcome: str | None,
        result_revision: str | None,
        error: str | None,
    ) -> None: ...

    def retry(self, change_id: str) -> None:
        """Count one more attempt of a recorded change (back to ``PENDING``)."""
        ...

    def entries(self, subscription_id: str | None = None) -> Iterator[JournalEntry]:
        """Every entry (of one subscription), oldest first."""
        ...

    def mark_event(self, source: str, event_id: str) -> bool:
        """Remember event ``event_id`` from ``source``; False when it was already remembered."""
        ...

    def event_seen(self, source: str, event_id: str) -> bool: ...

    def get_value(self, name: str) -> str | None: ...

    def set_value(self, name: str, value: str) -> None: ...

    def close(self) -> None: ...

"""The Journal: what ``Billing`` (and other modules) use to make changes exactly once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path

from prorata.journal._entry import EntryStatus, JournalEntry
from prorata.journal._store import JournalStore

__all__ = ["Journal"]

_POSTGRES = ("postgresql://", "postgres://")


class Journal:
    """Intent and outcome of every mutating call, per-subscription leases, processed event ids
    and small progress values, in one store (SQLite or PostgreSQL).

    Build it with :meth:`open`; see the package docstring for the whole interface.
    """

    def __init__(self, store: JournalStore, *, lease_timeout: float = 30.0) -> None:
        self.store = store
        self.lease_timeout = lease_timeout

    @classmethod
    def open(cls, target: str | Path | None = None, *, lease_timeout: float = 30.0) -> Journal:
        """Open the store ``target`` names.

        ``None`` or ``":memory:"``: a private in-memory SQLite store (one process only);
        ``"postgresql://..."``: PostgreSQL; ``"sqlite:///path"`` or a plain path: a SQLite file.
        """
        text = ":memory:" if target is None else str(target)
        if text.startswith(_POSTGRES):
            from prorata.journal._postgres import PostgresJournalStore

            return cls(PostgresJournalStore(text), lease_timeout=lease_timeout)
        from prorata.journal._sqlite import SQLiteJournalStore

        path = text.removeprefix("sqlite:///").removeprefix("sqlite://").removeprefix("sqlite:")
        return cls(SQLiteJournalStore(path or ":memory:"), lease_timeout=lease_timeout)

    @property
    def durable(self) -> bool:
        """Whether records outlive the process (a file or PostgreSQL, not ``:memory:``)."""
        return not self.store.url.endswith(":memory:")

    @property
    def url(self) -> str:
        """Where the journal lives (passwords hidden)."""
        return self.store.url

    # -- leases -----------------------------------------------------------------------------

    def lease(self, subscription_id: str) -> AbstractContextManager[None]:
        """Hold the subscription's lease: other workers changing it wait (then ``JournalBusyError``)."""
        return self.store.lease(f"subscription:{subscription_id}", timeout=self.lease_timeout)

    def named_lease(self, name: str) -> AbstractContextManager[None]:
        """Hold any named lease (e.g. ``customer:cus_1`` around a subscribe)."""
        return self.store.lease(name, timeout=self.lease_timeout)

    # -- changes ----------------------------------------------------------------------------

    def find(self, change_id: str) -> JournalEntry | None:
        return self.store.get(change_id)

    def latest(self, subscription_id: str) -> JournalEntry | None:
        """The subscription's most recent entry (recognises a retry of the last change)."""
        return self.store.latest(subscription_id)

    def entries(self, subscription_id: str | None = None) -> Iterator[JournalEntry]:
        return self.store.entries(subscription_id)

    def record_intent(
        self,
        change_id: str,
        *,
        operation: str,
        subscription_id: str | None,
        revision: str | None,
        request: str,
        fingerprint: str,
        proration_time: datetime | None = None,
    ) -> JournalEntry:
        """Record that ``change_id`` is about to be sent; an existing record is returned as is
        (a ``FAILED`` one is re-armed as ``PENDING`` with one more attempt)."""
        stored = self.store.insert(
            JournalEntry(
                change_id=change_id,
                operation=operation,
                subscription_id=subscription_id,
                revision=revision,
                request=request,
                fingerprint=fingerprint,
                proration_time=proration_time,
            )
        )
        if stored.status is EntryStatus.FAILED:
            self.store.retry(change_id)
            stored = self.store.get(change_id) or stored
        return stored

    def record_applied(self, change_id: str, outcome: str, *, result_revision: str | None) -> None:
        """The provider confirmed the change; ``outcome`` is the JSON of its result."""
        self.store.finish(
            change_id,
            status=EntryStatus.APPLIED,
            outcome=outcome,
            result_revision=result_revision,
            error=None,
        )

    def record_failed(self, change_id: str, error: str) -> None:
        """The provider refused the change (nothing was applied)."""
        self.store.finish(
            change_id, status=EntryStatus.FAILED, outcome=None, result_revision=None, error=error
        )

    # -- processed webhook events -----------------------------------------------------------

    def mark_event_processed(self, source: str, event_id: str) -> bool:
        """Remember a processed event; False when ``(source, event_id)`` was already processed."""
        return self.store.mark_event(source, event_id)

    def event_processed(self, source: str, event_id: str) -> bool:
        return self.store.event_seen(source, event_id)

    # -- progress values --------------------------------------------------------------------

    def get_progress(self, name: str) -> str | None:
        """A stored progress value (e.g. a migration's last handled id), or None."""
        return self.store.get_value(name)

    def set_progress(self, name: str, value: str) -> None:
        self.store.set_value(name, value)

    def close(self) -> None:
        self.store.close()

    def __repr__(self) -> str:
        return f"Journal({self.url!r})"

"""The Journal: what ``Billing`` (and other modules) use to make changes exactly once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path

import attrs

from prorata.journal._default import default_journal_path
from prorata.journal._entry import EntryStatus, JournalEntry
from prorata.journal._errors import JournalError
from prorata.journal._store import JournalStore

__all__ = ["Journal"]

_POSTGRES = ("postgresql://", "postgres://")


class Journal:
    """Intent and outcome of every mutating call, per-subscription leases, processed event ids
    and small progress values, in one store (SQLite or PostgreSQL).

    Build it with :meth:`open`; see the package docstring for the whole interface.
    """

    def __init__(
        self,
        store: JournalStore,
        *,
        lease_timeout: float = 30.0,
        namespace: str | Callable[[], str] | None = None,
    ) -> None:
        self.store = store
        self.lease_timeout = lease_timeout
        self._namespace = namespace
        self._prefix: str | None = None if callable(namespace) else f"{namespace}/" if namespace else ""
        self._prefix_lock = threading.Lock()

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

    @classmethod
    def default(cls, *, lease_timeout: float = 30.0) -> Journal:
        """The SQLite file in the user's data directory (``default_journal_path``), created
        with its folder if needed: what a configuration without ``journal`` uses for every
        provider but ``local`` (which keeps its journal in its own database)."""
        path = default_journal_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise JournalError(
                f"sqlite:{path}", f'cannot create {path.parent} ({exc.strerror}); set journal = "..."'
            ) from None
        return cls.open(path, lease_timeout=lease_timeout)

    def scoped(self, namespace: str | Callable[[], str]) -> Journal:
        """The same store seen through ``namespace`` (e.g. a provider account): every change
        id, subscription id, lease, event source and progress name is kept apart per
        namespace, so two accounts sharing one store never find each other's records.

        A callable is called once, at the first use (it may ask the provider).
        """
        return Journal(self.store, lease_timeout=self.lease_timeout, namespace=namespace)

    @property
    def namespace(self) -> str:
        """The namespace every key is kept under ("" for none); resolves it if needed."""
        return self._keyed("").removesuffix("/")

    def _keyed(self, name: str) -> str:
        if self._prefix is None:
            with self._prefix_lock:
                if self._prefix is None:
                    assert callable(self._namespace)
                    resolved = self._namespace()  # not cached when it raises: the next use asks again
                    self._prefix = f"{resolved}/" if resolved else ""
        return self._prefix + name

    def _unkeyed(self, entry: JournalEntry) -> JournalEntry:
        """``entry`` as its namespace's caller wrote it (the prefix taken off)."""
        if not self._prefix:
            return entry
        sub = entry.subscription_id
        return attrs.evolve(
            entry,
            change_id=entry.change_id.removeprefix(self._prefix),
            subscription_id=None if sub is None else sub.removeprefix(self._prefix),
        )

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
        return self.named_lease(f"subscription:{subscription_id}")

    def named_lease(self, name: str) -> AbstractContextManager[None]:
        """Hold any named lease (e.g. ``customer:cus_1`` around a subscribe)."""
        return self.store.lease(self._keyed(name), timeout=self.lease_timeout)

    # -- changes ----------------------------------------------------------------------------

    def find(self, change_id: str) -> JournalEntry | None:
        found = self.store.get(self._keyed(change_id))
        return None if found is None else self._unkeyed(found)

    def latest(self, subscription_id: str) -> JournalEntry | None:
        """The subscription's most recent entry (recognises a retry of the last change)."""
        found = self.store.latest(self._keyed(subscription_id))
        return None if found is None else self._unkeyed(found)

    def entries(self, subscription_id: str | None = None) -> Iterator[JournalEntry]:
        """Every entry of this namespace (of one subscription), oldest first."""
        prefix = self._keyed("")
        found = self.store.entries(None if subscription_id is None else prefix + subscription_id)
        for entry in found:
            if entry.change_id.startswith(prefix):
                yield self._unkeyed(entry)

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
        key = self._keyed(change_id)
        stored = self.store.insert(
            JournalEntry(
                change_id=key,
                operation=operation,
                subscription_id=None if subscription_id is None else self._keyed(subscription_id),
                revision=revision,
                request=request,
                fingerprint=fingerprint,
                proration_time=proration_time,
            )
        )
        if stored.status is EntryStatus.FAILED:
            self.store.retry(key)
            stored = self.store.get(key) or stored
        return self._unkeyed(stored)

    def record_applied(self, change_id: str, outcome: str, *, result_revision: str | None) -> None:
        """The provider confirmed the change; ``outcome`` is the JSON of its result."""
        self.store.finish(
            self._keyed(change_id),
            status=EntryStatus.APPLIED,
            outcome=outcome,
            result_revision=result_revision,
            error=None,
        )

    def record_failed(self, change_id: str, error: str) -> None:
        """The provider refused the change (nothing was applied)."""
        self.store.finish(
            self._keyed(change_id), status=EntryStatus.FAILED, outcome=None, result_revision=None, error=error
        )

    # -- processed webhook events -----------------------------------------------------------

    def mark_event_processed(self, source: str, event_id: str) -> bool:
        """Remember a processed event; False when ``(source, event_id)`` was already processed."""
        return self.store.mark_event(self._keyed(source), event_id)

    def event_processed(self, source: str, event_id: str) -> bool:
        return self.store.event_seen(self._keyed(source), event_id)

    # -- progress values --------------------------------------------------------------------

    def get_progress(self, name: str) -> str | None:
        """A stored progress value (e.g. a migration's last handled id), or None."""
        return self.store.get_value(self._keyed(name))

    def set_progress(self, name: str, value: str) -> None:
        self.store.set_value(self._keyed(name), value)

    def close(self) -> None:
        self.store.close()

    def __repr__(self) -> str:
        return f"Journal({self.url!r})"

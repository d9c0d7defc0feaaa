"""The change journal: exactly-once changes under retries, restarts and several workers.

``Billing`` records every mutating call here: before calling the provider it stores the
*intent* (a stable change id, the subscription and its revision, the request, the proration
time), after the call the *outcome*. A retry with the same preview, the same explicit
idempotency key or the same change id finds the record and returns the change that already
happened (reconciling with the provider when the outcome was never recorded) instead of
applying it again or failing.

Stores (``journal = ...`` in the configuration, or :meth:`Journal.open`):

* SQLite (default): the local provider's own database file when that is the provider, else
  :meth:`Journal.default`, ``journal.sqlite3`` in the user's data directory
  (:func:`default_journal_path`, ``$PRORATA_DATA_DIR`` overrides it), or
  ``journal = "/var/lib/app/prorata-journal.sqlite3"``; ``journal = ":memory:"`` (and
  ``Billing(...)`` built without one) keeps it in memory, for tests.
* PostgreSQL through psycopg 3 (``pip install 'prorata[postgresql]'``):
  ``journal = "postgresql://user@host/db"``. Point every worker and machine at one database.

Interface (stable; other modules build on it):

* ``Journal.open(target)``, ``Journal.default()``, ``journal.close()``, ``journal.url``
  (password hidden).
* Namespaces: ``journal.scoped(namespace)`` is the same store with every key (change and
  subscription ids, leases, event sources, progress names) kept under ``namespace``;
  ``Billing`` scopes a durable journal by the provider's account (``AccountProvider``).
* Leases: ``with journal.lease(subscription_id): ...`` serialises check, provider call and
  record per subscription across threads, processes and machines; ``journal.named_lease(name)``
  for anything else (``Billing`` uses ``customer:<id>`` around a subscribe). A lease held
  longer than the timeout raises :class:`JournalBusyError`; a dead holder releases it.
* Changes: ``record_intent(change_id, operation=..., subscription_id=..., revision=...,
  request=json, fingerprint=..., proration_time=...)`` returns the stored
  :class:`JournalEntry` (an existing one unchanged), then ``record_applied(change_id,
  outcome_json, result_revision=...)`` or ``record_failed(change_id, reason)``;
  ``find(change_id)``, ``latest(subscription_id)``, ``entries(subscription_id=None)``.
* Processed webhook events: ``mark_event_processed(source, event_id) -> bool`` (False when it
  was already processed: a replay), ``event_processed(source, event_id) -> bool``.
* Progress values (e.g. a migration's position): ``get_progress(name) -> str | None``,
  ``set_progress(name, value)``.

Errors: :class:`JournalError` (store unreachable or broken) and :class:`JournalBusyError`
(lease or database busy; retry later with the same key), both ``BillingError``.
"""

from prorata.journal._default import DATA_DIR_ENV, default_journal_path
from prorata.journal._entry import EntryStatus, JournalEntry
from prorata.journal._errors import JournalBusyError, JournalError
from prorata.journal._journal import Journal
from prorata.journal._postgres import PostgresJournalStore
from prorata.journal._sqlite import SQLiteJournalStore
from prorata.journal._store import JournalStore

__all__ = [
    "DATA_DIR_ENV",
    "EntryStatus",
    "Journal",
    "JournalBusyError",
    "JournalEntry",
    "JournalError",
    "JournalStore",
    "PostgresJournalStore",
    "SQLiteJournalStore",
    "default_journal_path",
]

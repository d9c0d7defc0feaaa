"""Row <-> JournalEntry conversion shared by the SQL stores."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from prorata.journal._entry import EntryStatus, JournalEntry

__all__ = ["COLUMNS", "entry_from_row", "entry_params", "now_text"]

COLUMNS = (
    "change_id, operation, subscription_id, revision, request, fingerprint, proration_time, "
    "status, outcome, result_revision, error, attempts, created_at, updated_at"
)


def now_text() -> str:
    return datetime.now(UTC).isoformat()


def _time(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromisoformat(str(value)).astimezone(UTC)


def entry_from_row(row: Sequence[Any]) -> JournalEntry:
    return JournalEntry(
        change_id=str(row[0]),
        operation=str(row[1]),
        subscription_id=None if row[2] is None else str(row[2]),
        revision=None if row[3] is None else str(row[3]),
        request=str(row[4]),
        fingerprint=str(row[5]),
        proration_time=_time(row[6]),
        status=EntryStatus(str(row[7])),
        outcome=None if row[8] is None else str(row[8]),
        result_revision=None if row[9] is None else str(row[9]),
        error=None if row[10] is None else str(row[10]),
        attempts=int(row[11]),
        created_at=_time(row[12]),
        updated_at=_time(row[13]),
    )


def entry_params(entry: JournalEntry) -> tuple[object, ...]:
    stamp = now_text()
    return (
        entry.change_id,
        entry.operation,
        entry.subscription_id,
        entry.revision,
        entry.request,
        entry.fingerprint,
        None if entry.proration_time is None else entry.proration_time.isoformat(),
        entry.status.value,
        entry.outcome,
        entry.result_revision,
        entry.error,
        entry.attempts,
        stamp,
        stamp,
    )

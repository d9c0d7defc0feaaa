"""One journal record: the intent of a mutating call and, once known, its outcome."""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

__all__ = ["EntryStatus", "JournalEntry"]


class EntryStatus(enum.StrEnum):
    """Where a recorded change stands."""

    PENDING = "pending"
    """Intent recorded; the provider call may or may not have happened (reconcile on retry)."""
    APPLIED = "applied"
    """The provider confirmed the change; ``outcome`` holds the result."""
    FAILED = "failed"
    """The provider refused the change; nothing was applied (a retry tries again)."""


@attrs.frozen(kw_only=True, slots=True)
class JournalEntry:
    """A recorded mutating call.

    ``request`` and ``outcome`` are JSON texts (``prorata.dumps`` of the domain objects), so a
    record written by one process can be read and replayed by another.
    """

    change_id: str
    """Stable id of the change: the idempotency key sent to the provider."""
    operation: str
    """``change``, ``subscribe``, ``cancel``, ``unschedule`` or a name another module chose."""
    subscription_id: str | None
    """The subscription acted on (None before it exists, e.g. ``subscribe``)."""
    revision: str | None
    """The subscription's revision when the intent was recorded."""
    request: str
    """JSON of everything needed to replay the call."""
    fingerprint: str
    """Digest of the operation and what it asks for (same request, same fingerprint)."""
    proration_time: datetime | None = None
    status: EntryStatus = EntryStatus.PENDING
    outcome: str | None = None
    """JSON of the result once applied."""
    result_revision: str | None = None
    """The subscription's revision after the change (recognises a retry of the last change)."""
    error: str | None = None
    """Why the provider refused it (``FAILED`` only)."""
    attempts: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None

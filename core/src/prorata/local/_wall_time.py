"""The wall-clock time the local engine starts or follows (its own clock lives in the database)."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["now_utc"]


def now_utc() -> datetime:
    """The wall clock in UTC, truncated to the second (billing is to the second)."""
    return datetime.now(tz=UTC).replace(microsecond=0)

"""The local provider's clock: virtual time that only moves when told to (or with the wall)."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["now_utc"]


def now_utc() -> datetime:
    """The wall clock in UTC, truncated to the second (billing is to the second)."""
    return datetime.now(tz=UTC).replace(microsecond=0)

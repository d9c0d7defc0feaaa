"""Idempotency records: a retry with the same key gets the first answer, for 24 hours.

Stripe: keys "are eligible to be removed from the system automatically after they're at least
24 hours old, and a new request is generated if a key is reused after the original has been
pruned" (https://docs.stripe.com/api/idempotent_requests). The emulator prunes them at exactly
24 hours of its own clock (the wall clock: test clocks move customers' time, not the account's),
so the records stay bounded by a day of requests.
"""

from __future__ import annotations

import collections
from collections.abc import Mapping

import attrs

__all__ = ["KEPT_SECONDS", "IdempotencyRecords", "Record"]

KEPT_SECONDS = 24 * 3600


@attrs.frozen(kw_only=True, slots=True)
class Record:
    """The first answer to a key: the request's fingerprint, and what it was answered."""

    fingerprint: str
    status: int
    body: bytes
    headers: Mapping[str, str]
    at: int
    """When it was answered (Unix seconds on the emulator's clock)."""


@attrs.define
class IdempotencyRecords:
    """Records by key, oldest first; reading prunes those at least ``kept_seconds`` old."""

    kept_seconds: int = KEPT_SECONDS
    _records: collections.OrderedDict[str, Record] = attrs.field(
        factory=lambda: collections.OrderedDict[str, Record]()
    )

    def get(self, key: str, now: int) -> Record | None:
        """The record of ``key`` still kept at ``now``, if any."""
        while self._records:
            oldest = next(iter(self._records.values()))
            if now - oldest.at < self.kept_seconds:
                break
            self._records.popitem(last=False)
        return self._records.get(key)

    def put(self, key: str, record: Record) -> None:
        self._records[key] = record
        self._records.move_to_end(key)

    def __len__(self) -> int:
        return len(self._records)

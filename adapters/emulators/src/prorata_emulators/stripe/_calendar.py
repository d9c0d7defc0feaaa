"""Billing periods in Unix seconds, anchored like Stripe (month-end clamping from the anchor)."""

from __future__ import annotations

from datetime import UTC, datetime

from prorata.provider import Interval, IntervalUnit, add_intervals
from prorata_emulators.stripe._store import JSON

__all__ = ["interval_of", "shift"]


def interval_of(price: JSON) -> Interval:
    recurring = price["recurring"]
    return Interval(unit=IntervalUnit(recurring["interval"]), count=int(recurring["interval_count"]))


def shift(anchor: int, interval: Interval, n: int) -> int:
    """``anchor`` plus ``n`` intervals, in seconds."""
    moment = add_intervals(datetime.fromtimestamp(anchor, tz=UTC), interval, n)
    return int(moment.timestamp())

"""Billing intervals and calendar arithmetic anchored on a billing cycle anchor (UTC).

Periods are always computed from the anchor, never by stepping from the previous
period end, so month-end clamping returns to the anchor day: an anchor on Jan 31
gives Feb 29 (2024), then Mar 31.
"""

from __future__ import annotations

import calendar
import enum
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from prorata._errors import ValidationError
from prorata._validators import enum_of

__all__ = [
    "Interval",
    "IntervalUnit",
    "add_intervals",
    "ensure_utc",
    "period_containing",
    "utc_from_timestamp",
]


class IntervalUnit(enum.StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


def _positive(instance: Any, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:  # pyright: ignore[reportUnnecessaryIsInstance]
        raise ValidationError(f"{type(instance).__name__}.{attribute.name}", value, "an integer >= 1")


@attrs.frozen(kw_only=True, slots=True)
class Interval:
    """A billing interval: ``count`` x ``unit`` (e.g. 3 x month for quarterly)."""

    unit: IntervalUnit = attrs.field(converter=enum_of(IntervalUnit, "Interval.unit"))
    """Day, week, month or year."""
    count: int = attrs.field(default=1, validator=_positive)
    """How many units one interval lasts (3 with month: quarterly)."""

    @classmethod
    def monthly(cls) -> Interval:
        return cls(unit=IntervalUnit.MONTH)

    @classmethod
    def yearly(cls) -> Interval:
        return cls(unit=IntervalUnit.YEAR)

    def __str__(self) -> str:
        return f"{self.count} {self.unit.value}" + ("s" if self.count > 1 else "")


def ensure_utc(moment: datetime, field: str = "datetime") -> datetime:
    """Return ``moment`` in UTC; naive datetimes are refused rather than guessed."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationError(field, moment, "a timezone-aware datetime")
    return moment.astimezone(UTC)


def utc_from_timestamp(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def _add_months(anchor: datetime, months: int) -> datetime:
    index = anchor.year * 12 + (anchor.month - 1) + months
    year, month0 = divmod(index, 12)
    day = min(anchor.day, calendar.monthrange(year, month0 + 1)[1])
    return anchor.replace(year=year, month=month0 + 1, day=day)


def add_intervals(anchor: datetime, interval: Interval, n: int) -> datetime:
    """The instant ``n`` intervals after ``anchor`` (n may be negative), clamped to month end."""
    anchor = ensure_utc(anchor, "anchor")
    steps = interval.count * n
    match interval.unit:
        case IntervalUnit.DAY:
            return anchor + timedelta(days=steps)
        case IntervalUnit.WEEK:
            return anchor + timedelta(weeks=steps)
        case IntervalUnit.MONTH:
            return _add_months(anchor, steps)
        case IntervalUnit.YEAR:
            return _add_months(anchor, 12 * steps)


def period_index(anchor: datetime, interval: Interval, moment: datetime) -> int:
    """The n such that ``add_intervals(anchor, n) <= moment < add_intervals(anchor, n + 1)``."""
    anchor = ensure_utc(anchor, "anchor")
    moment = ensure_utc(moment, "moment")
    approx_days = {IntervalUnit.DAY: 1, IntervalUnit.WEEK: 7, IntervalUnit.MONTH: 30, IntervalUnit.YEAR: 365}
    step_seconds = approx_days[interval.unit] * interval.count * 86400
    n = int((moment - anchor).total_seconds() // step_seconds)
    while add_intervals(anchor, interval, n) > moment:
        n -= 1
    while add_intervals(anchor, interval, n + 1) <= moment:
        n += 1
    return n


def period_containing(anchor: datetime, interval: Interval, moment: datetime) -> tuple[datetime, datetime]:
    """The billing period ``[start, end)`` that contains ``moment``."""
    n = period_index(anchor, interval, moment)
    return add_intervals(anchor, interval, n), add_intervals(anchor, interval, n + 1)

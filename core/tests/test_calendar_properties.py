"""Property tests for the calendar: periods computed from the anchor, clamped to month end."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prorata import Interval, IntervalUnit
from prorata.errors import ValidationError
from prorata.provider import add_intervals, period_containing

anchors = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2090, 12, 31), timezones=st.just(UTC)
)
intervals = st.builds(Interval, unit=st.sampled_from(list(IntervalUnit)), count=st.integers(1, 12))
offsets = st.timedeltas(min_value=timedelta(days=-3000), max_value=timedelta(days=3000))


@given(anchors, intervals, offsets)
def test_periods_tile_without_gap_or_overlap(anchor: datetime, interval: Interval, offset: timedelta) -> None:
    moment = anchor + offset
    start, end = period_containing(anchor, interval, moment)
    assert start <= moment < end
    assert period_containing(anchor, interval, end)[0] == end  # the next period starts where this ends
    assert period_containing(anchor, interval, start - timedelta(microseconds=1))[1] == start


@given(anchors, intervals, st.integers(-40, 40))
def test_period_boundaries_are_the_anchor_plus_n_intervals(
    anchor: datetime, interval: Interval, n: int
) -> None:
    boundary = add_intervals(anchor, interval, n)
    assert period_containing(anchor, interval, boundary) == (boundary, add_intervals(anchor, interval, n + 1))


@given(anchors, intervals, st.integers(0, 60))
def test_n_intervals_equal_one_interval_of_n_counts(anchor: datetime, interval: Interval, n: int) -> None:
    combined = Interval(unit=interval.unit, count=interval.count * n) if n else None
    expected = anchor if combined is None else add_intervals(anchor, combined, 1)
    assert add_intervals(anchor, interval, n) == expected


@given(anchors, st.sampled_from([IntervalUnit.DAY, IntervalUnit.WEEK]), st.integers(1, 5), st.integers(0, 60))
def test_fixed_length_intervals_equal_stepping(
    anchor: datetime, unit: IntervalUnit, count: int, n: int
) -> None:
    interval = Interval(unit=unit, count=count)
    stepped = anchor
    for _ in range(n):
        stepped = add_intervals(stepped, interval, 1)
    assert add_intervals(anchor, interval, n) == stepped


@given(anchors, st.integers(1, 12), st.integers(-60, 60))
def test_months_keep_the_anchor_day_or_the_month_end(anchor: datetime, count: int, n: int) -> None:
    result = add_intervals(anchor, Interval(unit=IntervalUnit.MONTH, count=count), n)
    months = anchor.year * 12 + anchor.month - 1 + count * n
    assert result.year * 12 + result.month - 1 == months
    assert result.day == min(anchor.day, calendar.monthrange(result.year, result.month)[1])
    assert result.time() == anchor.time()
    assert result.tzinfo == UTC


@given(anchors, st.integers(1, 60))
def test_stepping_month_by_month_from_the_anchor_returns_to_the_anchor_day(anchor: datetime, n: int) -> None:
    monthly = Interval.monthly()
    for k in range(n + 1):
        date = add_intervals(anchor, monthly, k)
        if calendar.monthrange(date.year, date.month)[1] >= anchor.day:
            assert date.day == anchor.day  # no drift after a short month


def test_month_end_clamping_returns_to_the_anchor_day() -> None:
    anchor = datetime(2024, 1, 31, 9, 30, tzinfo=UTC)
    monthly = Interval.monthly()
    assert [add_intervals(anchor, monthly, n).date().isoformat() for n in range(4)] == [
        "2024-01-31",
        "2024-02-29",
        "2024-03-31",
        "2024-04-30",
    ]
    assert period_containing(anchor, monthly, datetime(2024, 3, 1, tzinfo=UTC)) == (
        datetime(2024, 2, 29, 9, 30, tzinfo=UTC),
        datetime(2024, 3, 31, 9, 30, tzinfo=UTC),
    )
    assert add_intervals(datetime(2023, 1, 31, tzinfo=UTC), monthly, 1).day == 28
    assert add_intervals(datetime(2024, 2, 29, tzinfo=UTC), Interval.yearly(), 1) == datetime(
        2025, 2, 28, tzinfo=UTC
    )
    assert add_intervals(datetime(2024, 2, 29, tzinfo=UTC), Interval.yearly(), 4) == datetime(
        2028, 2, 29, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("months", "expected"), [(1, 1580533172), (3, 1585717172), (8, 1598936372), (15, 1617253172)]
)
def test_real_stripe_figures(months: int, expected: int) -> None:
    anchor = datetime.fromtimestamp(1577854772, tz=UTC)
    assert anchor == datetime(2020, 1, 1, 4, 59, 32, tzinfo=UTC)
    assert int(add_intervals(anchor, Interval.monthly(), months).timestamp()) == expected
    start, _end = period_containing(anchor, Interval.monthly(), datetime.fromtimestamp(expected, tz=UTC))
    assert int(start.timestamp()) == expected
    assert int(add_intervals(anchor, Interval(unit="month", count=months), 1).timestamp()) == expected


def test_other_timezones_are_converted_and_naive_refused() -> None:
    plus_two = timezone(timedelta(hours=2))
    local = datetime(2024, 1, 31, 1, 0, tzinfo=plus_two)  # 2024-01-30T23:00Z
    assert add_intervals(local, Interval.monthly(), 1) == datetime(2024, 2, 29, 23, 0, tzinfo=UTC)
    with pytest.raises(ValidationError) as excinfo:
        add_intervals(datetime(2024, 1, 1), Interval.monthly(), 1)
    assert excinfo.value.field == "anchor"


@pytest.mark.parametrize("count", [0, -1, True])
def test_interval_count_must_be_positive(count: int) -> None:
    with pytest.raises(ValidationError) as excinfo:
        Interval(unit="month", count=count)
    assert excinfo.value.field == "Interval.count"

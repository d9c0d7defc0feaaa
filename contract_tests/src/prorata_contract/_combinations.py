"""Every (proration mode, billing cycle, timing) combination a change can ask for."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

import pytest

from prorata import AtDate, AtPeriodEnd, BillingCycle, Immediately, ProrationMode, Timing, TimingKind
from prorata.provider import Subscription
from prorata_contract._requirements import requires

__all__ = ["ITEM_TIMINGS", "PAIRS", "combinations", "pairs", "timing_for"]

ITEM_TIMINGS = (TimingKind.IMMEDIATELY, TimingKind.AT_PERIOD_END, TimingKind.AT_DATE)
"""Timings of single changes (multi-phase schedules are tested in the scheduling area)."""

PAIRS = tuple(
    (mode, cycle)
    for mode in ProrationMode
    for cycle in BillingCycle
    if cycle is BillingCycle.KEEP or mode.bills_now
)
"""Every valid (mode, cycle) pair: a reset cycle is billed at once."""

AT_DATE_FRACTION = Fraction(2, 3)
"""Where in the current period an ``at_date`` change takes effect."""


def pairs(*, cycle: BillingCycle | None = None) -> list[object]:
    """``pytest.param(mode, cycle)`` for each pair (or each with ``cycle``), marked with what it requires."""
    return [
        pytest.param(
            mode,
            pair_cycle,
            id=f"{mode.value}-{pair_cycle.value}",
            marks=requires(proration=(mode, pair_cycle)),
        )
        for mode, pair_cycle in PAIRS
        if cycle is None or pair_cycle is cycle
    ]


def combinations() -> list[object]:
    """``pytest.param(mode, cycle, timing)`` for every valid combination, with requirements."""
    return [
        pytest.param(
            mode,
            cycle,
            timing,
            id=f"{mode.value}-{cycle.value}-{timing.value}",
            marks=requires(proration=(mode, cycle), timing=timing),
        )
        for mode, cycle in PAIRS
        for timing in ITEM_TIMINGS
        if cycle is BillingCycle.KEEP or timing is TimingKind.IMMEDIATELY
    ]


def timing_for(kind: TimingKind, subscription: Subscription) -> Timing:
    """A concrete timing of ``kind`` for ``subscription`` (a date two thirds into its period)."""
    if kind is TimingKind.AT_PERIOD_END:
        return AtPeriodEnd()
    if kind is TimingKind.AT_DATE:
        start, end = subscription.current_period_start, subscription.current_period_end
        return AtDate(at=start + timedelta(seconds=int((end - start).total_seconds() * AT_DATE_FRACTION)))
    return Immediately()

"""Direction-aware plan changes: upgrades now with proration, downgrades at period end.

The rule (docs/proration.md): a change is a **downgrade** when the new items cost less
per day than the old ones, each plan's price divided by its interval's nominal length in
days (day 1, week 7, month 365.2425 / 12, year 365.2425, times the interval count). Any
other change (dearer, or the same per day) is an upgrade.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import attrs

from prorata._calendar import Interval, IntervalUnit
from prorata._catalog import Catalog
from prorata._change import AtPeriodEnd, Immediately, Operation, PlanChange, ProrationMode
from prorata._errors import InvalidChangeError
from prorata._items import Item, as_tuple
from prorata._validators import enum_of

__all__ = ["AutoChange", "Direction", "direction_of", "price_per_day"]

_YEAR_DAYS = Fraction(3652425, 10000)
_DAYS = {
    IntervalUnit.DAY: Fraction(1),
    IntervalUnit.WEEK: Fraction(7),
    IntervalUnit.MONTH: _YEAR_DAYS / 12,
    IntervalUnit.YEAR: _YEAR_DAYS,
}


class Direction(enum.StrEnum):
    UP = "up"
    DOWN = "down"


def interval_days(interval: Interval) -> Fraction:
    """The nominal length of ``interval`` in days (a mean Gregorian month or year)."""
    return _DAYS[interval.unit] * interval.count


def price_per_day(catalog: Catalog, items: Sequence[Item]) -> Fraction:
    """What ``items`` cost per day, in minor units (exact)."""
    total = Fraction(0)
    for item in items:
        plan = catalog.get(item.plan)
        total += Fraction(plan.price.amount * item.quantity) / interval_days(plan.interval)
    return total


def direction_of(catalog: Catalog, old: Sequence[Item], new: Sequence[Item]) -> Direction:
    """DOWN when ``new`` costs less per day than ``old``, else UP."""
    return Direction.DOWN if price_per_day(catalog, new) < price_per_day(catalog, old) else Direction.UP


@attrs.frozen(kw_only=True, slots=True)
class AutoChange:
    """A change whose timing and billing follow its direction (see ``PlanChange.auto``)."""

    operations: tuple[Operation, ...] = attrs.field(converter=as_tuple)
    """What changes; whether it is an upgrade decides when and how it is billed."""
    upgrade: ProrationMode = attrs.field(
        default=ProrationMode.PRORATE_NOW, converter=enum_of(ProrationMode, "AutoChange.upgrade")
    )
    """How an upgrade is billed now (a mode that bills now, or prorate on the next invoice)."""
    options: dict[str, Any] = attrs.field(factory=dict[str, Any])
    """Other PlanChange options (on_payment_failure, replace_pending)."""

    def __attrs_post_init__(self) -> None:
        if not self.operations:
            raise InvalidChangeError("PlanChange.auto.operations", (), "at least one operation")
        if self.upgrade is ProrationMode.NO_BILLING:
            raise InvalidChangeError(
                "PlanChange.auto.upgrade", self.upgrade.value, "a mode that bills the upgrade"
            )

    def resolve(self, catalog: Catalog, current: Sequence[Item]) -> PlanChange:
        """The concrete change for a subscription holding ``current``."""
        probe = PlanChange(operations=self.operations, **self.options)
        if direction_of(catalog, current, probe.target_items(current)) is Direction.DOWN:
            return PlanChange(
                operations=self.operations,
                timing=AtPeriodEnd(),
                proration=ProrationMode.NO_BILLING,
                **self.options,
            )
        return PlanChange(
            operations=self.operations, timing=Immediately(), proration=self.upgrade, **self.options
        )

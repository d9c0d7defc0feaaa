"""Multi-phase schedules and single scheduled changes."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from itertools import pairwise
from typing import Any

import attrs

from prorata._errors import ValidationError
from prorata._items import Discount, Item, TaxRate, as_tuple
from prorata._validators import aware, enum_of, field_name, optional_utc, utc

__all__ = ["EndBehavior", "Phase", "Schedule", "ScheduledChange"]


class EndBehavior(enum.StrEnum):
    """What happens when the last phase ends: the subscription continues, or is canceled."""

    RELEASE = "release"
    CANCEL = "cancel"


def _items_present(instance: Any, attribute: attrs.Attribute[Any], value: tuple[Item, ...]) -> None:
    if not value:
        raise ValidationError(field_name(instance, attribute), value, "at least one item")
    plans = [item.plan for item in value]
    duplicates = sorted({plan for plan in plans if plans.count(plan) > 1})
    if duplicates:
        raise ValidationError(field_name(instance, attribute), duplicates, "each plan at most once")


def _optional_positive(instance: Any, attribute: attrs.Attribute[Any], value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise ValidationError(field_name(instance, attribute), value, "an integer >= 1 or None")


def _optional_tuple(value: Iterable[Any] | None) -> tuple[Any, ...] | None:
    return None if value is None else as_tuple(value)


@attrs.frozen(kw_only=True, slots=True)
class Phase:
    """A stretch of time with fixed items, discounts and tax rates.

    A phase ends at ``end`` or after ``cycles`` intervals of its first item's plan counted
    from the phase's own start (as Stripe's phase ``duration`` does); the last phase
    may be open (neither) when the schedule releases the subscription at its end.
    ``start`` is required only on the first phase (``None`` there means "now").
    ``discounts=None`` and ``tax_rates=None`` keep the subscription's current ones; an empty
    tuple removes them for the phase.
    """

    items: tuple[Item, ...] = attrs.field(converter=as_tuple, validator=_items_present)
    """The plans and quantities during the phase."""
    start: datetime | None = attrs.field(default=None, converter=optional_utc, validator=aware)
    """When the phase starts (UTC); None for the first phase (it keeps the current one's start)."""
    end: datetime | None = attrs.field(default=None, converter=optional_utc, validator=aware)
    """When the phase ends (UTC), or None when ``cycles`` gives its length."""
    cycles: int | None = attrs.field(default=None, validator=_optional_positive)
    """The phase's length in billing cycles, instead of an ``end``."""
    discounts: tuple[Discount, ...] | None = attrs.field(
        default=None,
        converter=_optional_tuple,
    )
    """Discounts during the phase (None: keep the subscription's; empty: none)."""
    tax_rates: tuple[TaxRate, ...] | None = attrs.field(default=None, converter=_optional_tuple)
    """Tax rates during the phase (None: keep the subscription's; empty: none)."""
    prorate_at_start: bool = False
    """Whether the transition into this phase is prorated."""

    def __attrs_post_init__(self) -> None:
        if self.end is not None and self.cycles is not None:
            raise ValidationError("Phase.cycles", self.cycles, "either end or cycles, not both")
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValidationError("Phase.end", self.end, "a time after the phase start")


def _phases_valid(instance: Any, attribute: attrs.Attribute[Any], value: tuple[Phase, ...]) -> None:
    name = field_name(instance, attribute)
    if not value:
        raise ValidationError(name, value, "at least one phase")
    for index, (phase, following) in enumerate(pairwise(value)):
        if phase.end is None and phase.cycles is None:
            raise ValidationError(
                f"{name}[{index}].end", None, "an end or a cycle count (only the last phase is open)"
            )
        if following.start is None:
            continue
        if phase.end is not None and following.start != phase.end:
            problem = "a gap" if following.start > phase.end else "an overlap"
            raise ValidationError(
                f"{name}[{index + 1}].start",
                following.start,
                f"the previous phase's end {phase.end.isoformat()} (phases are contiguous; this leaves {problem})",
            )
        if phase.start is not None and following.start <= phase.start:
            raise ValidationError(
                f"{name}[{index + 1}].start", following.start, "a start after the previous phase's start"
            )


@attrs.frozen(kw_only=True, slots=True)
class Schedule:
    """Contiguous phases and what to do after the last one."""

    phases: tuple[Phase, ...] = attrs.field(converter=as_tuple, validator=_phases_valid)
    """Contiguous phases, the first being the current one."""
    end_behavior: EndBehavior = attrs.field(
        default=EndBehavior.RELEASE, converter=enum_of(EndBehavior, "Schedule.end_behavior")
    )
    """After the last phase: release (the subscription goes on) or cancel."""
    id: str | None = attrs.field(default=None, eq=False)
    """The provider's schedule id, if it has one (not compared)."""

    def __attrs_post_init__(self) -> None:
        last = self.phases[-1]
        if self.end_behavior is EndBehavior.CANCEL and last.end is None and last.cycles is None:
            raise ValidationError(
                "Schedule.phases[-1].end",
                None,
                "an end for the last phase when the schedule cancels at its end",
            )


@attrs.frozen(kw_only=True, slots=True)
class ScheduledChange:
    """A single change waiting for its time (for example a downgrade at period end)."""

    items: tuple[Item, ...] = attrs.field(converter=as_tuple, validator=_items_present)
    """The items the subscription will have."""
    effective_at: datetime = attrs.field(converter=utc, validator=aware)
    """When the change takes effect (UTC)."""
    id: str | None = attrs.field(default=None, eq=False)
    """The provider's id of the pending change, if it has one (not compared)."""

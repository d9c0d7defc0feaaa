"""What a subscription is made of: items, discounts, tax rates, collection method."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import attrs

from prorata._errors import ValidationError
from prorata._money import Money
from prorata._validators import enum_of, field_name, non_empty_str, non_negative_int

__all__ = ["CollectionMethod", "Discount", "DiscountDuration", "Item", "TaxRate", "as_tuple"]


class CollectionMethod(enum.StrEnum):
    CHARGE_AUTOMATICALLY = "charge_automatically"
    SEND_INVOICE = "send_invoice"


class DiscountDuration(enum.StrEnum):
    ONCE = "once"
    REPEATING = "repeating"
    FOREVER = "forever"


def as_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True, slots=True)
class Item:
    """One line of a subscription: a catalog plan key and a quantity.

    ``id`` is the provider's id of the line (Stripe ``si_...``) when it exists.
    """

    plan: str = attrs.field(validator=non_empty_str)
    """The catalog plan key."""
    quantity: int = attrs.field(default=1, validator=non_negative_int)
    """How many units (seats); 0 only where a provider allows it."""
    id: str | None = attrs.field(default=None, eq=False)
    """The provider's id of this subscription item, if known (not compared)."""


def _percent(instance: Any, attribute: attrs.Attribute[Any], value: Decimal | None) -> None:
    if value is None:
        return
    if not isinstance(value, Decimal) or not (Decimal(0) < value <= Decimal(100)):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise ValidationError(field_name(instance, attribute), value, "a Decimal in (0, 100]")


def _to_decimal(value: Any) -> Any:
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        return Decimal(value)
    return value


def _optional_decimal(value: Any) -> Any:
    return None if value is None else _to_decimal(value)


@attrs.frozen(kw_only=True, slots=True)
class Discount:
    """A coupon applied to a subscription: percent or amount off, for a duration.

    ``id`` is the provider's id of the applied discount (Stripe ``di_...``): keeping it
    across changes keeps the coupon's remaining duration.
    """

    coupon: str = attrs.field(validator=non_empty_str)
    """The coupon's id (or code) at the provider."""
    percent_off: Decimal | None = attrs.field(default=None, converter=_optional_decimal, validator=_percent)
    """A percentage off (0-100), or None for an amount off."""
    amount_off: Money | None = None
    """A fixed amount off, or None for a percentage."""
    duration: DiscountDuration = attrs.field(
        default=DiscountDuration.FOREVER, converter=enum_of(DiscountDuration, "Discount.duration")
    )
    """Once, for a number of cycles (repeating) or forever."""
    duration_in_cycles: int | None = None
    """How many billing cycles a repeating discount lasts."""
    cycles_remaining: int | None = None
    """Cycles left on a repeating discount (None: not counted or not repeating)."""
    id: str | None = attrs.field(default=None, eq=False)
    """The provider's id of this applied discount, if it has one (not compared)."""

    def __attrs_post_init__(self) -> None:
        if (self.percent_off is None) == (self.amount_off is None):
            raise ValidationError(
                "Discount.percent_off", self.percent_off, "exactly one of percent_off or amount_off"
            )
        if self.duration is DiscountDuration.REPEATING and not self.duration_in_cycles:
            raise ValidationError(
                "Discount.duration_in_cycles",
                self.duration_in_cycles,
                "a cycle count for a repeating discount",
            )
        if self.amount_off is not None and self.amount_off.amount <= 0:
            raise ValidationError("Discount.amount_off", self.amount_off, "a positive amount")

    def amount_for(self, subtotal: Money) -> Money:
        """How much this discount takes off ``subtotal`` (never more than the subtotal)."""
        if self.percent_off is not None:
            off = subtotal.percent(self.percent_off)
        else:
            assert self.amount_off is not None
            if self.amount_off.currency != subtotal.currency:
                raise ValidationError(
                    "Discount.amount_off", self.amount_off, f"an amount in {subtotal.currency}"
                )
            off = self.amount_off
        return off if off.amount <= subtotal.amount else subtotal

    @property
    def active(self) -> bool:
        return self.cycles_remaining is None or self.cycles_remaining > 0


def _tax_percent(instance: Any, attribute: attrs.Attribute[Any], value: Decimal) -> None:
    if not isinstance(value, Decimal) or not (Decimal(0) <= value < Decimal(100)):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise ValidationError(field_name(instance, attribute), value, "a Decimal in [0, 100)")


@attrs.frozen(kw_only=True, slots=True)
class TaxRate:
    """A tax rate applied to a subscription's invoices, exclusive (added) or inclusive."""

    display_name: str = attrs.field(validator=non_empty_str)
    """The name shown on invoices (``VAT``, ``Sales tax``)."""
    percentage: Decimal = attrs.field(converter=_to_decimal, validator=_tax_percent)
    """The rate in percent, as a Decimal."""
    inclusive: bool = False
    """True when prices already include the tax; False adds it on top."""
    id: str | None = attrs.field(default=None, eq=False)
    """The provider's id of the tax rate, if known (not compared)."""

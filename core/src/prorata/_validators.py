"""attrs validators that raise prorata's ValidationError naming the field and value."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import attrs

from prorata._errors import ValidationError

E = TypeVar("E", bound=enum.Enum)

__all__ = [
    "MAX_TRIAL_DAYS",
    "aware",
    "email_address",
    "enum_of",
    "field_name",
    "non_empty_str",
    "non_negative_int",
    "non_negative_money",
    "positive_int",
    "trial_length",
    "utc",
]


def field_name(instance: Any, attribute: attrs.Attribute[Any]) -> str:
    return f"{type(instance).__name__}.{attribute.name}"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def non_negative_int(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not _is_int(value) or value < 0:
        raise ValidationError(field_name(instance, attribute), value, "an integer >= 0")


def positive_int(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not _is_int(value) or value < 1:
        raise ValidationError(field_name(instance, attribute), value, "an integer >= 1")


def non_empty_str(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(field_name(instance, attribute), value, "a non-empty string")


_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


def email_address(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """An address of the form ``local@domain.tld`` (what every provider accepts; no deliverability check)."""
    if not isinstance(value, str) or _EMAIL.fullmatch(value) is None:
        raise ValidationError(
            field_name(instance, attribute), value, "an email address such as ada@example.com"
        )


def aware(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValidationError(field_name(instance, attribute), value, "a timezone-aware datetime")


def utc(value: Any) -> Any:
    """Converter: aware datetimes to UTC (others pass through to the validator)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        from datetime import UTC

        return value.astimezone(UTC)
    return value


def optional_utc(value: Any) -> Any:
    return None if value is None else utc(value)


def enum_of(kind: type[E], field: str) -> Callable[[object], E]:
    """Converter: a member of ``kind`` or its value; anything else is a ``ValidationError``."""

    def convert(value: object) -> E:
        if isinstance(value, kind):
            return value
        try:
            return kind(value)
        except (ValueError, TypeError):
            allowed = ", ".join(repr(member.value) for member in kind)
            raise ValidationError(field, value, f"one of {allowed}") from None

    convert.__name__ = f"enum_of_{kind.__name__}"
    return convert


MAX_TRIAL_DAYS = 730
"""The longest free trial prorata accepts: Stripe's documented maximum (``trial_period_days``)."""


def trial_length(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Validator: a trial length between 0 and :data:`MAX_TRIAL_DAYS` days."""
    if value is None:
        return
    if not _is_int(value) or not 0 <= value <= MAX_TRIAL_DAYS:
        raise ValidationError(
            field_name(instance, attribute), value, f"a whole number of days from 0 to {MAX_TRIAL_DAYS}"
        )


def non_negative_money(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Validator: a price is never below zero (a negative price would credit every subscriber)."""
    amount = getattr(value, "amount", None)
    if isinstance(amount, int) and amount < 0:
        raise ValidationError(field_name(instance, attribute), value, "a price of zero or more")

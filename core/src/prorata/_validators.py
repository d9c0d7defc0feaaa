"""attrs validators that raise prorata's ValidationError naming the field and value."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import attrs

from prorata._errors import ValidationError

__all__ = ["aware", "email_address", "field_name", "non_empty_str", "non_negative_int", "positive_int", "utc"]


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

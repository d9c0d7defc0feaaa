"""Parsing of command-line values shared by several commands."""

from __future__ import annotations

from datetime import UTC, datetime

from prorata._errors import ValidationError

__all__ = ["parse_time"]


def parse_time(option: str, text: str, error: type[ValidationError] = ValidationError) -> datetime:
    """An ISO-8601 time with a UTC offset (or `Z`), in UTC; anything else raises ``error``."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise error(option, text, "an ISO-8601 time such as 2026-12-01T00:00:00Z") from exc
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise error(option, text, "an ISO-8601 time with a UTC offset (or Z)")
    return moment.astimezone(UTC)

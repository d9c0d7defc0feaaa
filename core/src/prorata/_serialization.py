"""Stable JSON for the domain (cattrs): store a preview, show it, load it back equal.

Format rules (documented in docs/serialization.md): datetimes are ISO-8601 UTC strings
with a ``Z``; Money is ``{"amount": <int minor units>, "currency": "USD"}``; percentages
are decimal strings; operations and timings carry a ``"type"`` tag; provider payloads
(``Subscription.raw``) are not serialized.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_unstructure_fn, override
from cattrs.strategies import configure_tagged_union

from prorata._change import Operation, Timing
from prorata._errors import ValidationError
from prorata._secrets import Secret
from prorata._subscription import Subscription

__all__ = ["converter", "dumps", "loads", "structure", "unstructure"]

T = TypeVar("T")


def _snake(cls: type) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()


def _datetime_out(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _datetime_in(value: Any, _: type) -> datetime:
    if not isinstance(value, str):
        raise ValidationError("datetime", value, "an ISO-8601 string")
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValidationError("datetime", value, "an ISO-8601 string with a UTC offset")
    return parsed.astimezone(UTC)


def _decimal_in(value: Any, _: type) -> Decimal:
    if isinstance(value, float):
        raise ValidationError("decimal", value, "a decimal string (floats are refused)")
    return Decimal(str(value))


def _secret_out(secret: Secret) -> str:
    """Only where the secret comes from (``env:STRIPE_SECRET_KEY``), never its value."""
    return secret.source


def _secret_in(value: Any, _: type) -> Secret:
    raise ValidationError(
        "Secret", value, "a secret is never serialised; load the configuration again to read it"
    )


def make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=False)
    conv.register_unstructure_hook(datetime, _datetime_out)
    conv.register_structure_hook(datetime, _datetime_in)
    conv.register_unstructure_hook(Decimal, str)
    conv.register_unstructure_hook(Secret, _secret_out)
    conv.register_structure_hook(Secret, _secret_in)
    conv.register_structure_hook(Decimal, _decimal_in)
    conv.register_unstructure_hook(MappingProxyType, lambda m: dict(m))  # pyright: ignore[reportUnknownLambdaType, reportUnknownArgumentType]
    conv.register_unstructure_hook(
        Subscription, make_dict_unstructure_fn(Subscription, conv, raw=override(omit=True))
    )
    configure_tagged_union(Operation, conv, tag_generator=_snake, tag_name="type")  # pyright: ignore[reportArgumentType]
    configure_tagged_union(Timing, conv, tag_generator=_snake, tag_name="type")  # pyright: ignore[reportArgumentType]
    return conv


converter = make_converter()


def unstructure(obj: Any) -> Any:
    """Plain JSON-ready data for any domain object."""
    return converter.unstructure(obj)


def structure(data: Any, cls: type[T]) -> T:
    """The domain object of type ``cls`` from plain data (invariants checked again)."""
    raw: object = data  # kept unnarrowed for the error messages below
    if attrs.has(cls) and not isinstance(data, dict):
        raise ValidationError(cls.__name__, _shown(raw), f"a JSON object of {cls.__name__} fields")
    try:
        return converter.structure(data, cls)
    except (TypeError, KeyError, AttributeError) as exc:
        raise ValidationError(cls.__name__, _shown(raw), f"valid {cls.__name__} data: {exc}") from exc
    except cattrs.BaseValidationError as exc:
        inner = exc.exceptions[0] if exc.exceptions else exc
        while isinstance(inner, cattrs.BaseValidationError) and inner.exceptions:
            inner = inner.exceptions[0]
        if isinstance(inner, ValidationError):
            raise inner from exc
        raise ValidationError(cls.__name__, _shown(raw), f"valid {cls.__name__} data: {inner}") from exc


def dumps(obj: Any, *, indent: int | None = None) -> str:
    """JSON text of a domain object (keys sorted, stable across runs)."""
    return json.dumps(unstructure(obj), sort_keys=True, indent=indent)


def loads(text: str | bytes, cls: type[T]) -> T:
    """A domain object from JSON text written by :func:`dumps`."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValidationError(cls.__name__, _excerpt(text), f"JSON text ({exc})") from None
    return structure(data, cls)


def _shown(data: object) -> str:
    return _excerpt(repr(data))


def _excerpt(text: str | bytes) -> str:
    shown = text if isinstance(text, str) else text.decode("utf-8", "replace")
    return shown if len(shown) <= 60 else shown[:57] + "..."

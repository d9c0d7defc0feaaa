"""Stripe SDK errors -> prorata's errors, keeping Stripe's type, code, param and request id."""

from __future__ import annotations

import contextlib
from collections.abc import Generator
from typing import Any

import stripe

from prorata.errors import (
    BillingError,
    ConflictError,
    NotFoundError,
    PaymentDeclinedError,
    ProviderRejectedError,
    ProviderUnavailableError,
)
from prorata.provider import safe_cause

__all__ = ["stripe_errors", "translate"]

PROVIDER = "stripe"


def _retry_after(exc: stripe.StripeError) -> float | None:
    headers: Any = exc.headers or {}
    value = headers.get("retry-after") or headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def translate(exc: stripe.StripeError, operation: str) -> BillingError:
    """The prorata error for a Stripe error raised while doing ``operation``."""
    error = exc.error
    details: dict[str, Any] = {
        "provider": PROVIDER,
        "code": exc.code or (error.code if error is not None else None),
        "provider_type": error.type if error is not None else type(exc).__name__,
        "param": error.param if error is not None else None,
        "request_id": exc.request_id,
        "http_status": exc.http_status,
    }
    message = f"{operation}: {exc.user_message or type(exc).__name__}"
    if isinstance(exc, stripe.CardError):
        return PaymentDeclinedError(message, **details)
    if isinstance(exc, stripe.RateLimitError) or exc.http_status == 429:
        return ProviderUnavailableError(message, retry_after=_retry_after(exc), **details)
    if isinstance(exc, (stripe.APIConnectionError, stripe.APIError)) or (exc.http_status or 0) >= 500:
        return ProviderUnavailableError(message, retry_after=_retry_after(exc), **details)
    if isinstance(exc, stripe.IdempotencyError) or exc.http_status == 409:
        return ConflictError(message, **details)
    if exc.http_status == 404 or details["code"] == "resource_missing":
        return NotFoundError(message, **details)
    return ProviderRejectedError(message, **details)


@contextlib.contextmanager
def stripe_errors(operation: str) -> Generator[None]:
    """Re-raise any Stripe error inside the block as a prorata error (``raise ... from``)."""
    try:
        yield
    except stripe.StripeError as exc:
        raise translate(exc, operation) from safe_cause(exc)

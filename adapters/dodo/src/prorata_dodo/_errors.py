"""Dodo SDK exceptions -> prorata's errors, keeping Dodo's code and message."""

from __future__ import annotations

from typing import Any

import dodopayments

from prorata.errors import (
    ConflictError,
    NotFoundError,
    PaymentDeclinedError,
    ProviderError,
    ProviderRejectedError,
    ProviderUnavailableError,
)

__all__ = ["PROVIDER", "is_ambiguous", "is_retryable", "retry_after", "translate"]

PROVIDER = "dodo"
_DECLINED = frozenset({"PAYMENT_FAILED", "CARD_DECLINED", "PAYMENT_DECLINED"})


def _details(exc: dodopayments.APIError) -> tuple[str | None, str]:
    body: Any = exc.body
    if isinstance(body, dict):
        code = body.get("code")  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
        message = body.get("message")  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
        return (str(code) if code is not None else None), str(message or exc.message)  # pyright: ignore[reportUnknownArgumentType]
    return None, exc.message


def retry_after(exc: BaseException) -> float | None:
    """Seconds the provider asked us to wait (429 ``Retry-After``), if it said."""
    if isinstance(exc, dodopayments.APIStatusError):
        value = exc.response.headers.get("retry-after")
        try:
            return float(value) if value is not None else None
        except ValueError:
            return None
    return None


def is_retryable(exc: BaseException) -> bool:
    """Worth another attempt: no connection, timeout, 429 or 5xx."""
    if isinstance(exc, dodopayments.APIConnectionError):
        return True
    return isinstance(exc, dodopayments.APIStatusError) and (exc.status_code == 429 or exc.status_code >= 500)


def is_ambiguous(exc: BaseException) -> bool:
    """The write may have been applied although we got no success (re-read before retrying)."""
    if isinstance(exc, dodopayments.APIConnectionError):
        return True
    return isinstance(exc, dodopayments.APIStatusError) and exc.status_code >= 500


def translate(exc: dodopayments.DodoPaymentsError, action: str) -> ProviderError | ConflictError:
    """The prorata error for an SDK exception; raise it ``from exc``."""
    if isinstance(exc, dodopayments.APIConnectionError):
        return ProviderUnavailableError(f"{action}: could not reach Dodo ({exc.message})", provider=PROVIDER)
    if isinstance(exc, dodopayments.APIResponseValidationError):
        return ProviderError(
            f"{action}: Dodo's response does not match the SDK's model",
            provider=PROVIDER,
            http_status=exc.status_code,
        )
    if not isinstance(exc, dodopayments.APIStatusError):
        return ProviderError(f"{action}: {exc}", provider=PROVIDER)
    code, message = _details(exc)
    status = exc.status_code
    request_id = exc.response.headers.get("x-request-id")
    common: dict[str, Any] = {
        "provider": PROVIDER,
        "code": code,
        "http_status": status,
        "request_id": request_id,
    }
    text = f"{action}: {message}"
    if status == 429 or status >= 500:
        return ProviderUnavailableError(text, retry_after=retry_after(exc), **common)
    if status == 404:
        return NotFoundError(text, **common)
    if status == 409:
        return ConflictError(text, **common)
    if status == 402 or code in _DECLINED:
        return PaymentDeclinedError(text, **common)
    return ProviderRejectedError(text, **common)

"""The app's error types and how prorata's errors map onto them."""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from prorata.errors import (
    BillingError,
    ConfigurationError,
    ConflictError,
    InvalidStateError,
    NotFoundError,
    ProviderError,
    UnsupportedCapabilityError,
    ValidationError,
    WebhookVerificationError,
)

__all__ = ["AppError", "app_error", "billing_error", "request_error"]

INVALID_PARAMETER = "invalid_parameter"
CONFIG_INVALID = "config_invalid"
BACKEND_UNAVAILABLE = "backend_unavailable"
UNSUPPORTED_UPGRADE = "subscription_unsupported_upgrade"
INVALID_OPERATION = "invalid_operation"


class AppError(Exception):
    """An error the app answers with ``{"error": {"error_type", "message"}}``."""

    def __init__(self, error_type: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.status = status


def _answer(error_type: str, message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": {"error_type": error_type, "message": message}}, status_code=status)


def classify(exc: BillingError) -> AppError:
    """The app's error for a prorata error (the message is prorata's, never a secret)."""
    if isinstance(exc, WebhookVerificationError):
        return AppError(INVALID_PARAMETER, str(exc))
    if isinstance(exc, UnsupportedCapabilityError):
        return AppError(INVALID_OPERATION, str(exc))
    if isinstance(exc, NotFoundError):
        return AppError(INVALID_PARAMETER, str(exc), 404)
    if isinstance(exc, ValidationError):
        return AppError(INVALID_PARAMETER, str(exc))
    if isinstance(exc, InvalidStateError):
        return AppError(INVALID_OPERATION, str(exc))
    if isinstance(exc, ConflictError):  # a pending change, a reused key, changed meanwhile
        return AppError(INVALID_OPERATION, str(exc), 409)
    if isinstance(exc, ConfigurationError):
        return AppError(CONFIG_INVALID, str(exc), 500)
    if isinstance(exc, ProviderError):
        return AppError(BACKEND_UNAVAILABLE, str(exc), 502)
    return AppError(INVALID_OPERATION, str(exc))


async def app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return _answer(exc.error_type, exc.message, exc.status)


async def billing_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BillingError)
    found = classify(exc)
    return _answer(found.error_type, found.message, found.status)


async def request_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return _answer(INVALID_PARAMETER, "; ".join(str(e.get("msg")) for e in exc.errors()), 400)

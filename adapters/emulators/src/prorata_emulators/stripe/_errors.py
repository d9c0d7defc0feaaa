"""Stripe's error body ``{"error": {type, code, param, message}}`` with its status codes."""

from __future__ import annotations

from typing import Any

__all__ = ["ApiError", "card_declined", "invalid", "missing", "only_one_of"]


class ApiError(Exception):
    """Raised by a handler; the server answers with Stripe's error body and status."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param
        self.extra = extra or dict[str, Any]()
        self.headers = headers or dict[str, Any]()

    def body(self, request_id: str) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.code is not None:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        if self.param is not None:
            error["param"] = self.param
        error["request_log_url"] = f"https://dashboard.stripe.com/test/logs/{request_id}"
        error.update(self.extra)
        return {"error": error}


def missing(kind: str, object_id: str, param: str = "id") -> ApiError:
    return ApiError(404, f"No such {kind}: '{object_id}'", code="resource_missing", param=param)


def invalid(message: str, param: str | None = None, code: str | None = "parameter_invalid_empty") -> ApiError:
    return ApiError(400, message, code=code if param is not None else None, param=param)


def card_declined() -> ApiError:
    return ApiError(
        402,
        "Your card was declined.",
        type="card_error",
        code="card_declined",
        extra={"decline_code": "generic_decline", "advice_code": "try_again_later"},
    )


def only_one_of(params: dict[str, Any], first: str, second: str) -> None:
    """Refuse two mutually exclusive parameters given together, as Stripe words it."""
    if params.get(first) and params.get(second):
        raise invalid(
            f"You may only specify one of these parameters: {first}, {second}.",
            first,
            code="parameter_invalid",
        )

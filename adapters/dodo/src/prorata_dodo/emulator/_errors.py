"""The errors the emulator answers with, in Dodo's ``{"code", "message"}`` shape."""

from __future__ import annotations

__all__ = ["ApiError"]


class ApiError(Exception):
    """An HTTP error response: status, Dodo-style code and message."""

    def __init__(
        self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def not_found(kind: str, ident: str) -> ApiError:
    return ApiError(404, "NOT_FOUND", f"{kind} {ident} not found")


def invalid(message: str, code: str = "INVALID_REQUEST_BODY") -> ApiError:
    return ApiError(422, code, message)

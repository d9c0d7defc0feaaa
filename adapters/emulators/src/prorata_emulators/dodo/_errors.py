"""The errors the emulator answers with, in Dodo's ``{"code", "message"}`` shape."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

T = TypeVar("T")

__all__ = ["ApiError", "invalid", "lookup", "not_found"]


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


def lookup(table: Mapping[str, T], kind: str, ident: str) -> T:
    """``table[ident]``, or the 404 Dodo answers for an unknown ``kind``."""
    found = table.get(ident)
    if found is None:
        raise not_found(kind, ident)
    return found


def invalid(message: str, code: str = "INVALID_REQUEST_BODY") -> ApiError:
    return ApiError(422, code, message)

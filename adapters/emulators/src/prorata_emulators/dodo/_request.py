"""What a route handler receives, and small readers for its fields."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from prorata_emulators.dodo._errors import invalid
from prorata_emulators.dodo._state import State

__all__ = ["Request", "Response", "page"]


@attrs.frozen(kw_only=True, slots=True)
class Request:
    state: State
    params: Mapping[str, str]
    query: Mapping[str, str]
    body: Mapping[str, Any]

    def text(self, name: str, *, required: bool = True, default: str = "") -> str:
        value = self.body.get(name)
        if value is None:
            if required:
                raise invalid(f"{name} is required")
            return default
        if not isinstance(value, str) or (required and not value):
            raise invalid(f"{name} must be a non-empty string")
        return value

    def integer(self, name: str, *, default: int | None = None, minimum: int = 0) -> int:
        value = self.body.get(name, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise invalid(f"{name} must be an integer >= {minimum}")
        return value


@attrs.frozen(kw_only=True, slots=True)
class Response:
    status: int
    body: Any


def page(request: Request, rows: list[Any], render: Callable[[Any], Any] | None = None) -> Response:
    """One page of ``rows``: ``page_number`` from 0, ``page_size`` default 10, max 100
    (``render``: applied to the page's rows only, so a page costs what it holds)."""
    try:
        number = int(request.query.get("page_number", "0"))
        size = int(request.query.get("page_size", "10"))
    except ValueError as exc:
        raise invalid("page_number and page_size must be integers") from exc
    if number < 0 or not 1 <= size <= 100:
        raise invalid("page_number >= 0 and 1 <= page_size <= 100")
    chosen = rows[number * size : (number + 1) * size]
    return Response(status=200, body={"items": chosen if render is None else [render(row) for row in chosen]})

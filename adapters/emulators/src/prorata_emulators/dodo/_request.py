"""What a route handler receives, and small readers for its fields."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import attrs

from prorata_emulators.dodo._errors import invalid
from prorata_emulators.dodo._state import State

__all__ = ["Request", "Response", "paged"]

T = TypeVar("T")


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


def paged(request: Request, candidates: Iterable[T], render: Callable[[T], Any]) -> Response:
    """One page of the lazily filtered ``candidates`` (newest first), rendering only that page:
    the cost is the page's position, not the number of objects held."""
    number, size = _page_of(request)
    rows = [render(item) for item in itertools.islice(candidates, number * size, (number + 1) * size)]
    return Response(status=200, body={"items": rows})


def _page_of(request: Request) -> tuple[int, int]:
    """``page_number`` from 0, ``page_size`` default 10, max 100."""
    try:
        number = int(request.query.get("page_number", "0"))
        size = int(request.query.get("page_size", "10"))
    except ValueError as exc:
        raise invalid("page_number and page_size must be integers") from exc
    if number < 0 or not 1 <= size <= 100:
        raise invalid("page_number >= 0 and 1 <= page_size <= 100")
    return number, size

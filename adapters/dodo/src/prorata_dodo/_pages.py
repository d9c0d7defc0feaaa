"""Explicit page-number pagination (the SDK's auto-paging skips page 1: it computes the
next page as ``(page_number or 1) + 1``, so page 0 is followed by page 2)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Protocol, TypeVar

__all__ = ["PAGE_SIZE", "all_pages"]

PAGE_SIZE = 100
T = TypeVar("T")


class _Page(Protocol[T]):
    @property
    def items(self) -> list[T]: ...


def all_pages(
    fetch: Callable[..., _Page[Any]], *, page_size: int = PAGE_SIZE, **filters: Any
) -> Iterator[Any]:
    """Every item, asking page 0, 1, 2, ... (lazily) until a page comes back short."""
    number = 0
    while True:
        page = fetch(page_number=number, page_size=page_size, **filters)
        yield from page.items
        if len(page.items) < page_size:
            return
        number += 1

"""Paged listing: what to list (a query), one page of it, and a lazy iterator over the pages.

A provider answers one page per call (:meth:`prorata.provider.PagedListing.subscriptions_page`);
core walks the pages lazily, so ``for sub in billing.subscriptions(...)`` reads no more than
the loop consumes, and ``list(...)`` of it is the old list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

import attrs

from prorata._errors import ValidationError
from prorata._subscription import Subscription, SubscriptionStatus

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "InvoiceQuery",
    "Page",
    "Pages",
    "SubscriptionQuery",
    "filter_subscriptions",
    "page_of_list",
]

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 100
"""Stripe and Dodo both cap a list page at 100 items."""


def _page_size(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_PAGE_SIZE:
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}", value, f"an integer from 1 to {MAX_PAGE_SIZE}"
        )


def _statuses(
    value: Iterable[SubscriptionStatus | str] | SubscriptionStatus | str | None,
) -> tuple[SubscriptionStatus, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = (value,)
    return tuple(SubscriptionStatus(status) for status in value)


def _names(value: Iterable[str] | str | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


@attrs.frozen(kw_only=True, slots=True)
class SubscriptionQuery:
    """Which subscriptions to list; every filter is optional and they combine with AND."""

    customer_id: str | None = None
    statuses: tuple[SubscriptionStatus, ...] = attrs.field(default=(), converter=_statuses)
    """Any of these statuses (empty: any status)."""
    plans: tuple[str, ...] = attrs.field(default=(), converter=_names)
    """Subscriptions with an item on any of these plan keys (empty: any plan)."""
    page_size: int = attrs.field(default=DEFAULT_PAGE_SIZE, validator=_page_size)
    cursor: str | None = None
    """Where the page starts: a previous page's ``next_cursor`` (None: the first page)."""

    def matches(self, subscription: Subscription) -> bool:
        """Whether ``subscription`` passes the filters (for providers that filter client-side)."""
        if self.customer_id is not None and subscription.customer_id != self.customer_id:
            return False
        if self.statuses and subscription.status not in self.statuses:
            return False
        return not self.plans or any(item.plan in self.plans for item in subscription.items)


@attrs.frozen(kw_only=True, slots=True)
class InvoiceQuery:
    """Which invoices to list: of a subscription, of a customer, or both; oldest first."""

    subscription_id: str | None = None
    customer_id: str | None = None
    page_size: int = attrs.field(default=DEFAULT_PAGE_SIZE, validator=_page_size)
    cursor: str | None = None


@attrs.frozen(kw_only=True, slots=True)
class Page(Generic[T]):
    """One page of a listing; ``next_cursor`` is None on the last page."""

    items: tuple[T, ...]
    next_cursor: str | None = None


class Pages(Iterable[T]):
    """A lazy iterator over every item of a listing, one provider page at a time.

    Iterating it again starts again from the first page; ``pages()`` yields whole pages.
    """

    def __init__(self, fetch: Callable[[str | None], Page[T]]) -> None:
        self._fetch = fetch

    def pages(self) -> Iterator[Page[T]]:
        cursor: str | None = None
        while True:
            page = self._fetch(cursor)
            yield page
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.items

    def first(self) -> T | None:
        """The first item, reading one page."""
        return next(iter(self), None)


def filter_subscriptions(
    subscriptions: Iterable[Subscription], query: SubscriptionQuery
) -> list[Subscription]:
    return [subscription for subscription in subscriptions if query.matches(subscription)]


def page_of_list(items: list[T], cursor: str | None, size: int, key: Callable[[T], str]) -> Page[T]:
    """A page of an already complete list, keyed by ``key`` (for providers without paging)."""
    start = 0
    if cursor is not None:
        start = next((i + 1 for i, item in enumerate(items) if key(item) == cursor), len(items))
    chunk = items[start : start + size]
    more = start + size < len(items)
    return Page(items=tuple(chunk), next_cursor=key(chunk[-1]) if more and chunk else None)

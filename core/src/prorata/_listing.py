"""Paged listing: what to list (a query), one page of it, and a lazy iterator over the pages.

A provider answers one page per call (:meth:`PagedListing.subscriptions_page`); core walks
the pages lazily, so ``for sub in billing.subscriptions(...)`` reads no more pages than the
loop consumes. A provider without :class:`PagedListing` is listed whole, once, and filtered
here: third-party plugins keep working unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Generic, Protocol, TypeVar, overload, runtime_checkable

import attrs

from prorata._errors import ValidationError
from prorata._invoice import Invoice
from prorata._provider import Provider
from prorata._subscription import Subscription, SubscriptionStatus

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "InvoiceQuery",
    "Listing",
    "Page",
    "PagedListing",
    "Pages",
    "SubscriptionQuery",
    "invoice_listing",
    "invoices_page_of",
    "page_of_list",
    "subscription_listing",
    "subscriptions_page_of",
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
    """Only this customer's subscriptions (None: every customer's)."""
    statuses: tuple[SubscriptionStatus, ...] = attrs.field(default=(), converter=_statuses)
    """Any of these statuses (empty: any status)."""
    plans: tuple[str, ...] = attrs.field(default=(), converter=_names)
    """Subscriptions with an item on any of these plan keys (empty: any plan)."""
    page_size: int = attrs.field(default=DEFAULT_PAGE_SIZE, validator=_page_size)
    """Items asked per provider request (1-100); a filtered page may hold fewer."""
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
    """Only this subscription's invoices."""
    customer_id: str | None = None
    """Only this customer's invoices (not every provider lists by customer)."""
    newest_first: bool = False
    """Stripe and Dodo list newest first natively: set it to page without reading everything."""
    page_size: int = attrs.field(default=DEFAULT_PAGE_SIZE, validator=_page_size)
    """Items asked per provider request (1-100)."""
    cursor: str | None = None
    """Where the page starts: a previous page's ``next_cursor`` (None: the first page)."""


@attrs.frozen(kw_only=True, slots=True)
class Page(Generic[T]):
    """One page of a listing; ``next_cursor`` is None on the last page."""

    items: tuple[T, ...]
    """The page's items, in the listing's order."""
    next_cursor: str | None = None
    """The cursor of the next page (opaque; None on the last page)."""


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


class Listing(Pages[T]):
    """What ``Billing.subscriptions()`` and ``Billing.invoices()`` return.

    Iterating is lazy (one page at a time). ``len()``, indexing, ``bool()`` and ``==`` with a
    list read every page once and keep them, so code written for the old lists still works.
    """

    def __init__(self, fetch: Callable[[str | None], Page[T]]) -> None:
        super().__init__(fetch)
        self._all: list[T] | None = None

    def _everything(self) -> list[T]:
        if self._all is None:
            self._all = [item for page in self.pages() for item in page.items]
        return self._all

    def __iter__(self) -> Iterator[T]:
        # A generator decides at its first step, so ``list(listing)`` (which asks ``len()``
        # after creating the iterator) reads the pages once.
        if self._all is not None:
            yield from self._all
            return
        for page in self.pages():
            cached: list[T] | None = self._all  # filled meanwhile by len() (list() asks it)
            if cached is not None:
                yield from cached
                return
            yield from page.items

    def __len__(self) -> int:
        return len(self._everything())

    def __bool__(self) -> bool:
        return bool(self._all) if self._all is not None else self.first() is not None

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        return self._everything()[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Listing):
            return self._everything() == other._everything()  # pyright: ignore[reportUnknownMemberType]
        if isinstance(other, list | tuple):
            return self._everything() == list(other)  # pyright: ignore[reportUnknownArgumentType]
        return NotImplemented

    __hash__ = None  # pyright: ignore[reportAssignmentType]

    def __repr__(self) -> str:
        return f"Listing({self._all!r})" if self._all is not None else "Listing(<not read yet>)"


@runtime_checkable
class PagedListing(Protocol):
    """Paged, filtered listing a provider adds to :class:`prorata.provider.Provider`.

    Each call answers one page; ``next_cursor`` is opaque to core. Filters the provider
    cannot send are applied to the page it read (``SubscriptionQuery.matches``).
    """

    def subscriptions_page(self, query: SubscriptionQuery) -> Page[Subscription]: ...

    def invoices_page(self, query: InvoiceQuery) -> Page[Invoice]: ...


def subscriptions_page_of(provider: Provider, query: SubscriptionQuery) -> Page[Subscription]:
    """One page from any provider: its own pages, or its whole list filtered as one page."""
    if isinstance(provider, PagedListing):
        return provider.subscriptions_page(query)
    found = provider.list_subscriptions(customer_id=query.customer_id)
    return Page(items=tuple(sub for sub in found if query.matches(sub)))


def _per_subscription(provider: Provider, query: InvoiceQuery) -> str:
    if query.subscription_id is None:
        raise ValidationError(
            "InvoiceQuery.subscription_id",
            None,
            f"a subscription id ({provider.name} lists invoices per subscription)",
        )
    return query.subscription_id


def invoices_page_of(provider: Provider, query: InvoiceQuery) -> Page[Invoice]:
    """One page from any provider: its own pages, or a subscription's whole list as one page."""
    if isinstance(provider, PagedListing):
        return provider.invoices_page(query)
    found = provider.list_invoices(_per_subscription(provider, query))
    return Page(items=tuple(reversed(found) if query.newest_first else found))


def subscription_listing(provider: Provider, query: SubscriptionQuery) -> Listing[Subscription]:
    """A lazy listing of ``query`` on ``provider``."""
    return Listing(lambda cursor: subscriptions_page_of(provider, attrs.evolve(query, cursor=cursor)))


def invoice_listing(provider: Provider, query: InvoiceQuery) -> Listing[Invoice]:
    """A lazy listing of a subscription's (or customer's) invoices on ``provider``."""
    if not isinstance(provider, PagedListing):
        _per_subscription(provider, query)  # refuse before any call
    return Listing(lambda cursor: invoices_page_of(provider, attrs.evolve(query, cursor=cursor)))


def page_of_list(items: list[T], cursor: str | None, size: int, key: Callable[[T], str]) -> Page[T]:
    """A page of an already complete list, keyed by ``key`` (for providers without paging)."""
    start = 0
    if cursor is not None:
        start = next((i + 1 for i, item in enumerate(items) if key(item) == cursor), len(items))
    chunk = items[start : start + size]
    more = start + size < len(items)
    return Page(items=tuple(chunk), next_cursor=key(chunk[-1]) if more and chunk else None)

"""LocalProvider: the Provider interface over the local engine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from prorata._calendar import ensure_utc
from prorata._capabilities import Capabilities, ProrationSupport
from prorata._catalog import Catalog
from prorata._change import BillingCycle, PaymentFailurePolicy, PlanChange, ProrationMode, TimingKind
from prorata._config import beside_config
from prorata._errors import ConfigurationError
from prorata._event_provider import Feed
from prorata._events import BillingEvent
from prorata._invoice import Invoice
from prorata._items import CollectionMethod, Item
from prorata._listing import InvoiceQuery, Page, SubscriptionQuery
from prorata._preview import ChangePreview, ChangeResult
from prorata._provider import (
    Customer,
    NewCustomer,
    NewSubscription,
    ProviderSettings,
    TimeControl,
)
from prorata._schedule import EndBehavior
from prorata._secrets import Secret
from prorata._snapshot import SubscriptionSnapshot
from prorata._subscription import Subscription
from prorata.local._engine import LocalEngine
from prorata.local._payments import LocalPayments
from prorata.local._snapshot import local_snapshot
from prorata.local._store import Store
from prorata.local._webhooks import LocalWebhooks

__all__ = ["LOCAL_CAPABILITIES", "LocalClock", "LocalProvider"]

_KEEP, _RESET = BillingCycle.KEEP, BillingCycle.RESET

LOCAL_CAPABILITIES = Capabilities(
    proration=[
        ProrationSupport(mode=ProrationMode.PRORATE_NOW, cycle=_KEEP),
        ProrationSupport(mode=ProrationMode.PRORATE_NOW, cycle=_RESET),
        ProrationSupport(mode=ProrationMode.PRORATE_NEXT_INVOICE, cycle=_KEEP),
        ProrationSupport(mode=ProrationMode.FULL_PRICE_NOW, cycle=_RESET),
        ProrationSupport(mode=ProrationMode.PRICE_DIFFERENCE_NOW, cycle=_KEEP),
        ProrationSupport(mode=ProrationMode.PRICE_DIFFERENCE_NOW, cycle=_RESET),
        ProrationSupport(mode=ProrationMode.NO_BILLING, cycle=_KEEP),
    ],
    timings=list(TimingKind),
    multi_item=True,
    max_base_items=None,
    quantities=True,
    max_phases=10,
    end_behaviors=list(EndBehavior),
    trials=True,
    discounts=True,
    tax_rates=True,
    collection_methods=list(CollectionMethod),
    payment_failure_policies=list(PaymentFailurePolicy),
    cancel_at_period_end=True,
    resume=True,
    cancel_scheduled_change=True,
    time_control=True,
    native_idempotency=True,
    payment_setup=True,
    set_payment_method=True,
    payment_actions=True,
    pay_invoice=True,
    void_invoice=True,
    refunds=True,
    partial_refunds=True,
    events=True,
)
"""Everything the local engine really does (it is the reference for every mode)."""


class LocalClock:
    """Time control of the local provider: ``advance(to)`` runs everything due, in order."""

    def __init__(self, engine: LocalEngine) -> None:
        self._engine = engine

    def now(self) -> datetime:
        return self._engine.now()

    def advance(self, to: datetime) -> None:
        self._engine.advance(ensure_utc(to, "advance.to"))


class LocalProvider(LocalPayments):
    """The built-in provider: a real billing engine on SQLite, no account needed.

    Args:
        catalog: the plans it bills.
        database: a SQLite path, or ``":memory:"`` (the default) for a throwaway database.
        start: the clock's starting instant for a new database (default: now).
        follow_wall_clock: let time flow with the wall clock (else it moves only by advance).
        busy_timeout: seconds a write waits for another process's lock on the database
            before it fails with a retryable ``ProviderUnavailableError`` (``database_locked``).
    """

    name = "local"
    capabilities = LOCAL_CAPABILITIES

    def __init__(
        self,
        catalog: Catalog,
        *,
        database: str | Path = ":memory:",
        start: datetime | None = None,
        follow_wall_clock: bool = False,
        webhook_secret: Secret | None = None,
        busy_timeout: float = 5.0,
    ) -> None:
        self.catalog = catalog
        self.store = Store(database, busy_timeout=busy_timeout)
        self.webhooks = LocalWebhooks(self.store, webhook_secret)
        """Its signed events: ``drain()`` (in-process queue), ``add_endpoint(url)`` + ``deliver()``."""
        self.engine = LocalEngine(self.store, catalog, start=start, follow_wall_clock=follow_wall_clock)
        self._clock = LocalClock(self.engine)

    @classmethod
    def from_settings(cls, settings: ProviderSettings) -> LocalProvider:
        """Build from configuration: ``database``, ``start`` (ISO-8601), ``follow_wall_clock``.

        A relative ``database`` path is relative to the configuration file that names it.
        """
        options = dict(settings.options)
        unknown = sorted(set(options) - {"database", "start", "follow_wall_clock"})
        if unknown:
            raise ConfigurationError(
                settings.source, f"providers.local.{unknown[0]}", "one of database, start, follow_wall_clock"
            )
        database = options.get("database", ":memory:")
        if not isinstance(database, str):
            raise ConfigurationError(
                settings.source, "providers.local.database", 'a file path or ":memory:"', database
            )
        database = beside_config(database, settings.source)
        start_text = options.get("start")
        start = None
        if start_text is not None:
            try:
                start = ensure_utc(datetime.fromisoformat(str(start_text).replace("Z", "+00:00")))
            except ValueError as exc:
                raise ConfigurationError(
                    settings.source, "providers.local.start", "an ISO-8601 UTC time", start_text
                ) from exc
        follow = options.get("follow_wall_clock", False)
        if not isinstance(follow, bool):
            raise ConfigurationError(
                settings.source, "providers.local.follow_wall_clock", "true or false", follow
            )
        return cls(
            settings.catalog,
            database=database,
            start=start,
            follow_wall_clock=follow,
            webhook_secret=settings.secrets.get("webhook_secret"),
        )

    def sync_subscription(self, subscription_id: str) -> SubscriptionSnapshot:
        """Subscription, latest invoice and next payment in one transaction."""
        return local_snapshot(self.engine, subscription_id)

    def event_feed(self, *, replay: bool = False) -> Feed:
        """New events of this database as they are written (``prorata listen``)."""
        return self.webhooks.feed(replay=replay)

    def parse_event(self, headers: Mapping[str, str], body: bytes) -> BillingEvent:
        """Verify one of its own deliveries (Standard Webhooks) and read the event."""
        return self.webhooks.parse(headers, body)

    def create_customer(self, customer: NewCustomer, *, idempotency_key: str) -> Customer:
        return self.engine.create_customer(customer, idempotency_key)

    def create_subscription(self, request: NewSubscription, *, idempotency_key: str) -> Subscription:
        return self.engine.create_subscription(request, idempotency_key)

    def get_subscription(self, subscription_id: str) -> Subscription:
        return self.engine.get(subscription_id)

    def list_subscriptions(self, *, customer_id: str | None = None) -> list[Subscription]:
        return self.engine.list(customer_id)

    def subscriptions_page(self, query: SubscriptionQuery) -> Page[Subscription]:
        return self.engine.subscriptions_page(query)

    def invoices_page(self, query: InvoiceQuery) -> Page[Invoice]:
        return self.engine.invoices_page(query)

    def create_customers(self, customers: Sequence[NewCustomer]) -> list[Customer]:
        """Batch helper: create many customers in one transaction (imports, benchmarks).

        All or nothing; unlike :meth:`create_customer` it keeps no idempotency records.
        """
        return self.engine.create_customers(customers)

    def create_subscriptions(self, requests: Sequence[NewSubscription]) -> list[Subscription]:
        """Batch helper: create many subscriptions in one transaction, each billed as
        :meth:`create_subscription` bills it (first invoice, trial, anchor).

        All or nothing; it keeps no idempotency records and bypasses the change journal, so
        use it for imports and tests, not for requests a user may retry.
        """
        return self.engine.create_subscriptions(requests)

    def preview_change(
        self,
        subscription: Subscription,
        change: PlanChange,
        *,
        target: tuple[Item, ...],
        proration_time: datetime | None,
    ) -> ChangePreview:
        return self.engine.preview(subscription, change, target, proration_time)

    def apply_change(
        self,
        subscription: Subscription,
        change: PlanChange,
        *,
        target: tuple[Item, ...],
        proration_time: datetime | None,
        idempotency_key: str,
    ) -> ChangeResult:
        return self.engine.apply(subscription, change, target, proration_time, idempotency_key)

    def cancel_scheduled_change(self, subscription_id: str, *, idempotency_key: str) -> Subscription:
        return self.engine.cancel_scheduled_change(subscription_id, idempotency_key)

    def cancel_now(self, subscription_id: str, *, idempotency_key: str) -> Subscription:
        return self.engine.cancel_now(subscription_id, idempotency_key)

    def list_invoices(self, subscription_id: str) -> list[Invoice]:
        return self.engine.invoices(subscription_id)

    def balance(self, customer_id: str) -> int:
        """The customer's credit balance in minor units (local only)."""
        return self.engine.balance(customer_id)

    def time_control(self) -> TimeControl:
        return self._clock

    def close(self) -> None:
        self.store.close()

    def __repr__(self) -> str:
        return f"LocalProvider(database={self.store.path!r})"

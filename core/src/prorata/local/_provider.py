"""LocalProvider: the Provider interface over the local engine."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from prorata._calendar import ensure_utc
from prorata._capabilities import Capabilities, ProrationSupport
from prorata._catalog import Catalog
from prorata._change import BillingCycle, PaymentFailurePolicy, PlanChange, ProrationMode, TimingKind
from prorata._config import beside_config
from prorata._errors import ConfigurationError
from prorata._invoice import Invoice
from prorata._items import CollectionMethod, Item
from prorata._money import Money
from prorata._payments import PaymentSetup, Refund, RefundReason
from prorata._preview import ChangePreview, ChangeResult
from prorata._provider import (
    TEST_CARD_SUCCEEDS,
    Customer,
    NewCustomer,
    NewSubscription,
    ProviderSettings,
    TimeControl,
)
from prorata._schedule import EndBehavior
from prorata._subscription import Subscription
from prorata.local._engine import LocalEngine
from prorata.local._payments import LocalPayments
from prorata.local._store import Store

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


class LocalProvider:
    """The built-in provider: a real billing engine on SQLite, no account needed.

    Args:
        catalog: the plans it bills.
        database: a SQLite path, or ``":memory:"`` (the default) for a throwaway database.
        start: the clock's starting instant for a new database (default: now).
        follow_wall_clock: let time flow with the wall clock (else it moves only by advance).
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
    ) -> None:
        self.catalog = catalog
        self.store = Store(database)
        self.engine = LocalEngine(self.store, catalog, start=start, follow_wall_clock=follow_wall_clock)
        self._clock = LocalClock(self.engine)
        self.payments = LocalPayments(self.engine)

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
        return cls(settings.catalog, database=database, start=start, follow_wall_clock=follow)

    def create_customer(self, customer: NewCustomer, *, idempotency_key: str) -> Customer:
        return self.engine.create_customer(customer, idempotency_key)

    def set_payment_method(
        self, customer_id: str, payment_method: str | None, *, idempotency_key: str | None = None
    ) -> None:
        """Switch a customer's payment method (e.g. to ``TEST_CARD_DECLINES``)."""
        self.engine.set_payment_method(customer_id, payment_method)

    def start_payment_setup(self, customer_id: str, *, idempotency_key: str) -> PaymentSetup:
        return self.payments.start_payment_setup(customer_id, idempotency_key=idempotency_key)

    def get_payment_setup(self, setup_id: str) -> PaymentSetup:
        return self.payments.get_payment_setup(setup_id)

    def confirm_payment_setup(self, setup_id: str, payment_method: str = TEST_CARD_SUCCEEDS) -> PaymentSetup:
        """Test helper standing in for the browser: confirm a setup with a (test) payment method."""
        return self.payments.confirm_payment_setup(setup_id, payment_method)

    def complete_payment_action(self, invoice_id: str) -> Invoice:
        """Test helper standing in for the browser: the customer passes 3-D Secure."""
        return self.payments.complete_payment_action(invoice_id)

    def get_invoice(self, invoice_id: str) -> Invoice:
        return self.payments.get_invoice(invoice_id)

    def void_invoice(self, invoice_id: str, *, idempotency_key: str) -> Invoice:
        return self.payments.void_invoice(invoice_id, idempotency_key=idempotency_key)

    def refunds(self, invoice_id: str) -> list[Refund]:
        return self.payments.refunds(invoice_id)

    def refund(
        self,
        invoice_id: str,
        amount: Money,
        *,
        reason: RefundReason,
        from_balance: bool,
        idempotency_key: str,
    ) -> Refund:
        return self.payments.refund(
            invoice_id, amount, reason=reason, from_balance=from_balance, idempotency_key=idempotency_key
        )

    def customer_balance(self, customer_id: str, currency: str) -> Money:
        return self.payments.customer_balance(customer_id, currency)

    def create_subscription(self, request: NewSubscription, *, idempotency_key: str) -> Subscription:
        return self.engine.create_subscription(request, idempotency_key)

    def get_subscription(self, subscription_id: str) -> Subscription:
        return self.engine.get(subscription_id)

    def list_subscriptions(self, *, customer_id: str | None = None) -> list[Subscription]:
        return self.engine.list(customer_id)

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

    def pay_invoice(self, invoice_id: str, *, idempotency_key: str | None = None) -> Invoice:
        """Collect an open invoice now."""
        return self.engine.pay_invoice(invoice_id)

    def balance(self, customer_id: str) -> int:
        """The customer's credit balance in minor units (local only)."""
        return self.engine.balance(customer_id)

    def time_control(self) -> TimeControl:
        return self._clock

    def close(self) -> None:
        self.store.close()

    def __repr__(self) -> str:
        return f"LocalProvider(database={self.store.path!r})"

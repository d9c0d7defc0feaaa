"""The emulator's in-memory objects (mutable: the emulator is a store)."""

from __future__ import annotations

import base64
import collections
import heapq
import itertools
import secrets
import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import attrs

from prorata_emulators.kit import WebhookDelivery

__all__ = [
    "MAX_EVENTS",
    "Addon",
    "CheckoutSession",
    "Customer",
    "Discount",
    "Index",
    "LedgerEntry",
    "Payment",
    "Product",
    "Refund",
    "Scheduled",
    "State",
    "Subscription",
    "newest_ids",
]

MAX_EVENTS = 10_000
"""Webhook deliveries kept (oldest dropped first): retention stays bounded."""


@attrs.define(kw_only=True)
class Product:
    id: str
    name: str
    price: int
    currency: str
    interval: str
    interval_count: int
    trial_days: int
    tax_inclusive: bool
    tax_category: str
    addons: list[str]
    metadata: dict[str, Any]
    created_at: datetime
    term_count: int = 20
    term_interval: str = "Year"
    """The subscription period (``subscription_period_count`` / ``_interval``): a subscription
    expires when it ends (the recommended and maximum value: 20 years)."""


@attrs.define(kw_only=True)
class Addon:
    id: str
    name: str
    price: int
    currency: str
    tax_category: str
    created_at: datetime


@attrs.define(kw_only=True)
class Customer:
    id: str
    email: str
    name: str
    metadata: dict[str, Any]
    created_at: datetime
    wallet: int = 0
    ledger_keys: set[str] = attrs.field(factory=set[str])
    """Idempotency keys of manual ledger entries already made."""
    declines: bool = False
    """Emulator-only: charges on this customer's card fail."""
    saved_card: str | None = None
    """The card a past checkout saved (a mandate for later charges): ``succeeds``, ``declines``
    or ``requires_action`` (3-D Secure on every charge). Set from the emulator-only customer
    metadata ``test_card``, or when the customer pays on the hosted page; None: no card on file."""

    @property
    def payment_method_id(self) -> str | None:
        return None if self.saved_card is None else f"pm_{self.id}"


@attrs.define(kw_only=True)
class Discount:
    id: str
    code: str
    type: str
    amount: int
    preserve_on_plan_change: bool
    subscription_cycles: int | None
    restricted_to: list[str]
    name: str | None
    created_at: datetime
    times_used: int = 0


@attrs.define(kw_only=True)
class Scheduled:
    id: str
    product_id: str
    quantity: int
    addons: list[tuple[str, int]]
    effective_at: datetime
    created_at: datetime
    on_payment_failure: str
    discount_codes: list[str] | None


@attrs.define(kw_only=True)
class Subscription:
    id: str
    customer_id: str
    product_id: str
    quantity: int
    addons: list[tuple[str, int]]
    status: str
    created_at: datetime
    previous_billing_date: datetime
    next_billing_date: datetime
    trial_days: int
    metadata: dict[str, Any]
    discounts: list[tuple[str, int | None]]
    """(discount id, cycles remaining)."""
    payment_method_id: str
    expires_at: datetime | None = None
    """The end of the subscription period: no billing cycle starts there or after."""
    cancel_at_next_billing_date: bool = False
    cancelled_at: datetime | None = None
    paused_at: datetime | None = None
    scheduled: Scheduled | None = None


@attrs.define(kw_only=True)
class Payment:
    id: str
    subscription_id: str
    customer_id: str
    currency: str
    total_amount: int
    tax: int
    status: str
    charge_type: str
    created_at: datetime
    service_start: datetime
    service_end: datetime
    proration_factor: str
    product_cart: list[tuple[str, int]]
    lines: list[tuple[str, str, int]] = attrs.field(factory=list[tuple[str, str, int]])
    """(product or add-on id, name, amount): credits are negative."""
    error_code: str | None = None
    error_message: str | None = None
    metadata: dict[str, Any] = attrs.field(factory=dict[str, Any])
    """The change's metadata, copied onto the payment that settles it."""
    discounts: list[str] = attrs.field(factory=list[str])
    """Ids of the discounts applied to this payment."""
    payment_link: str | None = None
    """The hosted page where the customer pays it, while it waits for them."""


@attrs.define(kw_only=True)
class CheckoutSession:
    id: str
    product_id: str
    quantity: int
    customer: dict[str, Any]
    trial_period_days: int | None
    metadata: dict[str, Any]
    created_at: datetime
    payment_id: str | None = None
    subscription_id: str | None = None


@attrs.define(kw_only=True)
class Refund:
    id: str
    payment_id: str
    amount: int
    currency: str
    is_partial: bool
    reason: str | None
    metadata: dict[str, Any]
    created_at: datetime
    items: list[tuple[str, int]]
    """(line item id, amount refunded from it)."""


@attrs.define(kw_only=True)
class LedgerEntry:
    """One customer wallet transaction (Dodo's ``CustomerWalletTransaction``)."""

    id: str
    customer_id: str
    currency: str
    amount: int
    before_balance: int
    after_balance: int
    is_credit: bool
    event_type: str
    reason: str | None
    reference_object_id: str | None
    created_at: datetime


@attrs.define
class Index:
    """Ids grouped by a key, oldest first (creation order, which the clock keeps chronological):
    a lookup or a page costs what it returns, not what the emulator holds."""

    _ids: dict[str, list[str]] = attrs.field(factory=dict[str, list[str]])

    def add(self, key: str, ident: str) -> None:
        self._ids.setdefault(key, []).append(ident)

    def oldest(self, key: str) -> list[str]:
        return self._ids.get(key, [])

    def newest(self, key: str) -> Iterator[str]:
        return reversed(self._ids.get(key, []))


def newest_ids(everything: dict[str, Any], *filters: tuple[Index, str | None]) -> Iterator[str]:
    """Ids newest first through the first ``(index, key)`` whose key is given, else all of them."""
    for index, key in filters:
        if key is not None:
            return index.newest(key)
    return reversed(everything)


@attrs.define(kw_only=True)
class State:
    """Everything the emulator knows; guard every access with ``lock``."""

    now: datetime
    business_id: str = attrs.field(factory=lambda: "bus_" + secrets.token_hex(8))
    """Drawn per emulator: a restarted one (ids starting over) is another business."""
    brand_id: str = attrs.field(factory=lambda: "brnd_" + secrets.token_hex(8))
    tax_rate_bps: int = 0
    products: dict[str, Product] = attrs.field(factory=dict[str, Product])
    addons: dict[str, Addon] = attrs.field(factory=dict[str, Addon])
    customers: dict[str, Customer] = attrs.field(factory=dict[str, Customer])
    discounts: dict[str, Discount] = attrs.field(factory=dict[str, Discount])
    subscriptions: dict[str, Subscription] = attrs.field(factory=dict[str, Subscription])
    payments: dict[str, Payment] = attrs.field(factory=dict[str, Payment])
    refunds: dict[str, Refund] = attrs.field(factory=dict[str, Refund])
    checkouts: dict[str, CheckoutSession] = attrs.field(factory=dict[str, CheckoutSession])
    ledger: dict[str, list[LedgerEntry]] = attrs.field(factory=dict[str, list[LedgerEntry]])
    """Wallet transactions per customer id, oldest first."""
    customers_by_email: Index = attrs.field(factory=Index)
    subscriptions_by_customer: Index = attrs.field(factory=Index)
    payments_by_subscription: Index = attrs.field(factory=Index)
    payments_by_customer: Index = attrs.field(factory=Index)
    refunds_by_payment: Index = attrs.field(factory=Index)
    refunds_by_subscription: Index = attrs.field(factory=Index)
    refunds_by_customer: Index = attrs.field(factory=Index)
    discounts_by_code: dict[str, str] = attrs.field(factory=dict[str, str])
    renewals: list[tuple[datetime, str]] = attrs.field(factory=list[tuple[datetime, str]])
    """A heap of (next billing date, subscription id): what a clock move may have to renew.
    Entries go stale when a subscription changes; :meth:`due` pushes the current one."""
    webhook_secret: str = attrs.field(
        factory=lambda: "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    )
    webhook_url: str | None = None
    delivery: WebhookDelivery = attrs.field(factory=WebhookDelivery)
    """Posts each event to ``webhook_url`` (in order, retried)."""
    outbox: collections.deque[dict[str, Any]] = attrs.field(
        factory=lambda: collections.deque[dict[str, Any]](maxlen=MAX_EVENTS)
    )
    """Signed webhook deliveries: ``{"id", "type", "headers", "body"}``, the newest MAX_EVENTS."""
    lock: threading.RLock = attrs.field(factory=threading.RLock)
    _counter: itertools.count[int] = attrs.field(factory=lambda: itertools.count(1))

    def new_id(self, prefix: str) -> str:
        """A fresh id such as ``sub_000007_3f2a``."""
        return f"{prefix}_{next(self._counter):06d}{secrets.token_hex(3)}"

    def add_customer(self, customer: Customer) -> None:
        self.customers[customer.id] = customer
        self.customers_by_email.add(customer.email, customer.id)

    def add_subscription(self, sub: Subscription) -> None:
        self.subscriptions[sub.id] = sub
        self.subscriptions_by_customer.add(sub.customer_id, sub.id)
        self.due(sub)

    def due(self, sub: Subscription) -> None:
        """Record ``sub``'s next billing date in the renewal heap (after it was set or the
        subscription became active); older entries are skipped when popped."""
        heapq.heappush(self.renewals, (sub.next_billing_date, sub.id))

    def add_payment(self, payment: Payment) -> None:
        self.payments[payment.id] = payment
        self.payments_by_subscription.add(payment.subscription_id, payment.id)
        self.payments_by_customer.add(payment.customer_id, payment.id)

    def add_refund(self, refund: Refund) -> None:
        payment = self.payments[refund.payment_id]
        self.refunds[refund.id] = refund
        self.refunds_by_payment.add(payment.id, refund.id)
        self.refunds_by_subscription.add(payment.subscription_id, refund.id)
        self.refunds_by_customer.add(payment.customer_id, refund.id)

    def add_discount(self, discount: Discount) -> None:
        self.discounts[discount.id] = discount
        self.discounts_by_code[discount.code] = discount.id

    def refunds_of(self, payment_id: str) -> list[Refund]:
        """The refunds of one payment, oldest first."""
        return [self.refunds[r] for r in self.refunds_by_payment.oldest(payment_id)]

    def wallet_entry(
        self,
        customer: Customer,
        amount: int,
        *,
        currency: str,
        event_type: str,
        reason: str | None,
        reference: str | None,
    ) -> LedgerEntry:
        """Move ``amount`` (positive: credit, negative: debit) into ``customer``'s wallet."""
        entry = LedgerEntry(
            id=self.new_id("wtx"),
            customer_id=customer.id,
            currency=currency,
            amount=abs(amount),
            before_balance=customer.wallet,
            after_balance=customer.wallet + amount,
            is_credit=amount > 0,
            event_type=event_type,
            reason=reason,
            reference_object_id=reference,
            created_at=self.now,
        )
        customer.wallet += amount
        self.ledger.setdefault(customer.id, []).append(entry)
        return entry

    def discount_by_code(self, code: str) -> Discount | None:
        found = self.discounts_by_code.get(code)
        return None if found is None else self.discounts[found]

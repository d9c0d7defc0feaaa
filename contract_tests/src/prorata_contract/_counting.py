"""A provider wrapper that counts calls, to prove core refuses a change before any call."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import cast

from prorata import PlanChange
from prorata.provider import (
    Capabilities,
    ChangePreview,
    ChangeResult,
    Customer,
    Invoice,
    InvoiceQuery,
    Item,
    Money,
    NewCustomer,
    NewSubscription,
    Page,
    PaymentProvider,
    PaymentSetup,
    Provider,
    Refund,
    RefundRequest,
    Subscription,
    SubscriptionQuery,
    TimeControl,
    invoices_page_of,
    subscriptions_page_of,
)

__all__ = ["CountingProvider"]


class CountingProvider:
    """Delegates every Provider method to ``inner`` and counts the calls by method name."""

    def __init__(self, inner: Provider) -> None:
        self.inner = inner
        self.name: str = inner.name
        self.capabilities: Capabilities = inner.capabilities
        self.calls: Counter[str] = Counter()

    def _count(self, method: str) -> None:
        self.calls[method] += 1

    def create_customer(self, customer: NewCustomer, *, idempotency_key: str) -> Customer:
        self._count("create_customer")
        return self.inner.create_customer(customer, idempotency_key=idempotency_key)

    def create_subscription(self, request: NewSubscription, *, idempotency_key: str) -> Subscription:
        self._count("create_subscription")
        return self.inner.create_subscription(request, idempotency_key=idempotency_key)

    def get_subscription(self, subscription_id: str) -> Subscription:
        self._count("get_subscription")
        return self.inner.get_subscription(subscription_id)

    def list_subscriptions(self, *, customer_id: str | None = None) -> list[Subscription]:
        self._count("list_subscriptions")
        return self.inner.list_subscriptions(customer_id=customer_id)

    def subscriptions_page(self, query: SubscriptionQuery) -> Page[Subscription]:
        self._count("subscriptions_page")
        return subscriptions_page_of(self.inner, query)

    def invoices_page(self, query: InvoiceQuery) -> Page[Invoice]:
        self._count("invoices_page")
        return invoices_page_of(self.inner, query)

    def preview_change(
        self,
        subscription: Subscription,
        change: PlanChange,
        *,
        target: tuple[Item, ...],
        proration_time: datetime | None,
    ) -> ChangePreview:
        self._count("preview_change")
        return self.inner.preview_change(subscription, change, target=target, proration_time=proration_time)

    def apply_change(
        self,
        subscription: Subscription,
        change: PlanChange,
        *,
        target: tuple[Item, ...],
        proration_time: datetime | None,
        idempotency_key: str,
    ) -> ChangeResult:
        self._count("apply_change")
        return self.inner.apply_change(
            subscription,
            change,
            target=target,
            proration_time=proration_time,
            idempotency_key=idempotency_key,
        )

    def cancel_scheduled_change(self, subscription_id: str, *, idempotency_key: str) -> Subscription:
        self._count("cancel_scheduled_change")
        return self.inner.cancel_scheduled_change(subscription_id, idempotency_key=idempotency_key)

    def cancel_now(self, subscription_id: str, *, idempotency_key: str) -> Subscription:
        self._count("cancel_now")
        return self.inner.cancel_now(subscription_id, idempotency_key=idempotency_key)

    def list_invoices(self, subscription_id: str) -> list[Invoice]:
        self._count("list_invoices")
        return self.inner.list_invoices(subscription_id)

    def customer_balance(self, customer_id: str, currency: str) -> Money:
        self._count("customer_balance")
        return self.inner.customer_balance(customer_id, currency)

    def time_control(self) -> TimeControl | None:
        return self.inner.time_control()

    # -- payments (delegated when the wrapped provider has them) ----------------------------

    def _payments(self, method: str) -> PaymentProvider:
        self._count(method)
        if not callable(getattr(self.inner, method, None)):
            raise AssertionError(f"{self.name} has no {method}, yet it was called")
        return cast(PaymentProvider, self.inner)

    def start_payment_setup(self, customer_id: str, *, idempotency_key: str) -> PaymentSetup:
        return self._payments("start_payment_setup").start_payment_setup(
            customer_id, idempotency_key=idempotency_key
        )

    def get_payment_setup(self, setup_id: str) -> PaymentSetup:
        return self._payments("get_payment_setup").get_payment_setup(setup_id)

    def set_payment_method(self, customer_id: str, payment_method: str, *, idempotency_key: str) -> None:
        self._payments("set_payment_method").set_payment_method(
            customer_id, payment_method, idempotency_key=idempotency_key
        )

    def get_invoice(self, invoice_id: str) -> Invoice:
        return self._payments("get_invoice").get_invoice(invoice_id)

    def pay_invoice(self, invoice_id: str, *, idempotency_key: str) -> Invoice:
        return self._payments("pay_invoice").pay_invoice(invoice_id, idempotency_key=idempotency_key)

    def void_invoice(self, invoice_id: str, *, idempotency_key: str) -> Invoice:
        return self._payments("void_invoice").void_invoice(invoice_id, idempotency_key=idempotency_key)

    def refunds(self, invoice_id: str) -> list[Refund]:
        return self._payments("refunds").refunds(invoice_id)

    def refund(self, request: RefundRequest, *, idempotency_key: str) -> Refund:
        return self._payments("refund").refund(request, idempotency_key=idempotency_key)

    def close(self) -> None:
        """Closing the wrapper leaves the wrapped provider open (the fixture owns it)."""

"""Payments on Dodo: the first payment on Dodo's checkout (payment action), refunds.

The :class:`prorata.provider.PaymentProvider` half of :class:`prorata_dodo.DodoProvider`.
What Dodo cannot do portably is declared False in its capabilities (see docs/dodo.md,
"Payments"): there is no payment setup without a purchase, a subscription's payment method
is replaced on a hosted page, and open payments are not paid or voided by the merchant.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import attrs
import dodopayments
from dodopayments.types import Payment

from prorata import Catalog
from prorata.provider import (
    Invoice,
    Money,
    PaymentAction,
    Refund,
    RefundReason,
    RefundRequest,
    RefundStatus,
    Subscription,
    SubscriptionStatus,
    safe_cause,
)
from prorata_dodo import _mapping
from prorata_dodo._errors import translate
from prorata_dodo._pages import all_pages
from prorata_dodo._reconcile import Attempts, write

__all__ = ["REASON_KEY", "DodoPayments"]

T = TypeVar("T")

KEY = "prorata_idempotency_key"
REASON_KEY = "prorata_reason"
_REFUND_STATUS = {
    "succeeded": RefundStatus.SUCCEEDED,
    "failed": RefundStatus.FAILED,
    "pending": RefundStatus.PENDING,
    "review": RefundStatus.PENDING,
}


def _waiting(payment: Payment) -> bool:
    return (payment.status or "").startswith("requires_")


def _refund_from(refund: Any, invoice_id: str, reason: str | None = None) -> Refund:
    wanted = reason or (refund.reason if refund.reason in RefundReason.__members__.values() else None)
    return Refund(
        id=refund.refund_id,
        invoice_id=invoice_id,
        amount=Money.of(int(refund.amount or 0), str(refund.currency)),
        status=_REFUND_STATUS.get(refund.status, RefundStatus.PENDING),
        reason=RefundReason(wanted or RefundReason.REQUESTED_BY_CUSTOMER),
        created=refund.created_at,
        payment_id=refund.payment_id,
    )


class DodoPayments:
    """Mixed into DodoProvider, whose attributes these annotations name."""

    catalog: Catalog
    _client: dodopayments.DodoPayments
    _writer: dodopayments.DodoPayments
    _attempts: Attempts

    def _read(self, action: str, call: Callable[[], T]) -> T:
        try:
            return call()
        except dodopayments.DodoPaymentsError as exc:
            raise translate(exc, action) from safe_cause(exc)

    def _payment(self, payment_id: str) -> Payment:
        return self._read(
            f"retrieve payment {payment_id}", lambda: self._client.payments.retrieve(payment_id)
        )

    def _line_items(self, payment_id: str) -> Any:
        return self._read(
            f"retrieve line items of {payment_id}",
            lambda: self._client.payments.retrieve_line_items(payment_id),
        )

    # -- the first payment ------------------------------------------------------------------------

    def saved_payment_method(self, customer_id: str) -> str | None:
        """A saved method Dodo may charge without the customer (a mandate), if any."""
        found = self._read(
            f"list saved payment methods of {customer_id}",
            lambda: self._client.customers.retrieve_payment_methods(customer_id),
        )
        return next((m.payment_method_id for m in found.items if m.recurring_enabled is not False), None)

    def _action_for(self, payment: Payment, client_secret: str | None = None) -> PaymentAction:
        return PaymentAction(
            invoice_id=payment.payment_id,
            amount=Money.of(payment.total_amount, payment.currency),
            client_secret=client_secret,
            url=payment.payment_link,
            payment_id=payment.payment_id,
        )

    def with_payment_action(self, subscription: Subscription, response: Any = None) -> Subscription:
        """A pending subscription with the payment it waits for: from the creation's answer
        (``payment_link`` / ``client_secret``), else from its newest waiting payment."""
        if subscription.status is not SubscriptionStatus.INCOMPLETE:
            return subscription
        if response is not None and (response.client_secret or response.payment_link):
            payment = self._payment(response.payment_id)
            return attrs.evolve(
                subscription, payment_action=self._action_for(payment, response.client_secret)
            )
        rows = self._read(
            "list payments",
            lambda: list(all_pages(self._client.payments.list, subscription_id=subscription.id)),
        )
        for row in sorted(rows, key=lambda r: (r.created_at, r.payment_id), reverse=True):
            payment = self._payment(row.payment_id)
            if _waiting(payment):
                return attrs.evolve(subscription, payment_action=self._action_for(payment))
        return subscription

    # -- invoices (Dodo payments) and refunds -----------------------------------------------------

    def get_invoice(self, invoice_id: str) -> Invoice:
        return _mapping.invoice_from_payment(
            self.catalog, self._payment(invoice_id), self._line_items(invoice_id)
        )

    def refunds(self, invoice_id: str) -> list[Refund]:
        """The payment's refunds (``Payment.refunds``), oldest first."""
        payment = self._payment(invoice_id)
        return [
            _refund_from(r, invoice_id)
            for r in sorted(payment.refunds, key=lambda r: (r.created_at, r.refund_id))
        ]

    def refund(self, request: RefundRequest, *, idempotency_key: str) -> Refund:
        """``refunds.create``: the whole payment, or ``items[{item_id, amount}]`` taken from
        its line items in order for a partial refund; ``from_balance`` debits the customer's
        wallet by the same amount (the credit a change left there). Dodo takes no idempotency
        key: the key rides in the refund's metadata and a retry finds the refund first."""
        payment_id = request.invoice_id
        lines = self._line_items(payment_id)
        left = [(item.items_id, item.refundable_amount) for item in lines.items if item.refundable_amount > 0]
        items: list[dict[str, Any]] | None = None
        if request.amount.amount < sum(amount for _, amount in left):
            items, wanted = [], request.amount.amount
            for item_id, amount in left:
                if wanted <= 0:
                    break
                items.append({"item_id": item_id, "amount": min(amount, wanted)})
                wanted -= min(amount, wanted)
        metadata: dict[str, str | float | bool] = {KEY: idempotency_key, REASON_KEY: request.reason.value}

        def find() -> Any:
            for listed in self._payment(payment_id).refunds:
                full = self._client.refunds.retrieve(listed.refund_id)
                if (full.metadata or {}).get(KEY) == idempotency_key:
                    return full
            return None

        made = self._read("find refund", find)
        if made is None:
            options: dict[str, Any] = {} if items is None else {"items": items}
            written = write(
                "create refund",
                lambda: self._writer.refunds.create(
                    payment_id=payment_id,
                    reason=request.reason.value,
                    metadata=metadata,
                    **options,
                ),
                find,
                self._attempts,
            )
            made = written.response or written.reconciled
        assert made is not None
        if request.from_balance:
            payment = self._payment(payment_id)
            self._read(
                "debit the wallet by the refund",
                lambda: self._writer.customers.wallets.ledger_entries.create(
                    payment.customer.customer_id,
                    amount=request.amount.amount,
                    currency=payment.currency,
                    entry_type="debit",
                    idempotency_key=idempotency_key + ":wallet",
                    reason=f"refunded to the original payment ({made.refund_id})",
                ),
            )
        return _refund_from(made, payment_id, request.reason.value)

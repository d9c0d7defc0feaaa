"""Payments on Stripe: SetupIntents, default payment methods, paying and voiding invoices, refunds.

The :class:`prorata.provider.PaymentProvider` half of :class:`prorata_stripe.StripeProvider`,
kept apart from subscriptions and plan changes. Every POST carries the idempotency key core
derived for it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import stripe
from stripe.params import (
    CustomerCreateBalanceTransactionParams,
    CustomerUpdateParams,
    PaymentMethodAttachParams,
    RefundCreateParams,
    SetupIntentCreateParams,
)

from prorata import Catalog
from prorata.errors import InvalidStateError
from prorata.provider import (
    TEST_CARD_DECLINES,
    TEST_CARD_REQUIRES_ACTION,
    TEST_CARD_SUCCEEDS,
    Invoice,
    PaymentSetup,
    PaymentSetupStatus,
    Refund,
    RefundReason,
    RefundRequest,
    RefundStatus,
)
from prorata_stripe import _mapping as mapping
from prorata_stripe._amounts import from_stripe, to_stripe
from prorata_stripe._errors import stripe_errors

__all__ = ["REASON_KEY", "TEST_PAYMENT_METHODS", "StripePayments", "payment_method_id"]

TEST_PAYMENT_METHODS = {
    TEST_CARD_SUCCEEDS: "pm_card_visa",
    TEST_CARD_DECLINES: "pm_card_chargeCustomerFail",
    TEST_CARD_REQUIRES_ACTION: "pm_card_authenticationRequiredOnSetup",
}
"""Portable test cards -> Stripe test payment methods (https://docs.stripe.com/testing): the
declining one attaches, then fails charges; the 3-D Secure one asks the customer until a setup
or an authenticated payment set it up for off-session use, as on the local provider."""

PAID_INTENTS_KEPT = 10_000
"""Paid invoices whose PaymentIntent the adapter remembers (oldest forgotten first)."""

REASON_KEY = "prorata_reason"
"""Refund metadata: prorata's reason (Stripe knows only duplicate/fraudulent/requested_by_customer)."""

_STRIPE_REASONS = {
    RefundReason.DUPLICATE: "duplicate",
    RefundReason.FRAUDULENT: "fraudulent",
    RefundReason.REQUESTED_BY_CUSTOMER: "requested_by_customer",
    RefundReason.PLAN_CHANGE: "requested_by_customer",
}
_REFUND_STATUS = {
    "pending": RefundStatus.PENDING,
    "requires_action": RefundStatus.PENDING,
    "succeeded": RefundStatus.SUCCEEDED,
    "failed": RefundStatus.FAILED,
    "canceled": RefundStatus.CANCELED,
}

Recorder = Callable[[type, Mapping[str, Any]], None]


def payment_method_id(method: str) -> str:
    """A Stripe payment method id for a portable ``TEST_CARD_*`` name (others pass through)."""
    return TEST_PAYMENT_METHODS.get(method, method)


def _setup_from_stripe(intent: dict[str, Any]) -> PaymentSetup:
    method = intent.get("payment_method")
    return PaymentSetup(
        id=intent["id"],
        customer_id=intent.get("customer") or "",
        status=PaymentSetupStatus(intent["status"])
        if intent["status"] in PaymentSetupStatus.__members__.values()
        else PaymentSetupStatus.REQUIRES_PAYMENT_METHOD,
        client_secret=intent.get("client_secret"),
        payment_method=method if isinstance(method, str) else None,
    )


class StripePayments:
    """Mixed into StripeProvider, whose attrs fields these annotations name."""

    client: stripe.StripeClient
    catalog: Catalog
    recorder: Recorder | None
    _paid_intents: dict[str, tuple[str, str]]

    def _send(self, params_type: type, params: Mapping[str, Any]) -> None:
        if self.recorder is not None:
            self.recorder(params_type, params)

    # -- setups and payment methods -------------------------------------------------------------

    def start_payment_setup(self, customer_id: str, *, idempotency_key: str) -> PaymentSetup:
        """A SetupIntent for off-session use: the browser confirms it with ``client_secret``
        (Stripe.js ``confirmSetup``, https://docs.stripe.com/payments/save-and-reuse)."""
        params: SetupIntentCreateParams = {"customer": customer_id, "usage": "off_session"}
        self._send(SetupIntentCreateParams, params)
        with stripe_errors("create setup intent"):
            intent = self.client.v1.setup_intents.create(params, {"idempotency_key": idempotency_key})
        return _setup_from_stripe(intent.to_dict())

    def get_payment_setup(self, setup_id: str) -> PaymentSetup:
        with stripe_errors("retrieve setup intent"):
            return _setup_from_stripe(self.client.v1.setup_intents.retrieve(setup_id).to_dict())

    def set_payment_method(self, customer_id: str, payment_method: str, *, idempotency_key: str) -> None:
        """Attach the method (a test method id yields a new one) and make it the default for
        invoices (``invoice_settings.default_payment_method``)."""
        attach: PaymentMethodAttachParams = {"customer": customer_id}
        self._send(PaymentMethodAttachParams, attach)
        with stripe_errors("attach payment method"):
            attached = self.client.v1.payment_methods.attach(
                payment_method_id(payment_method), attach, {"idempotency_key": idempotency_key + ":attach"}
            )
            update: CustomerUpdateParams = {"invoice_settings": {"default_payment_method": attached.id}}
            self._send(CustomerUpdateParams, update)
            self.client.v1.customers.update(customer_id, update, {"idempotency_key": idempotency_key})

    # -- invoices ---------------------------------------------------------------------------------

    def get_invoice(self, invoice_id: str) -> Invoice:
        with stripe_errors("retrieve invoice"):
            found = self.client.v1.invoices.retrieve(invoice_id, {"expand": ["payments"]}).to_dict()
        self._remember(found)
        return mapping.invoice_from_stripe(self.catalog, found)

    def pay_invoice(self, invoice_id: str, *, idempotency_key: str) -> Invoice:
        with stripe_errors("pay invoice"):
            paid = self.client.v1.invoices.pay(invoice_id, {}, {"idempotency_key": idempotency_key})
        return mapping.invoice_from_stripe(self.catalog, paid.to_dict())

    def void_invoice(self, invoice_id: str, *, idempotency_key: str) -> Invoice:
        with stripe_errors("void invoice"):
            voided = self.client.v1.invoices.void_invoice(
                invoice_id, {}, {"idempotency_key": idempotency_key}
            )
        return mapping.invoice_from_stripe(self.catalog, voided.to_dict())

    # -- refunds ----------------------------------------------------------------------------------

    def _remember(self, invoice: dict[str, Any]) -> tuple[str, str] | None:
        """The PaymentIntent that paid ``invoice`` (its expanded ``payments``) and its customer,
        kept: which payment paid an invoice never changes, so refunds need not ask again."""
        payments: list[dict[str, Any]] = (invoice.get("payments") or dict[str, Any]()).get("data") or []
        for payment in payments:
            intent = payment["payment"].get("payment_intent")
            if payment.get("status") == "paid" and intent:
                if len(self._paid_intents) >= PAID_INTENTS_KEPT:
                    self._paid_intents.pop(next(iter(self._paid_intents)))
                found = (str(intent), str(invoice["customer"]))
                self._paid_intents[str(invoice["id"])] = found
                return found
        return None

    def _lookup(self, invoice_id: str) -> tuple[tuple[str, str] | None, str]:
        """The paid invoice's PaymentIntent and customer (read once, then remembered), and the
        invoice's status when it has none."""
        found = self._paid_intents.get(invoice_id)
        if found is not None:
            return found, "paid"
        with stripe_errors("retrieve invoice payments"):
            invoice = self.client.v1.invoices.retrieve(invoice_id, {"expand": ["payments"]}).to_dict()
        return self._remember(invoice), str(invoice.get("status"))

    def refunds(self, invoice_id: str) -> list[Refund]:
        found, _ = self._lookup(invoice_id)
        if found is None:
            return []
        intent = found[0]
        with stripe_errors("list refunds"):
            page = self.client.v1.refunds.list({"payment_intent": intent, "limit": 100})
            found = [_refund_from_stripe(r.to_dict(), invoice_id) for r in page.auto_paging_iter()]
        found.reverse()  # Stripe lists newest first
        return found

    def refund(self, request: RefundRequest, *, idempotency_key: str) -> Refund:
        """A refund on the invoice's PaymentIntent; ``request.from_balance``: a debit balance transaction
        of the same amount takes the credit a change left off the customer's balance, so the
        money is not given back twice (https://docs.stripe.com/api/customer_balance_transactions)."""
        invoice_id, amount, reason = request.invoice_id, request.amount, request.reason
        found, status = self._lookup(invoice_id)
        if found is None:
            raise InvalidStateError(invoice_id, status, "no payment to refund")
        intent, customer = found
        params: RefundCreateParams = {
            "payment_intent": intent,
            "amount": to_stripe(amount),
            "reason": _STRIPE_REASONS[reason],  # pyright: ignore[reportAssignmentType]
            "metadata": {REASON_KEY: reason.value, "prorata_invoice": invoice_id},
        }
        self._send(RefundCreateParams, params)
        with stripe_errors("create refund"):
            made = self.client.v1.refunds.create(params, {"idempotency_key": idempotency_key})
            if request.from_balance:
                debit: CustomerCreateBalanceTransactionParams = {
                    "amount": to_stripe(amount),
                    "currency": amount.currency.lower(),
                    "description": f"Refunded to the original payment ({made.id})",
                }
                self._send(CustomerCreateBalanceTransactionParams, debit)
                self.client.v1.customers.balance_transactions.create(
                    customer, debit, {"idempotency_key": idempotency_key + ":balance"}
                )
        return _refund_from_stripe(made.to_dict(), invoice_id)


def _refund_from_stripe(refund: dict[str, Any], invoice_id: str) -> Refund:
    metadata: dict[str, str] = refund.get("metadata") or {}
    reason = str(metadata.get(REASON_KEY) or refund.get("reason") or RefundReason.REQUESTED_BY_CUSTOMER.value)
    return Refund(
        id=refund["id"],
        invoice_id=invoice_id,
        amount=from_stripe(int(refund["amount"]), str(refund["currency"])),
        status=_REFUND_STATUS.get(str(refund.get("status")), RefundStatus.PENDING),
        reason=RefundReason(reason)
        if reason in RefundReason.__members__.values()
        else RefundReason.REQUESTED_BY_CUSTOMER,
        created=mapping.instant(int(refund["created"])),
        payment_id=refund.get("payment_intent"),
    )

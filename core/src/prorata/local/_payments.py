"""Payments on the local engine: setups, default payment methods, pay/void, refunds.

Setups and refunds live in the engine's database (its ``meta`` table), inside the same
transactions as everything else. Two test helpers stand in for the customer's browser:
:meth:`LocalPayments.confirm_payment_setup` and :meth:`LocalPayments.complete_payment_action`.
"""

from __future__ import annotations

import json

import attrs

from prorata._errors import InvalidStateError, NotFoundError, PaymentDeclinedError, ValidationError
from prorata._invoice import Invoice, InvoiceStatus
from prorata._money import Money
from prorata._payment_ops import refundable
from prorata._payments import PaymentSetup, PaymentSetupStatus, Refund, RefundRequest, RefundStatus
from prorata._provider import TEST_CARD_SUCCEEDS
from prorata._serialization import structure, unstructure
from prorata.local._actions import REQUIRES_ACTION_METHODS
from prorata.local._engine import DECLINING_PAYMENT_METHODS, PROVIDER, LocalEngine, _fingerprint  # pyright: ignore[reportPrivateUsage]
from prorata.local._store import Store

__all__ = ["LocalPayments"]


class LocalPayments:
    """The payment operations of the local provider over its engine (mixed into LocalProvider)."""

    engine: LocalEngine
    store: Store

    # -- setups -----------------------------------------------------------------------------

    def _put_setup(self, setup: PaymentSetup) -> PaymentSetup:
        self.store.set_meta(f"setup:{setup.id}", json.dumps(unstructure(setup)))
        return setup

    def get_payment_setup(self, setup_id: str) -> PaymentSetup:
        text = self.store.get_meta(f"setup:{setup_id}")
        if text is None:
            raise NotFoundError(f"no payment setup {setup_id}", provider=PROVIDER, code="resource_missing")
        return structure(json.loads(text), PaymentSetup)

    def start_payment_setup(self, customer_id: str, *, idempotency_key: str) -> PaymentSetup:
        def run() -> PaymentSetup:
            self.store.customer(customer_id)
            setup_id = self.store.next_id("seti")
            return self._put_setup(
                PaymentSetup(
                    id=setup_id,
                    customer_id=customer_id,
                    status=PaymentSetupStatus.REQUIRES_PAYMENT_METHOD,
                    client_secret=f"{setup_id}_secret",
                )
            )

        return self.engine._idempotent(  # pyright: ignore[reportPrivateUsage]
            idempotency_key, _fingerprint("setup", customer_id), PaymentSetup, run
        )

    def confirm_payment_setup(self, setup_id: str, payment_method: str = TEST_CARD_SUCCEEDS) -> PaymentSetup:
        """Test helper: the customer enters ``payment_method`` in the browser and confirms.

        A declining card leaves the setup waiting for another method and raises
        PaymentDeclinedError; a card that requires 3-D Secure is authenticated during the setup,
        so the charges made with it later succeed.
        """
        with self.store.transaction():
            setup = self.get_payment_setup(setup_id)
            if setup.status is not PaymentSetupStatus.REQUIRES_PAYMENT_METHOD:
                raise InvalidStateError(setup_id, setup.status.value, "only a waiting setup can be confirmed")
            if payment_method in DECLINING_PAYMENT_METHODS:
                raise PaymentDeclinedError(
                    f"the card of setup {setup_id} was declined", provider=PROVIDER, code="card_declined"
                )
            method = TEST_CARD_SUCCEEDS if payment_method in REQUIRES_ACTION_METHODS else payment_method
            return self._put_setup(
                attrs.evolve(setup, status=PaymentSetupStatus.SUCCEEDED, payment_method=method)
            )

    def set_payment_method(
        self, customer_id: str, payment_method: str | None, *, idempotency_key: str | None = None
    ) -> None:
        """Switch a customer's payment method (e.g. to ``TEST_CARD_DECLINES``)."""
        self.engine.set_payment_method(customer_id, payment_method)

    # -- invoices ---------------------------------------------------------------------------

    def get_invoice(self, invoice_id: str) -> Invoice:
        return self.store.invoice(invoice_id)

    def pay_invoice(self, invoice_id: str, *, idempotency_key: str | None = None) -> Invoice:
        """Collect an open invoice now (a repeated key returns the first answer)."""
        if idempotency_key is None:
            return self.engine.pay_invoice(invoice_id)
        return self.engine._idempotent(  # pyright: ignore[reportPrivateUsage]
            idempotency_key,
            _fingerprint("pay", invoice_id),
            Invoice,
            lambda: self.engine.pay_invoice(invoice_id),
        )

    def complete_payment_action(self, invoice_id: str) -> Invoice:
        """Test helper: the customer passes 3-D Secure for ``invoice_id`` in the browser.

        The invoice is paid, the subscription active, and the card counts as authenticated
        for later charges.
        """
        with self.store.transaction():
            invoice = self.store.invoice(invoice_id)
            if invoice.subscription_id is None:
                raise InvalidStateError(invoice_id, invoice.status.value, "no subscription to activate")
            state = self.store.state(invoice.subscription_id)
            if state.subscription.payment_action is None:
                raise InvalidStateError(
                    state.subscription.id, state.subscription.status.value, "no payment action is pending"
                )
            self.engine.set_payment_method(state.subscription.customer_id, TEST_CARD_SUCCEEDS)
            return self.engine.pay_invoice(invoice_id)

    def void_invoice(self, invoice_id: str, *, idempotency_key: str) -> Invoice:
        """Void an open invoice; a subscription whose action it awaited no longer has one."""
        return self.engine._idempotent(  # pyright: ignore[reportPrivateUsage]
            idempotency_key, _fingerprint("void", invoice_id), Invoice, lambda: self._void(invoice_id)
        )

    def _void(self, invoice_id: str) -> Invoice:
        with self.store.transaction():
            invoice = self.store.invoice(invoice_id)
            if invoice.status is not InvoiceStatus.OPEN:
                raise InvalidStateError(
                    invoice_id, invoice.status.value, "only an open invoice can be voided"
                )
            voided = attrs.evolve(invoice, status=InvoiceStatus.VOID)
            if invoice.subscription_id is not None:
                state = self.store.state(invoice.subscription_id)
                self.store.put_invoice(voided, state.subscription.customer_id)
                action = state.subscription.payment_action
                if action is not None and action.invoice_id == invoice_id:
                    self.engine._save(state.evolve_subscription(payment_action=None))  # pyright: ignore[reportPrivateUsage]
            return voided

    # -- refunds ----------------------------------------------------------------------------

    def refunds(self, invoice_id: str) -> list[Refund]:
        text = self.store.get_meta(f"refunds:{invoice_id}")
        return [] if text is None else [structure(item, Refund) for item in json.loads(text)]

    def refund(self, request: RefundRequest, *, idempotency_key: str) -> Refund:
        invoice_id, amount, reason = request.invoice_id, request.amount, request.reason

        def run() -> Refund:
            invoice = self.store.invoice(invoice_id)
            earlier = self.refunds(invoice_id)
            if amount.amount <= 0 or amount > refundable(invoice, earlier):
                raise ValidationError("refund.amount", amount, "a positive amount, at most what was paid")
            customer_id = self._customer_of(invoice)
            if request.from_balance:
                customer = self.store.customer(customer_id)
                self.store.update_customer(attrs.evolve(customer, balance=customer.balance - amount.amount))
            made = Refund(
                id=self.store.next_id("re"),
                invoice_id=invoice_id,
                amount=amount,
                status=RefundStatus.SUCCEEDED,
                reason=reason,
                created=self.engine.now(),
                payment_id=f"lpay_{invoice_id}",
            )
            self.store.set_meta(
                f"refunds:{invoice_id}", json.dumps([unstructure(r) for r in [*earlier, made]])
            )
            self.store.outbox.refund(made, invoice.subscription_id, customer_id)
            return made

        fingerprint = _fingerprint("refund", invoice_id, str(amount.amount), amount.currency, reason.value)
        return self.engine._idempotent(idempotency_key, fingerprint, Refund, run)  # pyright: ignore[reportPrivateUsage]

    def _customer_of(self, invoice: Invoice) -> str:
        if invoice.subscription_id is None:
            raise InvalidStateError(invoice.id, invoice.status.value, "an invoice without a subscription")
        return self.store.state(invoice.subscription_id).subscription.customer_id

    def customer_balance(self, customer_id: str, currency: str) -> Money:
        return Money.of(self.store.customer(customer_id).balance, currency)

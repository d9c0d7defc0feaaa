"""What a provider implements to take part in payments (optional, declared in Capabilities)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from prorata._invoice import Invoice
from prorata._money import Money
from prorata._payments import PaymentSetup, Refund, RefundRequest

__all__ = ["PaymentProvider"]


@runtime_checkable
class PaymentProvider(Protocol):
    """Payment operations of a provider, beside :class:`prorata.provider.Provider`.

    A provider implements only the ones its ``Capabilities`` declare (``payment_setup``,
    ``set_payment_method``, ``pay_invoice``, ``void_invoice``, ``refunds``). Core validates every
    call (state, amounts, currency) before calling; mutating calls carry an idempotency key.
    """

    def start_payment_setup(self, customer_id: str, *, idempotency_key: str) -> PaymentSetup: ...

    def get_payment_setup(self, setup_id: str) -> PaymentSetup: ...

    def set_payment_method(self, customer_id: str, payment_method: str, *, idempotency_key: str) -> None:
        """Make ``payment_method`` the customer's default for every later charge."""
        ...

    def get_invoice(self, invoice_id: str) -> Invoice: ...

    def pay_invoice(self, invoice_id: str, *, idempotency_key: str) -> Invoice:
        """Collect an open invoice with the customer's default payment method now."""
        ...

    def void_invoice(self, invoice_id: str, *, idempotency_key: str) -> Invoice: ...

    def refunds(self, invoice_id: str) -> list[Refund]:
        """Refunds already made on the invoice's payment, oldest first."""
        ...

    def refund(self, request: RefundRequest, *, idempotency_key: str) -> Refund:
        """Refund ``request.amount`` of the invoice's payment (see :class:`RefundRequest`)."""
        ...

    def customer_balance(self, customer_id: str, currency: str) -> Money:
        """The customer's credit balance (positive = credit the customer holds)."""
        ...

"""The checks and steps behind Billing's payment operations (run before any provider call)."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from prorata._errors import InvalidChangeError, InvalidStateError, UnsupportedCapabilityError, ValidationError
from prorata._idempotency import derive_key
from prorata._invoice import Invoice, InvoiceStatus
from prorata._money import Money, sum_money
from prorata._payment_provider import PaymentProvider
from prorata._payments import PaymentSetup, Refund, RefundStatus
from prorata._provider import Provider

__all__ = ["check_refund", "payment_provider", "refund_credit", "refundable", "usable_setup"]

_COUNTED = (RefundStatus.PENDING, RefundStatus.SUCCEEDED)


_METHODS: dict[str, tuple[str, ...]] = {
    "payment_setup": ("start_payment_setup", "get_payment_setup"),
    "set_payment_method": ("set_payment_method",),
    "pay_invoice": ("get_invoice", "pay_invoice"),
    "void_invoice": ("get_invoice", "void_invoice"),
    "refunds": ("get_invoice", "refunds", "refund", "customer_balance"),
}
"""The PaymentProvider methods each capability flag needs: a provider implements only the
operations it declares."""


def payment_provider(provider: Provider, flag: str, *, field: str, value: object) -> PaymentProvider:
    """The provider's payment operations, when its capabilities declare ``flag`` (checked
    before any call; a declared flag whose methods are missing is refused the same way)."""
    declared = bool(getattr(provider.capabilities, flag))
    if not declared or not all(callable(getattr(provider, name, None)) for name in _METHODS[flag]):
        raise UnsupportedCapabilityError(
            field, value, capability=flag.replace("_", " "), provider=provider.name
        )
    return cast(PaymentProvider, provider)


def usable_setup(setup: PaymentSetup, customer_id: str) -> str:
    """The payment method a succeeded setup of this customer collected."""
    if setup.customer_id != customer_id:
        raise InvalidChangeError("payment_setup.customer_id", setup.customer_id, f"a setup of {customer_id}")
    if not setup.succeeded or setup.payment_method is None:
        raise InvalidChangeError(
            "payment_setup.status", setup.status.value, "a setup the customer confirmed (succeeded)"
        )
    return setup.payment_method


def refundable(invoice: Invoice, refunds: list[Refund]) -> Money:
    """What is still refundable on a paid invoice: what was collected less earlier refunds."""
    if invoice.status is not InvoiceStatus.PAID:
        return Money.zero(invoice.currency)
    given = sum_money([r.amount for r in refunds if r.status in _COUNTED], invoice.currency)
    return invoice.totals.amount_due - given


def check_refund(
    invoice: Invoice, refunds: list[Refund], amount: Money | None, *, partial: bool, provider: str
) -> Money:
    """The amount to refund, or a typed error: not paid, other currency, <= 0, more than paid."""
    if invoice.status is not InvoiceStatus.PAID:
        raise InvalidStateError(invoice.id, invoice.status.value, "only a paid invoice can be refunded")
    left = refundable(invoice, refunds)
    if amount is None:
        amount = left
    elif amount.currency != invoice.currency:
        raise ValidationError("refund.amount", amount, f"an amount in {invoice.currency}")
    if amount.amount <= 0:
        raise ValidationError("refund.amount", amount, "a positive amount (nothing is left to refund)")
    if amount > left:
        raise ValidationError("refund.amount", amount, f"at most what is left to refund ({left})")
    if amount != left and not partial:
        raise UnsupportedCapabilityError(
            "refund.amount", amount, capability="partial refunds", provider=provider
        )
    return amount


RefundMaker = Callable[[str, Money, str], Refund]
"""``(invoice_id, amount, idempotency_key) -> Refund``: one refund of a change's credit
(taken off the customer's balance), through the journal."""


def refund_credit(
    payments: PaymentProvider,
    invoices: list[Invoice],
    credit: Money,
    *,
    exclude: str,
    key: str,
    make: RefundMaker,
    recorded: Callable[[str], Refund | None],
) -> tuple[Refund, ...]:
    """Refund ``credit`` (a change's negative amount due) to the subscription's paid invoices,
    newest first, taking it off the customer's balance. What cannot be refunded stays credit.

    Each refund's key derives from the change's ``key`` and the invoice; a refund the journal
    already ``recorded`` under it (a retried apply) counts as made and is not asked again.
    """
    made: list[Refund] = []
    left = credit
    for invoice in reversed(invoices):
        if left.amount <= 0:
            break
        if invoice.id == exclude or invoice.currency != credit.currency:
            continue
        refund_key = derive_key("refund-credit", key, invoice.id)
        earlier = recorded(refund_key)
        if earlier is None:
            available = refundable(invoice, payments.refunds(invoice.id))
            if available.amount <= 0:
                continue
            earlier = make(invoice.id, min(available, left), refund_key)
        made.append(earlier)
        left = left - earlier.amount
    return tuple(made)

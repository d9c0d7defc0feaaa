"""Test payment methods that need the customer, and the payment action the engine reports."""

from __future__ import annotations

from prorata._invoice import Invoice
from prorata._payments import TEST_CARD_REQUIRES_ACTION, PaymentAction

__all__ = ["REQUIRES_ACTION_METHODS", "payment_action_for"]

REQUIRES_ACTION_METHODS = frozenset({TEST_CARD_REQUIRES_ACTION, "pm_card_authenticationRequired"})
"""Payment methods whose charges wait for the customer (3-D Secure) on the local engine."""


def payment_action_for(invoice: Invoice) -> PaymentAction:
    """What the customer confirms to pay ``invoice`` (a local payment id and its secret)."""
    payment_id = f"lpay_{invoice.id}"
    return PaymentAction(
        invoice_id=invoice.id,
        amount=invoice.totals.amount_due,
        client_secret=f"{payment_id}_secret",
        payment_id=payment_id,
    )

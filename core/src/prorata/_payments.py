"""Payments in the portable API: payment setups, payment actions and refunds."""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from prorata._money import Money
from prorata._validators import aware, enum_of, non_empty_str, optional_utc, utc

__all__ = [
    "TEST_CARD_REQUIRES_ACTION",
    "NegativeDuePolicy",
    "PaymentAction",
    "PaymentSetup",
    "PaymentSetupStatus",
    "Refund",
    "RefundReason",
    "RefundRequest",
    "RefundStatus",
]

TEST_CARD_REQUIRES_ACTION = "test_card_requires_action"
"""Portable name of a test payment method whose charges need the customer (3-D Secure)."""


class PaymentSetupStatus(enum.StrEnum):
    """Where a payment setup stands (Stripe SetupIntent statuses, normalized)."""

    REQUIRES_PAYMENT_METHOD = "requires_payment_method"
    REQUIRES_ACTION = "requires_action"
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    CANCELED = "canceled"


@attrs.frozen(kw_only=True, slots=True)
class PaymentSetup:
    """Collects a payment method from the customer before anything is charged.

    Hand ``client_secret`` to the browser (Stripe.js ``confirmSetup``) or send the customer to
    ``url`` (a hosted page); once ``status`` is ``succeeded``, pass the setup to
    ``Billing.subscribe(..., payment_setup=...)``. The client secret is left out of repr.
    """

    id: str = attrs.field(validator=non_empty_str)
    """The provider's id of the setup (a SetupIntent, a checkout session, ...)."""
    customer_id: str = attrs.field(validator=non_empty_str)
    """The customer whose payment method is collected."""
    status: PaymentSetupStatus = attrs.field(converter=enum_of(PaymentSetupStatus, "PaymentSetup.status"))
    """Whether the customer still has to act, or the method is saved."""
    client_secret: str | None = attrs.field(default=None, repr=False)
    """For the provider's client-side SDK (hidden in reprs), if it uses one."""
    url: str | None = None
    """A page to send the customer to, if the provider hosts one."""
    expires_at: datetime | None = attrs.field(default=None, converter=optional_utc, validator=aware)
    """When the setup stops being usable (UTC), if it expires."""
    payment_method: str | None = None
    """The payment method it collected, once it succeeded."""

    @property
    def succeeded(self) -> bool:
        return self.status is PaymentSetupStatus.SUCCEEDED


@attrs.frozen(kw_only=True, slots=True)
class PaymentAction:
    """The customer must act to pay an invoice (3-D Secure, a hosted payment page).

    The browser confirms with ``client_secret`` (Stripe.js ``confirmCardPayment``) or the
    customer is sent to ``url``. The client secret is left out of repr.
    """

    invoice_id: str = attrs.field(validator=non_empty_str)
    """The invoice waiting for the customer."""
    amount: Money
    """What the customer is asked to pay."""
    client_secret: str | None = attrs.field(default=None, repr=False)
    """For the provider's client-side SDK (hidden in reprs), if it uses one."""
    url: str | None = None
    """A page to send the customer to, if the provider hosts one."""
    payment_id: str | None = None
    """The provider's payment (Stripe PaymentIntent, Dodo payment) being confirmed."""


class RefundReason(enum.StrEnum):
    REQUESTED_BY_CUSTOMER = "requested_by_customer"
    DUPLICATE = "duplicate"
    FRAUDULENT = "fraudulent"
    PLAN_CHANGE = "plan_change"
    """Refund of a negative amount due after a plan change (``NegativeDuePolicy.REFUND``)."""


class RefundStatus(enum.StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


@attrs.frozen(kw_only=True, slots=True)
class Refund:
    """Money given back on a paid invoice's payment."""

    id: str = attrs.field(validator=non_empty_str)
    """The provider's refund id."""
    invoice_id: str = attrs.field(validator=non_empty_str)
    """The invoice whose payment was refunded."""
    amount: Money
    """How much goes back (positive)."""
    status: RefundStatus = attrs.field(converter=enum_of(RefundStatus, "Refund.status"))
    """Pending, succeeded, failed or canceled."""
    reason: RefundReason = attrs.field(converter=enum_of(RefundReason, "Refund.reason"))
    """Why: requested by the customer, a duplicate, a change's credit, ..."""
    created: datetime = attrs.field(converter=utc, validator=aware)
    """When it was made (UTC)."""
    payment_id: str | None = None
    """The provider's payment the refund draws on, if it names one."""


@attrs.frozen(kw_only=True, slots=True)
class RefundRequest:
    """What core asks a provider to refund, once it checked the amount (positive, in the
    invoice's currency, at most what is left)."""

    invoice_id: str = attrs.field(validator=non_empty_str)
    """The paid invoice to refund."""
    amount: Money
    """How much to give back (positive, at most what was paid)."""
    reason: RefundReason = attrs.field(converter=RefundReason)
    """Why the money goes back."""
    from_balance: bool = False
    """The amount was credited to the customer's balance by a change: take it off the balance
    as it is refunded, so it is not given twice (``NegativeDuePolicy.REFUND``)."""


class NegativeDuePolicy(enum.StrEnum):
    """What a change whose total is negative does with the difference."""

    CREDIT = "credit"
    """Add it to the customer's credit balance; later invoices use it (the default)."""
    REFUND = "refund"
    """Refund it to the original payment; the credit balance is left as it was."""

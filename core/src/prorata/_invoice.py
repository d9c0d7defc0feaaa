"""Invoices, their lines, and the previews and results of plan changes."""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from prorata._errors import ValidationError
from prorata._items import CollectionMethod, as_tuple
from prorata._money import Money
from prorata._validators import aware, enum_of, non_empty_str, optional_utc, utc

__all__ = ["ChargeLine", "Invoice", "InvoiceStatus", "LineKind", "Totals", "UpcomingInvoice"]


class LineKind(enum.StrEnum):
    """What a line bills for."""

    RECURRING = "recurring"
    """A regular period's price."""
    PRORATION_CREDIT = "proration_credit"
    """Unused time on what the customer had (negative)."""
    PRORATION_DEBIT = "proration_debit"
    """Remaining time on what the customer gets (positive)."""
    FULL_PRICE = "full_price"
    """The full price of the new items, charged at the change."""
    PRICE_DIFFERENCE = "price_difference"
    """New price minus old price, charged (or credited) at the change."""
    DISCOUNT = "discount"
    TAX = "tax"


class InvoiceStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    PAID = "paid"
    VOID = "void"
    UNCOLLECTIBLE = "uncollectible"


@attrs.frozen(kw_only=True, slots=True)
class ChargeLine:
    """One line of an invoice or preview: an amount with what and which period it bills."""

    description: str = attrs.field(validator=non_empty_str)
    """What the line bills, as shown to the customer."""
    amount: Money
    """Positive for a charge, negative for a credit."""
    kind: LineKind = attrs.field(converter=enum_of(LineKind, "ChargeLine.kind"))
    """A regular period, a proration credit or debit, a full price or a price difference."""
    plan: str | None = None
    """The plan key the line bills, if it bills one."""
    quantity: int | None = None
    """The quantity billed, if the line bills a plan."""
    period_start: datetime | None = attrs.field(default=None, converter=optional_utc, validator=aware)
    """Start of the period the line covers (UTC), if any."""
    period_end: datetime | None = attrs.field(default=None, converter=optional_utc, validator=aware)
    """End of the period the line covers (UTC), if any."""

    @property
    def is_proration(self) -> bool:
        return self.kind in (LineKind.PRORATION_CREDIT, LineKind.PRORATION_DEBIT)


def _same_currency(lines: tuple[ChargeLine, ...], currency: str, field: str) -> None:
    for index, line in enumerate(lines):
        if line.amount.currency != currency:
            raise ValidationError(
                f"{field}[{index}].amount", line.amount, f"an amount in {currency} (mixed currencies)"
            )


@attrs.frozen(kw_only=True, slots=True)
class Totals:
    """An invoice's figures. ``total`` may be negative (a credit to the customer)."""

    subtotal: Money
    """The sum of the lines before discounts and tax."""
    discount: Money
    """What discounts took off (a positive amount)."""
    tax: Money
    """The tax added (or included, for inclusive rates)."""
    total: Money
    """Subtotal less discount plus exclusive tax; negative for a credit."""
    amount_due: Money
    """What is collected: the positive part of the total, less balance applied."""
    balance_applied: Money
    """Customer credit balance used to pay this invoice."""
    credited: Money
    """Added to the customer's credit balance (the negative part of the total)."""

    def __attrs_post_init__(self) -> None:
        currency = self.total.currency
        for name in ("subtotal", "discount", "tax", "amount_due", "balance_applied", "credited"):
            value: Money = getattr(self, name)
            if value.currency != currency:
                raise ValidationError(f"Totals.{name}", value, f"an amount in {currency} (mixed currencies)")
        for name in ("amount_due", "balance_applied", "credited"):
            if getattr(self, name).amount < 0:
                raise ValidationError(f"Totals.{name}", getattr(self, name), "a non-negative amount")

    @classmethod
    def zero(cls, currency: str) -> Totals:
        nothing = Money.zero(currency)
        return cls(
            subtotal=nothing,
            discount=nothing,
            tax=nothing,
            total=nothing,
            amount_due=nothing,
            balance_applied=nothing,
            credited=nothing,
        )


@attrs.frozen(kw_only=True, slots=True)
class Invoice:
    """An invoice a provider issued, with its lines and what happened to its payment."""

    id: str = attrs.field(validator=non_empty_str)
    """The provider's invoice id."""
    subscription_id: str | None
    """The subscription it bills (None for a one-off invoice)."""
    status: InvoiceStatus = attrs.field(converter=enum_of(InvoiceStatus, "Invoice.status"))
    """Draft, open, paid, void or uncollectible."""
    currency: str
    """ISO 4217 code of every amount on it."""
    lines: tuple[ChargeLine, ...] = attrs.field(converter=as_tuple)
    """The charged and credited lines."""
    totals: Totals
    """Subtotal, discount, tax, total and amount due."""
    created: datetime = attrs.field(converter=utc, validator=aware)
    """When the provider issued it (UTC)."""
    collection_method: CollectionMethod = attrs.field(
        default=CollectionMethod.CHARGE_AUTOMATICALLY,
        converter=enum_of(CollectionMethod, "Invoice.collection_method"),
    )
    """Charged automatically, or sent to the customer to pay."""
    due_date: datetime | None = attrs.field(default=None, converter=optional_utc, validator=aware)
    """When a sent invoice is due (UTC), if it is one."""
    reason: str = "subscription_update"
    """Why it was issued: ``subscription_create``, ``subscription_cycle``, ``subscription_update``."""
    hosted_url: str | None = None
    """The provider's page where the customer sees and pays the invoice, where it has one."""
    pdf_url: str | None = None
    """A PDF of the invoice, where the provider has one."""
    attempts: int = 0
    """How many times the provider tried to collect it (Stripe's ``attempt_count``). Part of
    ``Billing.pay_invoice``'s derived idempotency key, so paying again after a declined attempt
    (and a new card) is a new payment, not the replay of the declined one."""

    def __attrs_post_init__(self) -> None:
        _same_currency(self.lines, self.currency, "Invoice.lines")

    @property
    def total(self) -> Money:
        return self.totals.total

    @property
    def amount_due(self) -> Money:
        return self.totals.amount_due


@attrs.frozen(kw_only=True, slots=True)
class UpcomingInvoice:
    """The next regular invoice after a change, as it stands once the change is applied."""

    at: datetime = attrs.field(converter=utc, validator=aware)
    """When it will be issued (UTC)."""
    lines: tuple[ChargeLine, ...] = attrs.field(converter=as_tuple)
    """The lines it will carry."""
    totals: Totals
    """Its figures as they stand now."""

"""ChangePreview (what a change will cost) and ChangeResult (what applying it did)."""

from __future__ import annotations

from datetime import datetime

import attrs

from prorata._change import PlanChange
from prorata._invoice import ChargeLine, Invoice, Totals, UpcomingInvoice, _same_currency  # pyright: ignore[reportPrivateUsage]
from prorata._items import Item, as_tuple
from prorata._money import Money
from prorata._payments import PaymentAction, Refund
from prorata._schedule import Schedule
from prorata._subscription import Subscription
from prorata._validators import aware, non_empty_str, optional_utc, utc

__all__ = ["ChangePreview", "ChangeResult"]


@attrs.frozen(kw_only=True, slots=True)
class ChangePreview:
    """What a plan change will cost now and afterwards, before anything is changed.

    Show it to the customer, store it (it round-trips through JSON), then pass it to
    ``Billing.apply`` so the change is applied with the same ``proration_time`` and
    charges exactly ``totals.amount_due``.
    """

    provider: str = attrs.field(validator=non_empty_str)
    """The provider that priced the change."""
    subscription_id: str = attrs.field(validator=non_empty_str)
    """The subscription the change is for."""
    change: PlanChange
    """The change that was priced (apply it with ``Billing.apply(..., preview=...)``)."""
    currency: str
    """ISO 4217 code of every amount in it."""
    lines: tuple[ChargeLine, ...] = attrs.field(converter=as_tuple)
    """Lines of the invoice issued when the change takes effect (empty when none is)."""
    totals: Totals
    """Figures of that invoice; ``totals.amount_due`` is what is charged at ``effective_at``."""
    pending_lines: tuple[ChargeLine, ...] = attrs.field(default=(), converter=as_tuple)
    """Proration lines left for the next regular invoice (``prorate_next_invoice``)."""
    items: tuple[Item, ...] = attrs.field(converter=as_tuple)
    """The subscription's items once the change is in effect; for a multi-phase schedule, the
    items of the phase after the current one (``schedule`` has every phase)."""
    effective_at: datetime = attrs.field(converter=utc, validator=aware)
    """When the change takes effect (UTC)."""
    proration_time: datetime = attrs.field(converter=utc, validator=aware)
    """The instant prorations are computed at; apply reuses it."""
    period_end: datetime = attrs.field(converter=utc, validator=aware)
    """When the (new) current period ends."""
    next_invoice: UpcomingInvoice | None = None
    """The next regular invoice once the change is applied, if there is one."""
    schedule: Schedule | None = None
    """The phases that will be written, for scheduled changes."""
    created_at: datetime | None = attrs.field(default=None, converter=optional_utc, validator=aware)
    """When the preview was made (UTC)."""
    revision: str | None = attrs.field(default=None, eq=False)
    """The subscription's revision the preview was priced on (apply refuses a changed one)."""
    expires_at: datetime | None = attrs.field(default=None, converter=optional_utc, validator=aware)
    """After this instant (the provider's clock) apply refuses the preview: preview again."""
    digest: str | None = None
    """Binds the preview to its figures: apply refuses a preview whose contents were edited."""

    def __attrs_post_init__(self) -> None:
        _same_currency(self.lines, self.currency, "ChangePreview.lines")
        _same_currency(self.pending_lines, self.currency, "ChangePreview.pending_lines")

    @property
    def amount_due_now(self) -> Money:
        """Shortcut for ``totals.amount_due``."""
        return self.totals.amount_due


@attrs.frozen(kw_only=True, slots=True)
class ChangeResult:
    """What applying a change did."""

    subscription: Subscription
    """The subscription after the change."""
    invoice: Invoice | None = None
    """The invoice the change produced now (paid or open), if any."""
    schedule: Schedule | None = None
    """The schedule written for a future or multi-phase change, if any."""
    preview: ChangePreview | None = None
    """The preview that was applied, when one was given."""
    matches_preview: bool | None = None
    """Whether the invoice equals the preview's figures (None when no preview was given)."""
    replayed: bool = False
    """True when the same idempotency key had already applied this change."""
    payment_action: PaymentAction | None = None
    """Set when the customer must act to pay ``invoice`` (3-D Secure, hosted page)."""
    refunds: tuple[Refund, ...] = attrs.field(default=(), converter=as_tuple)
    """Refunds of a negative amount due (``NegativeDuePolicy.REFUND``)."""

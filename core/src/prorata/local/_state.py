"""What the local engine stores per subscription, beyond the public Subscription."""

from __future__ import annotations

from datetime import datetime

import attrs

from prorata._change import ProrationMode
from prorata._invoice import ChargeLine
from prorata._items import Item, as_tuple
from prorata._subscription import Subscription
from prorata._validators import aware, enum_of, utc

__all__ = ["LocalState", "PendingChange"]


@attrs.frozen(kw_only=True, slots=True)
class PendingChange:
    """A single change waiting for ``effective_at``, billed with ``proration`` then."""

    items: tuple[Item, ...] = attrs.field(converter=as_tuple)
    effective_at: datetime = attrs.field(converter=utc, validator=aware)
    proration: ProrationMode = attrs.field(converter=enum_of(ProrationMode, "PendingChange.proration"))


@attrs.frozen(kw_only=True, slots=True)
class LocalState:
    """A subscription as the engine keeps it: the public view plus its private bookkeeping."""

    subscription: Subscription
    pending_lines: tuple[ChargeLine, ...] = attrs.field(default=(), converter=as_tuple)
    """Prorations waiting for the next regular invoice."""
    pending_change: PendingChange | None = None
    phase_index: int = 0
    """Index of the schedule phase in effect (when a schedule is attached)."""
    trial_notice_sent: bool = False
    """The trial-will-end notice of the current trial went out."""

    def evolve_subscription(self, **changes: object) -> LocalState:
        return attrs.evolve(self, subscription=attrs.evolve(self.subscription, **changes))  # pyright: ignore[reportArgumentType]

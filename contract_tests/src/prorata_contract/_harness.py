"""The helper every standard test works through: subscribe, read back, move time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from fractions import Fraction

import attrs

from prorata import Billing, Capabilities, Catalog, Customer, Invoice, Item, Subscription, TimeControl

__all__ = ["Contract", "CustomerFactory"]

CustomerFactory = Callable[[], Customer]
"""Makes a fresh customer able to pay (on Stripe: attached to the test clock)."""


@attrs.frozen(kw_only=True)
class Contract:
    """The provider under test, its clock and its customers, as the standard tests see them."""

    billing: Billing
    time_control: TimeControl | None
    customer_factory: CustomerFactory

    @property
    def provider(self) -> str:
        return self.billing.provider.name

    @property
    def catalog(self) -> Catalog:
        return self.billing.catalog

    @property
    def capabilities(self) -> Capabilities:
        return self.billing.provider.capabilities

    def subscribe(self, items: str | Sequence[Item] = "basic", **options: object) -> Subscription:
        """A new customer subscribed to ``items`` (no trial), paid and active."""
        customer = self.customer_factory()
        options.setdefault("trial_days", 0)
        return self.billing.subscribe(customer.id, items, **options)  # pyright: ignore[reportArgumentType]

    def get(self, subscription: Subscription | str) -> Subscription:
        return self.billing.get(subscription if isinstance(subscription, str) else subscription.id)

    def invoices(self, subscription: Subscription | str) -> list[Invoice]:
        return self.billing.invoices(subscription if isinstance(subscription, str) else subscription.id)

    def clock(self) -> TimeControl:
        """The provider's clock; tests that call this declare ``requires(time_control=True)``."""
        if self.time_control is None:
            raise AssertionError(f"provider {self.provider!r} gave no time_control fixture value")
        return self.time_control

    def advance(self, to: datetime) -> None:
        """Move the clock to ``to`` (never backwards)."""
        clock = self.clock()
        if to > clock.now():
            clock.advance(to)

    def pass_boundary(self, when: datetime, *, slack: timedelta = timedelta(hours=1)) -> None:
        """Move the clock just past ``when`` so everything due then has run."""
        self.advance(when + slack)

    def into_period(self, subscription: Subscription, fraction: Fraction = Fraction(1, 2)) -> Subscription:
        """Move ``fraction`` of the way into the current period (no-op without a clock)."""
        if self.time_control is not None and fraction > 0:
            start, end = subscription.current_period_start, subscription.current_period_end
            seconds = int((end - start).total_seconds() * fraction)
            self.advance(start + timedelta(seconds=seconds))
        return self.get(subscription)

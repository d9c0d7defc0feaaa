"""Stripe test clocks as prorata's TimeControl."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import attrs
import stripe

from prorata.errors import InvalidChangeError, ProviderUnavailableError
from prorata.provider import Interval, add_intervals
from prorata_stripe._errors import stripe_errors

__all__ = ["TestClockControl"]


@attrs.define
class TestClockControl:
    """Moves a Stripe test clock; customers created on it move with it (renewals, phases, trials)."""

    __test__ = False  # not a pytest test class

    client: stripe.StripeClient = attrs.field(repr=False)
    clock_id: str
    poll_seconds: float = 0.5
    timeout_seconds: float = 180.0
    intervals: tuple[Interval, ...] = ()
    """The catalog's billing intervals: Stripe advances a clock at most two of the shortest
    subscription interval at once (https://docs.stripe.com/api/test_clocks/advance), so a longer
    advance goes in hops of that size."""

    def now(self) -> datetime:
        with stripe_errors("retrieve test clock"):
            clock = self.client.v1.test_helpers.test_clocks.retrieve(self.clock_id)
        return datetime.fromtimestamp(clock.frozen_time, tz=UTC)

    def advance(self, to: datetime) -> None:
        """Advance to ``to`` and wait until Stripe has run everything due (status ``ready``)."""
        if to.tzinfo is None:
            raise InvalidChangeError("TimeControl.advance.to", to, "a timezone-aware datetime")
        if not self.intervals:
            self._advance_once(int(to.timestamp()))
            return
        now = self.now()
        while True:  # at least one request, so an advance backwards is refused as Stripe refuses it
            hop = min([to, *(add_intervals(now, interval, 2) for interval in self.intervals)])
            self._advance_once(int(hop.timestamp()))
            if hop >= to:
                return
            now = hop

    def _advance_once(self, target: int) -> None:
        with stripe_errors("advance test clock"):
            clock = self.client.v1.test_helpers.test_clocks.advance(self.clock_id, {"frozen_time": target})
            deadline = time.monotonic() + self.timeout_seconds
            pause = 0.0  # the advance answers "advancing": look again at once, then every poll_seconds
            while clock.status != "ready":
                if time.monotonic() > deadline:
                    raise ProviderUnavailableError(
                        f"test clock {self.clock_id} still {clock.status}", provider="stripe"
                    )
                time.sleep(pause)
                pause = self.poll_seconds
                clock = self.client.v1.test_helpers.test_clocks.retrieve(self.clock_id)

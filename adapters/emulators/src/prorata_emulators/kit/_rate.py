"""A server-side token bucket: the emulators' stand-in for a provider's per-second rate limit.

Stripe documents 25 requests per second per endpoint (and globally in a sandbox), 100 globally
in live mode (https://docs.stripe.com/rate-limits); a request over the limit gets 429 with
``Retry-After``. The bucket holds one second of requests, so a client pacing itself at the
limit never sees a 429, and one going faster does.
"""

from __future__ import annotations

import math
import threading
import time

__all__ = ["WriteLimit"]


class WriteLimit:
    """At most ``per_second`` write requests per second (bursts up to one second's worth)."""

    def __init__(self, per_second: float) -> None:
        self.per_second = float(per_second)
        self.capacity = max(1.0, self.per_second)
        """One second's worth of requests, and at least one (a limit under 1/s still lets one through)."""
        self._tokens = self.capacity
        self._updated = time.monotonic()
        self._lock = threading.Lock()
        self.refused = 0

    def take(self) -> int | None:
        """None when the request may go through, else the ``Retry-After`` seconds to send."""
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.per_second)
            self._updated = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return None
            self.refused += 1
            return max(1, math.ceil((1.0 - self._tokens) / self.per_second))

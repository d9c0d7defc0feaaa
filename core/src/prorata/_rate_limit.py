"""A thread-safe, adaptive token bucket for bulk writes at a provider's documented limit.

Written here rather than taken from a library because a migration needs two things the
common limiters (``pyrate-limiter``, ``aiolimiter``) keep fixed: the rate changes at run time
(halved on a 429, then grown back by a tenth of the limit per second of clean traffic: AIMD)
and every worker pauses together until a ``Retry-After`` instant.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["AdaptiveRateLimiter"]


class AdaptiveRateLimiter:
    """At most ``rate`` acquisitions per second on average, bursts up to ``burst``.

    Args:
        rate: the ceiling (the provider's documented limit for the calls it paces).
        burst: tokens the bucket holds (default 1, at least 1). With one, a thread that wakes
            late from its wait (a busy interpreter, the OS timer) loses that time for good: the
            bucket was full. Above one, the late part stays in the bucket for the next call.
        clock / sleep: injectable for tests.
    """

    def __init__(
        self,
        rate: float,
        *,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.ceiling = float(rate)
        self.rate = float(rate)
        self._burst = max(1.0, float(burst) if burst is not None else 1.0)
        self._tokens = self._burst
        self._clock = clock
        self._sleep = sleep
        self._updated = clock()
        self._paused_until = 0.0
        self._lock = threading.Lock()
        self.throttled = 0
        """How many times the provider said 429."""

    @property
    def burst(self) -> float:
        """Tokens the bucket holds: above one, a wait overslept is made up afterwards."""
        return self._burst

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._updated)
        self._updated = now
        self._tokens = min(self._burst, self._tokens + elapsed * self.rate)
        if self.rate < self.ceiling:  # additive increase back to the ceiling
            self.rate = min(self.ceiling, self.rate + elapsed * self.ceiling / 10)

    def acquire(self) -> None:
        """Block until one call may be sent."""
        while True:
            with self._lock:
                now = self._clock()
                self._refill(now)
                if now < self._paused_until:
                    wait = self._paused_until - now
                elif self._tokens >= 1.0 - 1e-9:  # float rounding after an exact wait
                    self._tokens = max(0.0, self._tokens - 1.0)
                    return
                else:
                    wait = (1.0 - self._tokens) / self.rate
            self._sleep(wait)

    def throttle(self, retry_after: float | None) -> None:
        """The provider answered 429: halve the rate and pause everyone for ``retry_after``."""
        with self._lock:
            now = self._clock()
            self._refill(now)
            self.throttled += 1
            self.rate = max(self.ceiling / 20, self.rate / 2)
            self._tokens = 0.0
            pause = retry_after if retry_after is not None and retry_after > 0 else 1.0 / self.rate
            self._paused_until = max(self._paused_until, now + pause)

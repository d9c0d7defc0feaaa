"""What stands in front of an emulator's routes: request counts, the write limit and faults.

Both emulators ask the gate before serving an API request; it answers with an
:class:`Admission`: either a :class:`Refusal` to render in the provider's own error shape
(a 429 or an injected error before commit), or the fault to act out once the request has been
applied (``drop_after_commit``, ``error_after_commit``). Latency faults sleep here.
"""

from __future__ import annotations

import collections
import threading
import time

import attrs

from prorata_emulators.kit._faults import COMMITTED, Fault, Faults
from prorata_emulators.kit._rate import WriteLimit

__all__ = ["Admission", "Gate", "Refusal"]


@attrs.frozen(kw_only=True, slots=True)
class Refusal:
    """Answer ``status`` without applying the request; ``retry_after`` is set on a 429."""

    status: int
    retry_after: int | None = None

    @property
    def rate_limited(self) -> bool:
        return self.status == 429


@attrs.frozen(kw_only=True, slots=True)
class Admission:
    """The gate's answer: ``refusal`` (do nothing) or an ``after_commit`` fault to act out."""

    refusal: Refusal | None = None
    after_commit: Fault | None = None

    @property
    def drop(self) -> bool:
        """Close the connection without answering, once the request has been applied."""
        return self.after_commit is not None and self.after_commit.kind == "drop_after_commit"

    @property
    def error_after_commit(self) -> int | None:
        """The status to answer once the request has been applied, if any."""
        fault = self.after_commit
        return fault.status if fault is not None and fault.kind == "error_after_commit" else None


@attrs.define
class Gate:
    """Counts requests per route, applies the write limit and the armed faults (thread-safe)."""

    faults: Faults = attrs.field(factory=Faults)
    write_limit: WriteLimit | None = None
    """A per-second limit on writes (non-GET requests), answered with 429 and Retry-After."""
    _counts: collections.Counter[str] = attrs.field(factory=lambda: collections.Counter[str]())
    _lock: threading.Lock = attrs.field(factory=threading.Lock)

    def limit_writes(self, per_second: float | None) -> None:
        """Refuse writes over ``per_second`` with 429 (None: no limit, the default)."""
        self.write_limit = None if per_second is None else WriteLimit(per_second)

    def request_counts(self) -> dict[str, int]:
        """API requests served per route name (their sum is the total)."""
        with self._lock:
            return dict(self._counts)

    def reset_counts(self) -> None:
        with self._lock:
            self._counts.clear()

    def admit(self, route: str, *, write: bool) -> Admission:
        """Count a request to ``route`` and decide what happens to it."""
        with self._lock:
            self._counts[route] += 1
        limit = self.write_limit
        wait = limit.take() if limit is not None and write else None
        if wait is not None:
            return Admission(refusal=Refusal(status=429, retry_after=wait))
        fault = self.faults.take(route)
        if fault is None:
            return Admission()
        if fault.kind == "rate_limit":
            return Admission(refusal=Refusal(status=429, retry_after=fault.retry_after))
        if fault.kind == "error_before_commit":
            return Admission(refusal=Refusal(status=fault.status))
        if fault.kind == "latency":
            time.sleep(fault.delay)
            return Admission()
        assert fault.kind in COMMITTED
        return Admission(after_commit=fault)

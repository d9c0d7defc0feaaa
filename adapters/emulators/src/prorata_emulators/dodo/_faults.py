"""Injected faults: dropped responses, 5xx before or after the commit, 429 with Retry-After."""

from __future__ import annotations

import threading
from typing import Literal

import attrs

__all__ = ["FAULT_KINDS", "Fault", "Faults"]

FaultKind = Literal["drop_after_commit", "error_after_commit", "error_before_commit", "rate_limit"]
FAULT_KINDS: tuple[str, ...] = (
    "drop_after_commit",
    "error_after_commit",
    "error_before_commit",
    "rate_limit",
)


@attrs.define(kw_only=True)
class Fault:
    """Fail the next ``times`` requests to ``route`` (e.g. ``POST /subscriptions/{id}/change-plan``)."""

    route: str
    kind: FaultKind
    times: int = 1
    retry_after: int = 1


@attrs.define
class Faults:
    """The queue of armed faults, consumed in order."""

    _armed: list[Fault] = attrs.field(factory=list[Fault])
    _lock: threading.Lock = attrs.field(factory=threading.Lock)

    def arm(self, fault: Fault) -> None:
        with self._lock:
            self._armed.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._armed.clear()

    def take(self, route: str) -> Fault | None:
        """The fault to inject on this request to ``route``, if one is armed."""
        with self._lock:
            for fault in self._armed:
                if fault.route == route:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._armed.remove(fault)
                    return fault
        return None

"""Injected faults both emulators honour: what a real provider (or the network) does to you.

- ``error_before_commit``: answer ``status`` (500) without doing anything;
- ``error_after_commit``: do the request, then answer ``status`` (the caller cannot know);
- ``drop_after_commit``: do the request, then close the connection without an answer;
- ``rate_limit``: answer 429 with ``Retry-After: retry_after`` without doing anything;
- ``latency``: wait ``delay`` seconds, then serve the request normally.

Arm one with ``arm(Fault(...))`` (or ``POST /_emulator/faults`` with the same fields as JSON) for
the next ``times`` requests to ``route`` (``"POST /v1/subscriptions/{id}"``; a trailing ``*`` makes
it a prefix, ``None`` any route), or make a
share of all requests fail with ``randomly(rate, kinds, seed=...)`` for soak tests.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping, Sequence
from typing import Any, Literal, cast, get_args

import attrs

__all__ = ["FAULT_KINDS", "Fault", "FaultKind", "Faults", "fault_from_json"]

FaultKind = Literal["drop_after_commit", "error_after_commit", "error_before_commit", "rate_limit", "latency"]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)
COMMITTED: frozenset[str] = frozenset({"drop_after_commit", "error_after_commit"})
"""Kinds after which the request has been applied."""


@attrs.define(kw_only=True)
class Fault:
    """Fail the next ``times`` requests to ``route`` (its name; ``*`` at the end: a prefix; None: any)."""

    kind: FaultKind
    route: str | None = None
    times: int = 1
    status: int = 500
    retry_after: int = 1
    delay: float = 0.0

    def matches(self, route: str) -> bool:
        """``route`` is the name (``POST /v1/subscriptions/{id}``); a trailing ``*`` is a prefix."""
        if self.route is None or route == self.route:
            return True
        return self.route.endswith("*") and route.startswith(self.route[:-1])


def fault_from_json(data: object) -> Fault:
    """A fault from the JSON body of ``POST /_emulator/faults``; ``ValueError`` when malformed."""
    if not isinstance(data, Mapping):
        raise ValueError("a JSON object with at least 'kind'")
    fields = cast(Mapping[str, Any], data)
    unknown = set(fields) - {"kind", "route", "times", "status", "retry_after", "delay"}
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    kind = fields.get("kind")
    if kind not in FAULT_KINDS:
        raise ValueError(f"kind must be one of {', '.join(FAULT_KINDS)}")
    times, status, retry_after = (
        fields.get("times", 1),
        fields.get("status", 500),
        fields.get("retry_after", 1),
    )
    delay = fields.get("delay", 0.0)
    route = fields.get("route")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (times, status, retry_after)):
        raise ValueError("times, status and retry_after are integers")
    if not isinstance(delay, (int, float)) or isinstance(delay, bool) or not 0 <= delay <= 60:
        raise ValueError("delay is a number of seconds from 0 to 60")
    if route is not None and not isinstance(route, str):
        raise ValueError("route is a string such as 'POST /v1/subscriptions'")
    if times < 1 or not 400 <= status <= 599 or retry_after < 0:
        raise ValueError("times >= 1, status 400-599, retry_after >= 0")
    return Fault(
        kind=cast(FaultKind, kind),
        route=route,
        times=times,
        status=status,
        retry_after=retry_after,
        delay=float(delay),
    )


@attrs.define
class Faults:
    """Armed faults, consumed in order, and an optional random failure rate."""

    _armed: list[Fault] = attrs.field(factory=list[Fault])
    _lock: threading.Lock = attrs.field(factory=threading.Lock)
    _rate: float = 0.0
    _kinds: tuple[FaultKind, ...] = ()
    _random_route: str | None = None
    _rng: random.Random = attrs.field(factory=random.Random)
    _random_retry_after: int = 1
    injected: dict[str, int] = attrs.field(factory=dict[str, int])
    """How many faults of each kind were injected so far."""

    def arm(self, fault: Fault) -> None:
        with self._lock:
            self._armed.append(fault)

    def randomly(
        self,
        rate: float,
        kinds: Sequence[FaultKind],
        *,
        seed: int = 0,
        route: str | None = None,
        retry_after: int = 1,
    ) -> None:
        """Fail a share ``rate`` (0-1) of requests to ``route`` with one of ``kinds`` at random
        (429s ask for ``retry_after`` seconds)."""
        if not 0 <= rate <= 1 or (rate and not kinds):
            raise ValueError("rate from 0 to 1, with at least one kind")
        with self._lock:
            self._rate, self._kinds, self._random_route = rate, tuple(kinds), route
            self._rng = random.Random(seed)
            self._random_retry_after = retry_after

    def clear(self) -> None:
        with self._lock:
            self._armed.clear()
            self._rate, self._kinds = 0.0, ()

    def take(self, route: str) -> Fault | None:
        """The fault to inject on this request to ``route``, if any."""
        with self._lock:
            chosen = self._take_armed(route) or self._take_random(route)
            if chosen is not None:
                self.injected[chosen.kind] = self.injected.get(chosen.kind, 0) + 1
            return chosen

    def _take_armed(self, route: str) -> Fault | None:
        for fault in self._armed:
            if fault.matches(route):
                fault.times -= 1
                if fault.times <= 0:
                    self._armed.remove(fault)
                return fault
        return None

    def _take_random(self, route: str) -> Fault | None:
        if not self._rate:
            return None
        if self._random_route is not None and not Fault(kind="latency", route=self._random_route).matches(
            route
        ):
            return None
        if self._rng.random() >= self._rate:
            return None
        return Fault(kind=self._rng.choice(self._kinds), route=route, retry_after=self._random_retry_after)

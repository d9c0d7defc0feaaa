"""Time passing: renewals, draft renewal invoices finalized an hour later, trial ends,
period-end cancellations and schedule phase transitions,
run in time order (at one instant, schedules start and change phase before periods renew).

Due steps sit in a heap keyed by (time, order): an advance costs O(log n) per step it runs,
whatever the number of subscriptions. Entries are checked against the object when they come
up, so a step that a previous one made moot (a canceled subscription) is skipped.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterator

from prorata_emulators.stripe._invoices import finalize_draft
from prorata_emulators.stripe._schedules import advance_schedule, start_schedule
from prorata_emulators.stripe._store import JSON, Store
from prorata_emulators.stripe._subscriptions import (
    INCOMPLETE_SECONDS,
    TRIAL_WILL_END_NOTICE,
    expire_incomplete,
    expire_pending_update,
    renew,
    trial_will_end,
)

__all__ = ["run_until"]

_LIVE = ("active", "trialing", "past_due")
_KINDS = ("subscription_schedule", "subscription")

Step = tuple[int, int, str]
"""(due time, order at that instant, what to do)."""


def _steps(obj: JSON) -> Iterator[Step]:
    if obj["object"] == "subscription_schedule":
        if obj["status"] == "not_started":
            yield int(obj["phases"][0]["start_date"]), 0, "start"
        elif obj["status"] == "active" and obj["current_phase"] is not None:
            yield int(obj["current_phase"]["end_date"]), 1, "phase"
        return
    if obj.get("_draft_due") is not None:
        yield int(obj["_draft_due"]), 0, "finalize"
    if obj["status"] == "incomplete":
        yield int(obj["created"]) + INCOMPLETE_SECONDS, 0, "expire_incomplete"
    if obj.get("pending_update"):
        yield int(obj["pending_update"]["expires_at"]), 0, "expire_update"
    if obj["status"] == "trialing" and not obj.get("_trial_will_end_sent"):
        yield max(int(obj["trial_end"]) - TRIAL_WILL_END_NOTICE, int(obj["created"])), 0, "trial_will_end"
    if obj["status"] in _LIVE:
        yield int(obj["items"]["data"][0]["current_period_end"]), 2, "renew"


class _Agenda:
    """The heap of due steps of some customers' subscriptions and schedules."""

    def __init__(self, store: Store, customers: set[str]) -> None:
        self._store = store
        self._customers = customers
        self._heap: list[tuple[int, int, int, str, str, str]] = []
        self._order = itertools.count()
        self._done: set[tuple[str, str, Step]] = set()
        self._created_seen = len(store.created)
        for kind in _KINDS:
            for customer in customers:
                for obj in store.of_customer(kind, customer):
                    self.push(obj)

    def push(self, obj: JSON | None) -> None:
        if obj is None or obj.get("customer") not in self._customers:
            return
        for at, order, what in _steps(obj):
            heapq.heappush(self._heap, (at, order, next(self._order), what, obj["object"], obj["id"]))

    def push_created(self) -> None:
        """Objects a step created (a schedule starting creates its subscription)."""
        created = self._store.created
        for kind, object_id in created[self._created_seen :]:
            if kind in _KINDS:
                self.push(self._store.peek(kind, object_id))
        self._created_seen = len(created)

    def pop_due(self, target: int) -> tuple[Step, JSON] | None:
        """The next step due at or before ``target`` that still applies to its object."""
        while self._heap and self._heap[0][0] <= target:
            at, order, _, what, kind, object_id = heapq.heappop(self._heap)
            step = (at, order, what)
            seen = self._store.peek(kind, object_id)
            key = (kind, object_id, step)
            if seen is None or key in self._done or step not in set(_steps(seen)):
                continue
            self._done.add(key)
            return step, self._store.get(kind, object_id)
        return None


_RUN: dict[str, Callable[[Store, JSON, int], None]] = {
    "start": start_schedule,
    "phase": advance_schedule,
    "trial_will_end": trial_will_end,
    "finalize": finalize_draft,
    "expire_incomplete": expire_incomplete,
    "expire_update": expire_pending_update,
    "renew": renew,
}
"""What each step of :func:`_steps` runs."""


def run_until(store: Store, target: int, customers: set[str], stop: Callable[[], bool] | None = None) -> int:
    """Run every due event of ``customers``' subscriptions up to ``target``; returns the time reached.

    Nothing due is left behind: when this returns without ``stop``, every step up to ``target``
    has run. ``stop`` is checked after each step (previews stop at the first new invoice).
    """
    reached = store.frozen
    agenda = _Agenda(store, customers)
    while (due := agenda.pop_due(target)) is not None:
        (at, _, what), obj = due
        store.frozen = at
        reached = at
        _RUN[what](store, obj, at)
        agenda.push(store.peek(obj["object"], obj["id"]))
        related = obj.get("subscription") if obj["object"] == "subscription_schedule" else obj.get("schedule")
        if isinstance(related, str):
            agenda.push(store.peek(_KINDS[1] if obj["object"] == _KINDS[0] else _KINDS[0], related))
        agenda.push_created()
        if stop is not None and stop():
            break
    return reached if reached is not None else target

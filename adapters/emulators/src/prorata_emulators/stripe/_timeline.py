"""Time passing: renewals, trial ends, period-end cancellations and schedule phase transitions,
run in time order (at one instant, schedules start and change phase before periods renew)."""

from __future__ import annotations

from collections.abc import Callable

from prorata_emulators.stripe._schedules import advance_schedule, start_schedule
from prorata_emulators.stripe._store import JSON, Store
from prorata_emulators.stripe._subscriptions import TRIAL_WILL_END_NOTICE, renew, trial_will_end

__all__ = ["run_until"]

_LIVE = ("active", "trialing", "past_due")
_MAX_STEPS = 5000


def _next_step(
    store: Store, subscriptions: set[str], customers: set[str]
) -> tuple[int, int, str, JSON] | None:
    """The earliest due step, read-only (``run_until`` takes a writable copy of its object)."""
    steps: list[tuple[int, int, str, JSON]] = []
    for schedule in store.scan("subscription_schedule"):
        if schedule["customer"] not in customers:
            continue
        if schedule["status"] == "not_started":
            steps.append((int(schedule["phases"][0]["start_date"]), 0, "start", schedule))
        elif (
            schedule["status"] == "active"
            and schedule["current_phase"] is not None
            and schedule["subscription"] in subscriptions
        ):
            steps.append((int(schedule["current_phase"]["end_date"]), 1, "phase", schedule))
    for subscription_id in subscriptions:
        subscription = store.peek("subscription", subscription_id)
        if subscription is None:
            continue
        if subscription["status"] == "trialing" and not subscription.get("_trial_will_end_sent"):
            notice = max(int(subscription["trial_end"]) - TRIAL_WILL_END_NOTICE, int(subscription["created"]))
            steps.append((notice, 0, "trial_will_end", subscription))
        if subscription["status"] in _LIVE:
            steps.append(
                (int(subscription["items"]["data"][0]["current_period_end"]), 2, "renew", subscription)
            )
    return min(steps, key=lambda s: (s[0], s[1])) if steps else None


def run_until(store: Store, target: int, customers: set[str], stop: Callable[[], bool] | None = None) -> int:
    """Run every due event of ``customers``' subscriptions up to ``target``; returns the time reached.

    ``stop`` is checked after each event (previews stop at the first new invoice).
    """
    reached = store.frozen
    for _ in range(_MAX_STEPS):
        subscriptions = {s["id"] for s in store.scan("subscription") if s["customer"] in customers}
        step = _next_step(store, subscriptions, customers)
        if step is None or step[0] > target:
            break
        at, _, kind, seen = step
        obj = store.get(seen["object"], seen["id"])
        store.frozen = at
        reached = at
        if kind == "start":
            start_schedule(store, obj, at)
        elif kind == "phase":
            advance_schedule(store, obj, at)
        elif kind == "trial_will_end":
            trial_will_end(store, obj, at)
        else:
            renew(store, obj, at)
        if stop is not None and stop():
            break
    return reached if reached is not None else target

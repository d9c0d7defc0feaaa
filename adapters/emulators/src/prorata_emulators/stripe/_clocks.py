"""Test clocks: frozen time for customers; advancing runs everything that falls due."""

from __future__ import annotations

from stripe.params.test_helpers import TestClockAdvanceParams, TestClockCreateParams

from prorata.provider import Interval, IntervalUnit
from prorata_emulators.stripe._calendar import interval_of, shift
from prorata_emulators.stripe._errors import invalid
from prorata_emulators.stripe._events import emit
from prorata_emulators.stripe._lists import list_response
from prorata_emulators.stripe._routing import Call, Route, route
from prorata_emulators.stripe._store import JSON, Store
from prorata_emulators.stripe._timeline import run_until

__all__ = ["ADVANCE_LIMIT_INTERVALS", "ROUTES"]

_KIND = "test_helpers.test_clock"


def _create(call: Call) -> JSON:
    store, p = call.store, call.params
    frozen = call.int_param("frozen_time")
    if frozen is None:
        raise invalid("Missing required param: frozen_time.", "frozen_time", code="parameter_missing")
    clock: JSON = {
        "id": store.new_id("clock"),
        "object": _KIND,
        "created": store.clock_time(None),
        "deletes_after": frozen + 30 * 86400,
        "frozen_time": frozen,
        "livemode": False,
        "name": p.get("name"),
        "status": "ready",
        "status_details": {"advancing": None},
    }
    store.put(clock)
    emit(store, "test_helpers.test_clock.created", clock, at=frozen)
    return clock


ADVANCE_LIMIT_INTERVALS = 2
"""``frozen_time`` "cannot be more than two intervals in the future from the shortest subscription
in this test clock. If there are no subscriptions in this test clock, it cannot be more than two
years in the future" (https://docs.stripe.com/api/test_clocks/advance)."""

_ENDED = ("canceled", "incomplete_expired")


def _furthest(store: Store, frozen: int, customers: set[str]) -> int:
    """The latest time the clock may advance to in one request."""
    intervals = [
        interval_of(item["price"])
        for customer in customers
        for subscription in store.of_customer("subscription", customer)
        if subscription["status"] not in _ENDED
        for item in subscription["items"]["data"][:1]
    ]
    if not intervals:
        return shift(frozen, Interval(unit=IntervalUnit.YEAR, count=1), ADVANCE_LIMIT_INTERVALS)
    return min(shift(frozen, interval, ADVANCE_LIMIT_INTERVALS) for interval in intervals)


def _advance(call: Call) -> JSON:
    """Run everything due up to ``frozen_time`` and answer the clock as Stripe does while it works,
    ``advancing`` toward ``status_details.advancing.target_frozen_time`` with its old
    ``frozen_time``; it is ``ready`` (and ``test_helpers.test_clock.ready`` sent) once done, which
    the next retrieve shows ("Advancement is done when status changes to Ready",
    https://docs.stripe.com/api/test_clocks/advance). The target "must be after the test clock's
    current frozen time" and within :data:`ADVANCE_LIMIT_INTERVALS` of the shortest subscription."""
    store = call.store
    clock = store.get(_KIND, call.path["id"])
    target = call.int_param("frozen_time")
    if target is None:
        raise invalid("Missing required param: frozen_time.", "frozen_time", code="parameter_missing")
    frozen = int(clock["frozen_time"])
    if target <= frozen:
        raise invalid(
            "The test clock's frozen_time can only be advanced to a time after its current frozen_time.",
            "frozen_time",
            code="parameter_invalid",
        )
    customers = {c["id"] for c in store.scan("customer") if c["test_clock"] == clock["id"]}
    furthest = _furthest(store, frozen, customers)
    if target > furthest:
        raise invalid(
            "Cannot advance a test clock more than two intervals beyond its shortest subscription "
            f"interval (or two years without subscriptions): at most to {furthest}.",
            "frozen_time",
            code="parameter_invalid",
        )
    answer: JSON = {
        **clock,
        "status": "advancing",
        "status_details": {"advancing": {"target_frozen_time": target}},
    }
    emit(store, "test_helpers.test_clock.advancing", answer, at=frozen)
    try:
        run_until(store, target, customers)
    finally:
        store.frozen = None
    clock["frozen_time"] = target
    clock["status"], clock["status_details"] = "ready", {"advancing": None}
    emit(store, "test_helpers.test_clock.ready", clock, at=target)
    return answer


def _delete(call: Call) -> JSON:
    store = call.store
    clock = store.get(_KIND, call.path["id"])
    store.delete(_KIND, clock["id"])
    emit(store, "test_helpers.test_clock.deleted", clock, at=int(clock["frozen_time"]))
    return {"id": clock["id"], "object": _KIND, "deleted": True}


ROUTES: list[Route] = [
    route("POST", "/v1/test_helpers/test_clocks", _create, TestClockCreateParams),
    route(
        "GET",
        "/v1/test_helpers/test_clocks",
        lambda call: list_response(call.store.all(_KIND)[::-1], "/v1/test_helpers/test_clocks", call.params),
    ),
    route("GET", "/v1/test_helpers/test_clocks/{id}", lambda call: call.store.get(_KIND, call.path["id"])),
    route("POST", "/v1/test_helpers/test_clocks/{id}/advance", _advance, TestClockAdvanceParams),
    route("DELETE", "/v1/test_helpers/test_clocks/{id}", _delete),
]

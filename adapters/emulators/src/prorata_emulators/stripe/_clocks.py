"""Test clocks: frozen time for customers; advancing runs everything that falls due."""

from __future__ import annotations

from stripe.params.test_helpers import TestClockAdvanceParams, TestClockCreateParams

from prorata_emulators.stripe._errors import invalid
from prorata_emulators.stripe._events import emit
from prorata_emulators.stripe._lists import list_response
from prorata_emulators.stripe._routing import Call, Route, route
from prorata_emulators.stripe._store import JSON
from prorata_emulators.stripe._timeline import run_until

__all__ = ["ROUTES"]

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
    return store.put(clock)


def _advance(call: Call) -> JSON:
    store = call.store
    clock = store.get(_KIND, call.path["id"])
    target = call.int_param("frozen_time")
    if target is None:
        raise invalid("Missing required param: frozen_time.", "frozen_time", code="parameter_missing")
    if target < clock["frozen_time"]:
        raise invalid(
            "Cannot advance a test clock to a time before its current frozen time.",
            "frozen_time",
            code="parameter_invalid",
        )
    customers = {c["id"] for c in store.scan("customer") if c["test_clock"] == clock["id"]}
    try:
        run_until(store, target, customers)
    finally:
        store.frozen = None
    clock["frozen_time"] = target
    clock["status"] = "ready"
    emit(store, "test_helpers.test_clock.ready", clock, at=target)
    return clock


def _delete(call: Call) -> JSON:
    store = call.store
    clock = store.get(_KIND, call.path["id"])
    store.delete(_KIND, clock["id"])
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

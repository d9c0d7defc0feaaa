"""Events (``GET /v1/events``) and webhook endpoints."""

from __future__ import annotations

import secrets
from typing import Any

from stripe.params import WebhookEndpointCreateParams

from prorata_emulators.stripe._app_consts import API_VERSION
from prorata_emulators.stripe._lists import list_response
from prorata_emulators.stripe._routing import Call, Route, route
from prorata_emulators.stripe._store import JSON, Store, public

__all__ = ["MAX_EVENTS", "ROUTES", "emit"]

MAX_EVENTS = 10_000
"""Events kept, oldest dropped first (Stripe keeps 30 days of events: retention is bounded)."""


def emit(
    store: Store, event_type: str, obj: JSON, *, at: int, previous: dict[str, Any] | None = None
) -> None:
    """Record an event about ``obj`` (a snapshot of it now) and queue it for webhooks."""
    data: JSON = {"object": public(obj)}
    if previous:
        data["previous_attributes"] = previous
    event: JSON = {
        "id": store.new_id("evt"),
        "object": "event",
        "account": None,
        "api_version": API_VERSION,
        "context": None,
        "created": at,
        "data": data,
        "livemode": False,
        "pending_webhooks": len(store.scan("webhook_endpoint")),
        # Events caused by time passing (renewals on a test clock advance) come from no API request:
        # https://docs.stripe.com/api/events/object#event_object-request
        "request": {"id": None, "idempotency_key": None}
        if store.frozen is not None
        else {"id": store.request_id, "idempotency_key": store.idempotency_key},
        "type": event_type,
    }
    store.put(event)
    store.outbox.append(event)


def _list_events(call: Call) -> JSON:
    events = sorted(call.store.all("event"), key=lambda e: e["created"], reverse=True)
    wanted = call.params.get("type")
    if wanted:
        events = [e for e in events if e["type"] == wanted]
    return list_response(events, "/v1/events", call.params)


def _get_event(call: Call) -> JSON:
    return call.store.get("event", call.path["id"])


def _create_endpoint(call: Call) -> JSON:
    store = call.store
    events = call.params.get("enabled_events") or ["*"]
    endpoint: JSON = {
        "id": store.new_id("we"),
        "object": "webhook_endpoint",
        "api_version": call.params.get("api_version"),
        "application": None,
        "created": store.clock_time(None),
        "description": call.params.get("description"),
        "enabled_events": events,
        "livemode": False,
        "metadata": call.params.get("metadata") or dict[str, Any](),
        "secret": "whsec_" + secrets.token_hex(16),
        "status": "enabled",
        "url": call.params["url"],
    }
    return store.put(endpoint)


ROUTES: list[Route] = [
    route("GET", "/v1/events", _list_events),
    route("GET", "/v1/events/{id}", _get_event),
    route("POST", "/v1/webhook_endpoints", _create_endpoint, WebhookEndpointCreateParams),
]

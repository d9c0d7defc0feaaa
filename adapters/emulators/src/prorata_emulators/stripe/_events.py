"""Events (``GET /v1/events``) and webhook endpoints."""

from __future__ import annotations

import secrets
from typing import Any, cast

from stripe.params import WebhookEndpointCreateParams, WebhookEndpointUpdateParams

from prorata_emulators.stripe._app_consts import API_VERSION
from prorata_emulators.stripe._errors import invalid
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


_ENDPOINT = "webhook_endpoint"
_ENDPOINTS_URL = "/v1/webhook_endpoints"


def _without_secret(endpoint: JSON) -> JSON:
    """The endpoint as read back: ``secret`` is "Only returned at creation"
    (https://docs.stripe.com/api/webhook_endpoints/object#webhook_endpoint_object-secret)."""
    return {key: value for key, value in endpoint.items() if key != "secret"}


def _enabled_events(call: Call) -> list[str]:
    events = call.params.get("enabled_events")
    if not isinstance(events, list) or not events:
        raise invalid("Missing required param: enabled_events.", "enabled_events", code="parameter_missing")
    return [str(event) for event in events]  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]


def _url(call: Call) -> str:
    url = call.params.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise invalid("Invalid URL: the url must be an http or https URL.", "url", code="url_invalid")
    return url


def _create_endpoint(call: Call) -> JSON:
    """``url`` and ``enabled_events`` are both required
    (https://docs.stripe.com/api/webhook_endpoints/create)."""
    store = call.store
    events = _enabled_events(call)
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
        "url": _url(call),
    }
    return store.put(endpoint)


def _update_endpoint(call: Call) -> JSON:
    """``url``, ``enabled_events``, ``description``, ``metadata`` and ``disabled``
    (https://docs.stripe.com/api/webhook_endpoints/update); a disabled endpoint gets no events."""
    endpoint = dict(call.store.get(_ENDPOINT, call.path["id"]))
    params = call.params
    if "url" in params:
        endpoint["url"] = _url(call)
    if "enabled_events" in params:
        endpoint["enabled_events"] = _enabled_events(call)
    if "description" in params:
        endpoint["description"] = params["description"] or None
    if "metadata" in params:
        given: Any = params["metadata"]
        metadata = cast("dict[str, Any]", given) if isinstance(given, dict) else dict[str, Any]()
        merged: dict[str, Any] = {**endpoint["metadata"], **metadata}
        endpoint["metadata"] = {key: value for key, value in merged.items() if value != ""}
    if "disabled" in params:
        endpoint["status"] = "disabled" if str(params["disabled"]).lower() == "true" else "enabled"
    return _without_secret(call.store.put(endpoint))


def _delete_endpoint(call: Call) -> JSON:
    """https://docs.stripe.com/api/webhook_endpoints/delete: ``{"id", "object", "deleted": true}``."""
    endpoint = call.store.get(_ENDPOINT, call.path["id"])
    call.store.delete(_ENDPOINT, endpoint["id"])
    return {"id": endpoint["id"], "object": _ENDPOINT, "deleted": True}


def _list_endpoints(call: Call) -> JSON:
    """Newest first, like every Stripe list (https://docs.stripe.com/api/webhook_endpoints/list)."""
    endpoints = list(reversed(call.store.all(_ENDPOINT)))  # the store keeps creation order
    return list_response([_without_secret(e) for e in endpoints], _ENDPOINTS_URL, call.params)


ROUTES: list[Route] = [
    route("GET", "/v1/events", _list_events),
    route("GET", "/v1/events/{id}", _get_event),
    route("POST", _ENDPOINTS_URL, _create_endpoint, WebhookEndpointCreateParams),
    route("GET", _ENDPOINTS_URL, _list_endpoints),
    route(
        "GET",
        _ENDPOINTS_URL + "/{id}",
        lambda call: _without_secret(call.store.get(_ENDPOINT, call.path["id"])),
    ),
    route("POST", _ENDPOINTS_URL + "/{id}", _update_endpoint, WebhookEndpointUpdateParams),
    route("DELETE", _ENDPOINTS_URL + "/{id}", _delete_endpoint),
]

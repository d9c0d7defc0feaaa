"""Subscription items: add, change and delete one item (each is a subscription update)."""

from __future__ import annotations

from stripe.params import (
    SubscriptionItemCreateParams,
    SubscriptionItemDeleteParams,
    SubscriptionItemUpdateParams,
)

from prorata_emulators.stripe._errors import invalid, missing
from prorata_emulators.stripe._lists import list_response
from prorata_emulators.stripe._routing import Call, Route, route
from prorata_emulators.stripe._store import JSON, Store
from prorata_emulators.stripe._subscriptions import get_live, update_subscription

__all__ = ["ROUTES"]


def _item_owner(store: Store, item_id: str) -> JSON:
    """The subscription holding ``item_id``, through the store's item index (no scan)."""
    holder = store.maybe("subscription", store.holder_of(item_id))
    if holder is None or not any(i["id"] == item_id for i in holder["items"]["data"]):
        raise missing("subscription_item", item_id)
    return holder


def _item_change(call: Call, subscription: JSON, item: JSON) -> JSON:
    p = {
        k: v
        for k, v in call.params.items()
        if k in ("proration_behavior", "proration_date", "payment_behavior")
    }
    p["items"] = [item]
    update_subscription(call.store, subscription, p, call)
    return subscription


def _create_item(call: Call) -> JSON:
    store, p = call.store, call.params
    if not p.get("subscription"):
        raise invalid("Missing required param: subscription.", "subscription", code="parameter_missing")
    subscription = get_live(store, p["subscription"])
    before = {i["id"] for i in subscription["items"]["data"]}
    _item_change(call, subscription, {"price": p.get("price"), "quantity": p.get("quantity", 1)})
    # A change held by payment_behavior=pending_if_incomplete: the new item is in pending_update.
    pending: JSON = subscription["pending_update"] or {}
    held: list[JSON] = pending.get("subscription_items") or []
    return next(i for i in [*subscription["items"]["data"], *held] if i["id"] not in before)


def _update_item(call: Call) -> JSON:
    store, p = call.store, call.params
    subscription = _item_owner(store, call.path["id"])
    change = {"id": call.path["id"], **{k: p[k] for k in ("price", "quantity") if k in p}}
    _item_change(call, get_live(store, subscription["id"]), change)
    return next(i for i in subscription["items"]["data"] if i["id"] == call.path["id"])


def _delete_item(call: Call) -> JSON:
    store = call.store
    subscription = _item_owner(store, call.path["id"])
    _item_change(call, get_live(store, subscription["id"]), {"id": call.path["id"], "deleted": "true"})
    return {"id": call.path["id"], "object": "subscription_item", "deleted": True}


def _list_items(call: Call) -> JSON:
    subscription = call.store.get("subscription", call.params.get("subscription") or "", param="subscription")
    return list_response(subscription["items"]["data"], "/v1/subscription_items", call.params)


ROUTES: list[Route] = [
    route("POST", "/v1/subscription_items", _create_item, SubscriptionItemCreateParams),
    route("GET", "/v1/subscription_items", _list_items),
    route(
        "GET",
        "/v1/subscription_items/{id}",
        lambda call: next(
            i for i in _item_owner(call.store, call.path["id"])["items"]["data"] if i["id"] == call.path["id"]
        ),
    ),
    route("POST", "/v1/subscription_items/{id}", _update_item, SubscriptionItemUpdateParams),
    route("DELETE", "/v1/subscription_items/{id}", _delete_item, SubscriptionItemDeleteParams),
]

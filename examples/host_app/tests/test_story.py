"""A subscription backend's story through the app's HTTP API, on local and both emulators.

Subscribe (with a card saved up front for the free trial where the provider can), webhooks
keep the entitlements, the trial ends, upgrade with a new cycle from now, the errors the
app answers with, a pending cancellation recovered with a downgrade.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from prorata import PlanChange

from .conftest import World


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return response.json()


def _error(response: Any, status: int, error_type: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"]["error_type"] == error_type, response.text


def _forward_webhooks(world: World) -> list[dict[str, Any]]:
    """What the provider sent since the last call, posted to the app's webhook route."""
    answers = [
        _ok(world.client.post("/webhooks", content=body, headers=dict(headers)))
        for headers, body in world.webhooks()
    ]
    assert answers, "the provider sent webhooks"
    assert not any(a["duplicate"] for a in answers)
    return answers


def _subscribe_with_trial(world: World) -> dict[str, Any]:
    if world.confirm_setup is not None:
        setup = _ok(world.client.post("/subscriptions/setup_intent", json={"email": "a@example.com"}))
        intent = setup["setup_intent"]
        assert intent["client_secret"] or intent["url"]
        world.confirm_setup(intent["id"])
        return _ok(
            world.client.post(
                "/subscriptions", json={"setup_intent_id": intent["id"], "product_id": "vip-trial"}
            )
        )
    return _ok(
        world.client.post("/subscriptions", json={"email": "a@example.com", "product_id": "vip-trial"})
    )


def test_the_story(world: World) -> None:
    created = _subscribe_with_trial(world)
    sub = created["subscription"]
    sub_id, customer_id = sub["id"], sub["customer_id"]
    assert sub["status"] == "trialing"
    assert sub["product_id"] == "vip-trial"
    (asset,) = created["assets"]
    assert (asset["receipt_id"], asset["is_trial_period"], asset["is_auto_renewable"]) == (sub_id, True, True)

    delivered = _forward_webhooks(world)
    assert "subscription.created" in {a["type"] for a in delivered}
    replayed = [
        _ok(world.client.post("/webhooks", content=body, headers=dict(headers)))
        for headers, body in world.webhooks()
    ]
    assert replayed == [], "each delivery is taken once from the feed"

    fetched = _ok(world.client.get(f"/subscriptions/{sub_id}/fetch"))["subscription"]
    assert fetched["next_payment"] == {"amount": 1000, "currency": "USD", "at_ts": sub["trial_end_ts"]}

    # the trial ends: the webhooks alone bring the entitlements up to date
    world.clock.advance(world.clock.now() + timedelta(days=7, hours=1))
    types = {a["type"] for a in _forward_webhooks(world)}
    assert {"subscription.renewed", "invoice.paid"} <= types, types
    (asset,) = _ok(world.client.get(f"/customers/{customer_id}/assets"))["assets"]
    assert (asset["status"], asset["is_trial_period"]) == ("active", False)

    # upgrade: the new plan from now, a new cycle, the difference charged
    _error(
        world.client.post(f"/subscriptions/{sub_id}/upgrade", json={"new_product_id": "nope"}),
        400,
        "invalid_parameter",
    )
    _error(
        world.client.post(f"/subscriptions/{sub_id}/upgrade", json={"new_product_id": "vip-trial"}),
        400,
        "subscription_unsupported_upgrade",
    )
    world.clock.advance(world.clock.now() + timedelta(days=10))
    now = world.clock.now()
    upgraded = _ok(world.client.post(f"/subscriptions/{sub_id}/upgrade", json={"new_product_id": "vip-plus"}))
    after = upgraded["subscription"]
    assert (after["product_id"], after["status"], after["invoice_status"]) == ("vip-plus", "active", "paid")
    assert abs(after["current_cycle_start_ts"] - int(now.timestamp())) <= 1, "a new cycle from now"
    assert after["next_payment"]["amount"] == 3000
    synced = _ok(world.client.get(f"/subscriptions/{sub_id}/sync_upgrade"))
    assert synced["assets"][0]["product_id"] == "vip-plus"
    _forward_webhooks(world)

    # cancelled at the period end elsewhere (a portal), then recovered with a downgrade
    _error(
        world.client.post(f"/subscriptions/{sub_id}/recover_and_update", json={"new_product_id": "vip"}),
        400,
        "invalid_operation",
    )
    world.billing.apply(sub_id, PlanChange.cancel_at_period_end())
    _forward_webhooks(world)
    (asset,) = _ok(world.client.get(f"/customers/{customer_id}/assets"))["assets"]
    assert asset["is_auto_renewable"] is False
    recovered = _ok(
        world.client.post(f"/subscriptions/{sub_id}/recover_and_update", json={"new_product_id": "vip"})
    )
    assert recovered["subscription"]["cancel_at_period_end"] is False
    assert recovered["subscription"]["product_id"] == "vip"
    assert recovered["assets"][0]["is_auto_renewable"] is True


def test_forged_and_replayed_webhooks(world: World) -> None:
    _ok(world.client.post("/subscriptions", json={"email": "b@example.com", "product_id": "vip"}))
    deliveries = world.webhooks()
    headers, body = deliveries[-1]
    first = _ok(world.client.post("/webhooks", content=body, headers=dict(headers)))
    again = _ok(world.client.post("/webhooks", content=body, headers=dict(headers)))
    assert (first["duplicate"], again["duplicate"]) == (False, True)
    _error(
        world.client.post("/webhooks", content=body + b" ", headers=dict(headers)), 400, "invalid_parameter"
    )
    _error(world.client.post("/webhooks", content=body, headers={}), 400, "invalid_parameter")


def test_bad_requests_are_invalid_parameters(world: World) -> None:
    _error(world.client.post("/subscriptions", json={"product_id": "vip"}), 400, "invalid_parameter")
    _error(world.client.post("/subscriptions", json={"email": "c@example.com"}), 400, "invalid_parameter")
    _error(
        world.client.post("/subscriptions", json={"email": "c@example.com", "product_id": "x"}),
        400,
        "invalid_parameter",
    )
    _error(world.client.get("/subscriptions/sub_missing/fetch"), 404, "invalid_parameter")

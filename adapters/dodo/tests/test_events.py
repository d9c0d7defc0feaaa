"""Dodo webhooks -> BillingEvent, verified with ``standardwebhooks``.

Payloads (``business_id``, ``type``, ``timestamp``, ``data``) and headers (``webhook-id``,
``webhook-timestamp``, ``webhook-signature``): https://docs.dodopayments.com/developer-resources/webhooks
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from prorata import Billing, BillingEvent, EventType, PlanChange, ProrationMode
from prorata.errors import WebhookVerificationError
from prorata.provider import TimeControl
from prorata_emulators.dodo import DodoEmulator, sign


def _deliveries(emulator: DodoEmulator) -> list[tuple[dict[str, str], bytes]]:
    return [(dict(e["headers"]), e["body"].encode()) for e in emulator.events()]


def test_a_subscription_story_is_normalized(
    billing: Billing, emulator: DodoEmulator, time_control: TimeControl
) -> None:
    customer = billing.create_customer("story@example.com")
    sub = billing.subscribe(customer.id, "basic")
    billing.apply(sub, PlanChange.swap("basic", "pro", proration=ProrationMode.NO_BILLING))
    time_control.advance(billing.get(sub.id).current_period_end + timedelta(hours=1))
    events = [billing.parse_event(h, b) for h, b in _deliveries(emulator)]
    mine = [e for e in events if e.subscription_id == sub.id]
    types = [e.type for e in mine]
    assert types[0] in (EventType.SUBSCRIPTION_CREATED, EventType.INVOICE_PAID), types
    assert EventType.SUBSCRIPTION_CREATED in types
    assert EventType.SUBSCRIPTION_UPDATED in types, "subscription.plan_changed"
    assert EventType.SUBSCRIPTION_RENEWED in types
    assert types.count(EventType.INVOICE_PAID) == 2, [(e.provider_type, e.type) for e in mine]
    created = next(e for e in mine if e.type is EventType.SUBSCRIPTION_CREATED)
    assert created.provider == "dodo"
    assert created.provider_type == "subscription.active"
    assert created.customer_id == customer.id
    assert created.subscription is not None
    assert created.subscription.plan_quantities == {"basic": 1}
    paid = next(e for e in mine if e.type is EventType.INVOICE_PAID)
    assert paid.invoice_id is not None
    assert paid.invoice_id.startswith("pay_")
    assert len({e.id for e in events}) == len(events), "webhook-id identifies each event"


def test_forged_tampered_expired_and_wrong_secret_are_refused(
    billing: Billing, emulator: DodoEmulator
) -> None:
    customer = billing.create_customer("forged@example.com")
    billing.subscribe(customer.id, "basic")
    headers, body = _deliveries(emulator)[-1]
    assert billing.parse_event(headers, body).id == headers["webhook-id"]
    now = int(time.time())
    secret = emulator.webhook_secret
    other = "whsec_" + "b3RoZXJzZWNyZXRvdGhlcnNlY3JldA=="

    def signed(key: str, at: int) -> dict[str, str]:
        return {
            **headers,
            "webhook-timestamp": str(at),
            "webhook-signature": sign(key, headers["webhook-id"], at, body.decode()),
        }

    cases = {
        "tampered": (headers, body.replace(b"active", b"paused")),
        "wrong secret": (signed(other, now), body),
        "expired": (signed(secret, now - 301), body),
        "from the future": (signed(secret, now + 301), body),
        "no headers": ({}, body),
    }
    for name, (h, b) in cases.items():
        with pytest.raises(WebhookVerificationError) as caught:
            billing.parse_event(h, b)
        assert secret not in str(caught.value), name
    assert billing.parse_event(signed(secret, now - 250), body).id == headers["webhook-id"]


def test_replays_are_reported_and_never_processed_twice(billing: Billing, emulator: DodoEmulator) -> None:
    customer = billing.create_customer("replay@example.com")
    billing.subscribe(customer.id, "basic")
    headers, body = _deliveries(emulator)[-1]
    seen: list[BillingEvent] = []
    outcomes = [billing.process_event(headers, body, seen.append) for _ in range(3)]
    assert [o.duplicate for o in outcomes] == [False, True, True]
    assert len(seen) == 1


def test_event_retention_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from prorata_emulators.dodo import _state

    monkeypatch.setattr(_state, "MAX_EVENTS", 2)
    state = _state.State(now=datetime(2026, 3, 1, tzinfo=UTC))
    for n in range(3):
        state.outbox.append({"id": f"msg_{n}"})
    assert [e["id"] for e in state.outbox] == ["msg_1", "msg_2"]


def test_the_listen_feed_takes_the_emulators_new_deliveries(billing: Billing) -> None:
    from prorata_dodo import DodoProvider

    provider = billing.provider
    assert isinstance(provider, DodoProvider)
    customer = billing.create_customer("feed@example.com")
    billing.subscribe(customer.id, "basic")
    feed = provider.event_feed()
    assert feed() == []
    sub = billing.subscribe(customer.id, "pro")
    events = [billing.parse_event(h, b) for h, b in feed()]
    assert EventType.SUBSCRIPTION_CREATED in [e.type for e in events]
    assert {e.subscription_id for e in events} == {sub.id}
    assert feed() == []
    assert len(provider.event_feed(replay=True)()) > len(events)

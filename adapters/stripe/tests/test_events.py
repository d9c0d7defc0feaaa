"""Stripe webhooks -> BillingEvent, verified with the SDK's own ``Webhook.construct_event``.

Event objects: https://docs.stripe.com/api/events/object; signatures and tolerance:
https://docs.stripe.com/webhooks#verify-events
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import stripe

from prorata import Billing, BillingEvent, Customer, EventType
from prorata.errors import WebhookVerificationError
from prorata.provider import Secret, TimeControl
from prorata_emulators.stripe import StripeEmulator, sign
from prorata_stripe import StripeProvider

SECRET = "whsec_test_events_secret"


def _deliveries(client: stripe.StripeClient) -> list[tuple[dict[str, str], bytes]]:
    """Every event the emulator recorded, oldest first, signed as its webhook sender signs them."""
    response = client.raw_request("get", "/v1/events", limit=100)
    listed: list[Any] = json.loads(response.body)["data"]  # pyright: ignore[reportUnknownMemberType]
    bodies = [json.dumps(event).encode() for event in reversed(listed)]
    return [({"Stripe-Signature": sign(body, SECRET)}, body) for body in bodies]


@pytest.fixture
def signed(provider: StripeProvider) -> StripeProvider:
    provider.webhook_secret = Secret(SECRET, source="test")
    return provider


def test_a_subscription_story_is_normalized(
    billing: Billing,
    signed: StripeProvider,
    stripe_client: stripe.StripeClient,
    time_control: TimeControl,
    customer_factory: Callable[..., Customer],
) -> None:  # story: trial, its end, the first paid period
    customer = customer_factory()
    sub = billing.subscribe(customer.id, "basic", trial_days=7)
    time_control.advance(sub.current_period_end + timedelta(hours=1))
    events = [billing.parse_event(h, b) for h, b in _deliveries(stripe_client)]
    types = [e.type for e in events if e.subscription_id == sub.id]
    assert types[0] is EventType.SUBSCRIPTION_CREATED
    assert EventType.SUBSCRIPTION_RENEWED in types, [(e.provider_type, e.type) for e in events]
    assert EventType.INVOICE_PAID in types
    created = events[[e.type for e in events].index(EventType.SUBSCRIPTION_CREATED)]
    assert created.provider == "stripe"
    assert created.customer_id == customer.id
    assert created.subscription is not None
    assert created.subscription.plan_quantities == {"basic": 1}
    paid = next(e for e in events if e.type is EventType.INVOICE_PAID and e.subscription_id == sub.id)
    assert paid.invoice is not None
    assert paid.invoice_id == paid.invoice.id
    assert paid.provider_type == "invoice.paid"
    assert "raw" not in repr(paid)
    assert SECRET not in repr(signed)


def _one(billing: Billing, client: stripe.StripeClient, customer: Customer) -> tuple[dict[str, str], bytes]:
    billing.subscribe(customer.id, "basic")
    return _deliveries(client)[-1]


def test_forged_tampered_expired_and_wrong_secret_are_refused(
    billing: Billing,
    signed: StripeProvider,
    stripe_client: stripe.StripeClient,
    customer_factory: Callable[..., Customer],
) -> None:
    headers, body = _one(billing, stripe_client, customer_factory())
    assert billing.parse_event(headers, body).id.startswith("evt_")
    tampered = body.replace(b'"livemode": false', b'"livemode": true')
    assert tampered != body
    cases: dict[str, tuple[dict[str, str], bytes]] = {
        "tampered": (headers, tampered),
        "wrong secret": ({"Stripe-Signature": sign(body, "whsec_other")}, body),
        "expired": ({"Stripe-Signature": sign(body, SECRET, int(time.time()) - 301)}, body),
        "forged": ({"Stripe-Signature": "t=1,v1=" + "0" * 64}, body),
        "no header": ({}, body),
    }
    for name, (h, b) in cases.items():
        with pytest.raises(WebhookVerificationError) as caught:
            billing.parse_event(h, b)
        assert SECRET not in str(caught.value), name
    within = {"Stripe-Signature": sign(body, SECRET, int(time.time()) - 250)}
    assert billing.parse_event(within, body).id == billing.parse_event(headers, body).id


def test_no_secret_configured_is_a_verification_error(
    billing: Billing, stripe_client: stripe.StripeClient, customer_factory: Callable[..., Customer]
) -> None:
    headers, body = _one(billing, stripe_client, customer_factory())
    with pytest.raises(WebhookVerificationError, match="webhook_secret_env"):
        billing.parse_event(headers, body)


def test_replays_are_reported_and_never_processed_twice(
    billing: Billing,
    signed: StripeProvider,
    stripe_client: stripe.StripeClient,
    customer_factory: Callable[..., Customer],
) -> None:
    headers, body = _one(billing, stripe_client, customer_factory())
    seen: list[BillingEvent] = []
    first = billing.process_event(headers, body, seen.append)
    resent = {"Stripe-Signature": sign(body, SECRET)}  # a redelivery is signed again
    second = billing.process_event(resent, body, seen.append)
    assert (first.duplicate, second.duplicate) == (False, True)
    assert [e.id for e in seen] == [first.event.id]

    def fails(event: BillingEvent) -> Any:
        raise RuntimeError("handler crashed")

    other_headers, other_body = _deliveries(stripe_client)[0]
    with pytest.raises(RuntimeError):
        billing.process_event(other_headers, other_body, fails)
    retried = billing.process_event(other_headers, other_body, seen.append)
    assert retried.duplicate is False, "a failed handler leaves the event to be processed again"


@pytest.mark.usefixtures("signed")
def test_trial_will_end_three_days_before_and_automatic_events_have_no_request(
    billing: Billing,
    stripe_client: stripe.StripeClient,
    time_control: TimeControl,
    customer_factory: Callable[..., Customer],
) -> None:
    """https://docs.stripe.com/api/events/types#event_types-customer.subscription.trial_will_end"""
    sub = billing.subscribe(customer_factory().id, "basic", trial_days=7)
    assert sub.trial_end is not None
    time_control.advance(sub.trial_end - timedelta(days=3, hours=1))
    before = [billing.parse_event(h, b).type for h, b in _deliveries(stripe_client)]
    assert EventType.SUBSCRIPTION_TRIAL_WILL_END not in before
    time_control.advance(sub.trial_end - timedelta(days=3) + timedelta(minutes=1))
    events = [billing.parse_event(h, b) for h, b in _deliveries(stripe_client)]
    (notice,) = [e for e in events if e.type is EventType.SUBSCRIPTION_TRIAL_WILL_END]
    assert notice.occurred_at == sub.trial_end - timedelta(days=3)
    assert notice.raw["request"]["id"] is None, "caused by time passing, not by a request"
    assert EventType.SUBSCRIPTION_RENEWED not in [e.type for e in events]
    created = next(e for e in events if e.type is EventType.SUBSCRIPTION_CREATED)
    assert created.raw["request"]["id"] is not None
    time_control.advance(sub.trial_end + timedelta(hours=1))
    after = [billing.parse_event(h, b).type for h, b in _deliveries(stripe_client)]
    assert after.count(EventType.SUBSCRIPTION_TRIAL_WILL_END) == 1
    assert EventType.SUBSCRIPTION_RENEWED in after


def test_event_retention_is_bounded(
    billing: Billing,
    stripe_client: stripe.StripeClient,
    customer_factory: Callable[..., Customer],
    emulator: StripeEmulator,
) -> None:
    emulator.app.store.retention["event"] = 3
    for _ in range(3):
        billing.subscribe(customer_factory().id, "basic")
    assert len(_deliveries(stripe_client)) == 3


def test_the_listen_feed_signs_new_events(
    billing: Billing, provider: StripeProvider, customer_factory: Callable[..., Customer]
) -> None:
    """``prorata listen``: GET /v1/events, new ones only, signed so parse_event verifies them."""
    billing.subscribe(customer_factory().id, "basic")
    feed = provider.event_feed()
    assert provider.webhook_secret is not None, "an ephemeral secret when none is configured"
    assert feed() == []
    sub = billing.subscribe(customer_factory().id, "basic")
    events = [billing.parse_event(h, b) for h, b in feed()]
    assert EventType.SUBSCRIPTION_CREATED in [e.type for e in events]
    assert {e.subscription_id for e in events if e.type is EventType.SUBSCRIPTION_CREATED} == {sub.id}
    assert events == sorted(events, key=lambda e: e.occurred_at)
    assert feed() == []
    replayed = provider.event_feed(replay=True)()
    assert len(replayed) > len(events)


def test_a_payment_that_needs_the_customer_is_an_action_required_event(
    billing: Billing, signed: StripeProvider, stripe_client: stripe.StripeClient
) -> None:
    """https://docs.stripe.com/billing/subscriptions/webhooks: invoice.payment_action_required."""
    from prorata.provider import TEST_CARD_REQUIRES_ACTION

    customer = billing.create_customer("3ds@example.com", payment_method=TEST_CARD_REQUIRES_ACTION)
    sub = billing.subscribe(customer.id, "basic")
    assert sub.payment_action is not None
    events = [billing.parse_event(h, b) for h, b in _deliveries(stripe_client)]
    (action,) = [e for e in events if e.type is EventType.INVOICE_PAYMENT_ACTION_REQUIRED]
    assert action.invoice_id == sub.payment_action.invoice_id
    assert action.subscription_id == sub.id


def test_a_change_at_the_period_end_is_a_scheduled_change_applied(
    billing: Billing,
    signed: StripeProvider,
    stripe_client: stripe.StripeClient,
    time_control: TimeControl,
    customer_factory: Callable[..., Customer],
) -> None:
    from prorata import AtPeriodEnd, PlanChange

    sub = billing.subscribe(customer_factory().id, "basic")
    billing.apply(sub.id, PlanChange.swap("basic", "pro", timing=AtPeriodEnd()))
    before = len(_deliveries(stripe_client))
    time_control.advance(sub.current_period_end + timedelta(hours=1))
    events = [billing.parse_event(h, b) for h, b in _deliveries(stripe_client)[before:]]
    types = [e.type for e in events if e.subscription_id == sub.id]
    assert EventType.SUBSCRIPTION_SCHEDULED_CHANGE_APPLIED in types, [
        (e.provider_type, e.type) for e in events
    ]
    assert billing.get(sub.id).plan_quantities == {"pro": 1}

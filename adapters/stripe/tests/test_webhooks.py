"""Signed webhook delivery, verified with the SDK's own ``Webhook.construct_event``."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
import stripe

from prorata import Billing, Customer
from prorata.provider import TimeControl
from prorata_emulators.kit import WebhookReceiver
from prorata_emulators.stripe import StripeEmulator


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as server:
        yield server


def test_events_are_signed_and_cover_renewals(
    billing: Billing,
    time_control: TimeControl,
    emulator: StripeEmulator,
    stripe_client: stripe.StripeClient,
    receiver: WebhookReceiver,
    customer_factory: Callable[..., Customer],
) -> None:
    endpoint = stripe_client.v1.webhook_endpoints.create({"url": receiver.url, "enabled_events": ["*"]})
    assert endpoint.secret is not None
    sub = billing.subscribe(customer_factory().id, "basic")
    time_control.advance(sub.current_period_end + timedelta(hours=1))
    emulator.app.webhooks.join()
    events = [
        stripe.Webhook.construct_event(hook.body.decode(), hook.headers["stripe-signature"], endpoint.secret)
        for hook in receiver.received
    ]
    types = [event.type for event in events]
    assert "customer.subscription.created" in types
    assert "invoice.paid" in types
    assert types.count("invoice.paid") == 2, "the first invoice and the renewal"
    body, signature = receiver.received[0].body, receiver.received[0].headers["stripe-signature"]
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body.decode(), signature, "whsec_wrong")
    listed = stripe_client.v1.events.list({"type": "invoice.paid"})
    assert len(listed.data) == 2


def test_webhook_endpoint_crud(stripe_client: stripe.StripeClient, emulator: StripeEmulator) -> None:
    """https://docs.stripe.com/api/webhook_endpoints: the secret is "Only returned at creation";
    update takes url, enabled_events, description, metadata and disabled; delete answers
    ``{"id", "object", "deleted": true}``; lists are newest first."""
    endpoints = stripe_client.v1.webhook_endpoints
    first = endpoints.create({"url": "https://example.test/a", "enabled_events": ["invoice.paid"]})
    second = endpoints.create({"url": "https://example.test/b", "enabled_events": ["*"]})
    assert first.secret is not None
    assert first.secret.startswith("whsec_")
    read = endpoints.retrieve(first.id)
    assert "secret" not in read
    assert read.enabled_events == ["invoice.paid"]
    assert [e.id for e in endpoints.list().data] == [second.id, first.id]
    assert [e.id for e in endpoints.list({"limit": 1, "starting_after": second.id}).data] == [first.id]
    updated = endpoints.update(first.id, {"disabled": True, "description": "old", "metadata": {"team": "x"}})
    assert (updated.status, updated.description, updated.metadata.to_dict()) == (
        "disabled",
        "old",
        {"team": "x"},
    )
    assert endpoints.update(first.id, {"disabled": False}).status == "enabled"
    with pytest.raises(stripe.InvalidRequestError):
        endpoints.create({"url": "https://example.test/c", "enabled_events": []})
    with pytest.raises(stripe.InvalidRequestError):
        endpoints.create({"url": "not a url", "enabled_events": ["*"]})
    deleted = endpoints.delete(first.id)
    assert (deleted.id, deleted.deleted) == (first.id, True)
    with pytest.raises(stripe.InvalidRequestError) as missing:
        endpoints.retrieve(first.id)
    assert missing.value.http_status == 404


def test_a_disabled_endpoint_receives_nothing(
    stripe_client: stripe.StripeClient, emulator: StripeEmulator
) -> None:
    """A disabled endpoint is not sent events (https://docs.stripe.com/api/webhook_endpoints/update#update_webhook_endpoint-disabled)."""
    with WebhookReceiver() as hooks:
        endpoint = stripe_client.v1.webhook_endpoints.create({"url": hooks.url, "enabled_events": ["*"]})
        stripe_client.v1.webhook_endpoints.update(endpoint.id, {"disabled": True})
        stripe_client.v1.customers.create({"email": "off@example.test"})
        stripe_client.v1.webhook_endpoints.update(endpoint.id, {"disabled": False})
        stripe_client.v1.customers.create({"email": "on@example.test"})
        emulator.webhooks.join()
    bodies = [json.loads(hook.body)["data"]["object"].get("email") for hook in hooks.received]
    assert bodies == ["on@example.test"]

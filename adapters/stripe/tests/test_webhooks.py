"""Signed webhook delivery, verified with the SDK's own ``Webhook.construct_event``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
import stripe

from prorata import Billing, Customer
from prorata.provider import TimeControl
from prorata_emulators.kit import WebhookReceiver
from prorata_emulators.stripe import StripeEmulatorServer


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as server:
        yield server


def test_events_are_signed_and_cover_renewals(
    billing: Billing,
    time_control: TimeControl,
    emulator: StripeEmulatorServer,
    stripe_client: stripe.StripeClient,
    receiver: WebhookReceiver,
    customer_factory: Callable[..., Customer],
) -> None:
    endpoint = stripe_client.v1.webhook_endpoints.create({"url": receiver.url, "enabled_events": ["*"]})
    assert endpoint.secret is not None
    sub = billing.subscribe(customer_factory().id, "basic")
    time_control.advance(sub.current_period_end + timedelta(hours=1))
    emulator.emulator.webhooks.join()
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

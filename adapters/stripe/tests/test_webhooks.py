"""Signed webhook delivery, verified with the SDK's own ``Webhook.construct_event``."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import stripe

from prorata import Billing, Customer
from prorata.provider import TimeControl
from prorata_emulators.stripe import StripeEmulatorServer


class _Receiver(ThreadingHTTPServer):
    def __init__(self) -> None:
        self.received: list[tuple[bytes, str]] = []

        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((body, self.headers["Stripe-Signature"]))
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture
def receiver() -> Iterator[_Receiver]:
    server = _Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_events_are_signed_and_cover_renewals(
    billing: Billing,
    time_control: TimeControl,
    emulator: StripeEmulatorServer,
    stripe_client: stripe.StripeClient,
    receiver: _Receiver,
    customer_factory: Callable[..., Customer],
) -> None:
    host, port = receiver.server_address[:2]
    endpoint = stripe_client.v1.webhook_endpoints.create(
        {"url": f"http://{host!s}:{port}/hook", "enabled_events": ["*"]}
    )
    assert endpoint.secret is not None
    sub = billing.subscribe(customer_factory().id, "basic")
    time_control.advance(sub.current_period_end + timedelta(hours=1))
    emulator.emulator.webhooks.join()
    events = [
        stripe.Webhook.construct_event(body.decode(), signature, endpoint.secret)
        for body, signature in receiver.received
    ]
    types = [event.type for event in events]
    assert "customer.subscription.created" in types
    assert "invoice.paid" in types
    assert types.count("invoice.paid") == 2, "the first invoice and the renewal"
    body, signature = receiver.received[0]
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body.decode(), signature, "whsec_wrong")
    listed = stripe_client.v1.events.list({"type": "invoice.paid"})
    assert len(listed.data) == 2

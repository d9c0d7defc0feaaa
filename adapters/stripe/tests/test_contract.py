"""The shared prorata contract suite against the Stripe adapter on the emulator.

The contract mixins declare ``billing``, ``time_control``, ``customer_factory`` and
``decline_payments`` on the class, so the class hands over conftest.py's emulator-backed
fixtures (the customer factory accepts ``payment_method=``, so the suite asks it for
customers with other test cards).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
import stripe

from prorata import Billing, Customer
from prorata.provider import PaymentAction, Secret, TimeControl
from prorata_contract import (
    CompletePaymentAction,
    ConfirmPaymentSetup,
    ContractSuite,
    DeclinePayments,
    WebhookDeliveries,
    WebhookDelivery,
    WebhookSigner,
)
from prorata_emulators.kit import WebhookReceiver
from prorata_emulators.stripe import StripeEmulator, sign
from prorata_stripe import StripeProvider
from prorata_stripe._payments import payment_method_id

DECLINING_CARD = "pm_card_chargeCustomerFail"
"""Stripe's test card that attaches to a customer and then fails every charge."""


def authenticate(emulator: StripeEmulator, kind: str, intent_id: str) -> None:
    """The customer passes 3-D Secure on the emulator's stand-in for Stripe's hosted page."""
    answer = httpx.post(
        f"{emulator.url}/_emulator/{kind}/{intent_id}/authenticate",
        headers={"Authorization": "Bearer sk_test_emulator"},
    )
    assert answer.status_code == 200, answer.text


class TestStripeContract(ContractSuite):
    """Every standard area, on a fresh emulator per test with a test clock as time control."""

    @pytest.fixture
    def billing(self, emulator_billing: Billing) -> Billing:
        return emulator_billing

    @pytest.fixture
    def time_control(self, emulator_time_control: TimeControl) -> TimeControl:
        return emulator_time_control

    @pytest.fixture
    def customer_factory(self, emulator_customer_factory: Callable[..., Customer]) -> Callable[..., Customer]:
        return emulator_customer_factory

    @pytest.fixture
    def decline_payments(self, stripe_client: stripe.StripeClient) -> DeclinePayments:
        def decline(customer_id: str) -> None:
            stripe_client.v1.customers.update(
                customer_id, {"invoice_settings": {"default_payment_method": DECLINING_CARD}}
            )

        return decline

    @pytest.fixture
    def confirm_payment_setup(
        self, stripe_client: stripe.StripeClient, emulator: StripeEmulator
    ) -> ConfirmPaymentSetup:
        """What Stripe.js ``confirmSetup`` does in the browser, server-side on the API."""

        def confirm(setup_id: str, payment_method: str) -> None:
            intent = stripe_client.v1.setup_intents.confirm(
                setup_id, {"payment_method": payment_method_id(payment_method)}
            )
            if intent.status == "requires_action":
                authenticate(emulator, "setup_intents", setup_id)

        return confirm

    @pytest.fixture
    def complete_payment_action(self, emulator: StripeEmulator) -> CompletePaymentAction:
        """What Stripe.js ``confirmCardPayment`` does once the customer passed 3-D Secure."""

        def complete(action: PaymentAction) -> None:
            assert action.payment_id is not None
            authenticate(emulator, "payment_intents", action.payment_id)

        return complete

    @pytest.fixture
    def webhook_deliveries(
        self, emulator: StripeEmulator, stripe_client: stripe.StripeClient, provider: StripeProvider
    ) -> Iterator[WebhookDeliveries]:
        """A webhook endpoint on a local receiver; the provider verifies with its secret."""
        with WebhookReceiver() as receiver:
            endpoint = stripe_client.v1.webhook_endpoints.create(
                {"url": receiver.url, "enabled_events": ["*"]}
            )
            assert endpoint.secret is not None
            provider.webhook_secret = Secret(endpoint.secret, source="webhook endpoint")
            taken = 0

            def take() -> list[WebhookDelivery]:
                nonlocal taken
                emulator.app.webhooks.join()
                new = receiver.received[taken:]
                taken += len(new)
                return [(hook.headers, hook.body) for hook in new]

            yield take

    @pytest.fixture
    def webhook_signer(self, provider: StripeProvider) -> WebhookSigner:
        def resign(delivery: WebhookDelivery, timestamp: int, wrong_secret: bool) -> WebhookDelivery:
            headers, body = delivery
            assert provider.webhook_secret is not None
            secret = "whsec_not_the_endpoint_secret" if wrong_secret else provider.webhook_secret.reveal()
            return {**headers, "stripe-signature": sign(body, secret, timestamp)}, body

        return resign

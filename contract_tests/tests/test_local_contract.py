"""The whole contract against the built-in local provider (the reference engine)."""

from __future__ import annotations

import base64
import itertools
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import standardwebhooks

from prorata import Billing, Customer
from prorata.local import LocalProvider
from prorata.provider import TEST_CARD_DECLINES, PaymentAction, TimeControl
from prorata_contract import (
    CompletePaymentAction,
    ConfirmPaymentSetup,
    ContractSuite,
    CountingProvider,
    CustomerFactory,
    DeclinePayments,
    WebhookDeliveries,
    WebhookDelivery,
    WebhookSigner,
    contract_plans_config,
)

START = "2026-01-31T09:30:00Z"
"""A month-end start: periods of 28, 31 and 30 days exercise month-end clamping."""


def _local(billing: Billing) -> LocalProvider:
    """The local provider under the suite's own wrappers (they count or break calls)."""
    provider = billing.provider
    while isinstance(provider, CountingProvider):
        provider = provider.inner
    assert isinstance(provider, LocalProvider)
    return provider


class TestLocalContract(ContractSuite):
    """Every standard area, with the local provider's clock as time control."""

    @pytest.fixture
    def billing(self) -> Iterator[Billing]:
        config = {
            "provider": "local",
            "providers": {"local": {"database": ":memory:", "start": START}},
            "plans": contract_plans_config(),
        }
        with Billing.from_config(config) as billing:
            yield billing

    @pytest.fixture
    def time_control(self, billing: Billing) -> TimeControl:
        return billing.time_control()

    @pytest.fixture
    def customer_factory(self, billing: Billing) -> CustomerFactory:
        numbers = itertools.count(1)

        def create() -> Customer:
            return billing.create_customer(f"contract-{next(numbers)}@example.test")

        return create

    @pytest.fixture
    def decline_payments(self, billing: Billing) -> DeclinePayments:
        provider = billing.provider
        while isinstance(provider, CountingProvider):  # the suite's own tests wrap it
            provider = provider.inner
        assert isinstance(provider, LocalProvider)

        def decline(customer_id: str) -> None:
            provider.set_payment_method(customer_id, TEST_CARD_DECLINES)

        return decline

    @pytest.fixture
    def confirm_payment_setup(self, billing: Billing) -> ConfirmPaymentSetup:
        def confirm(setup_id: str, payment_method: str) -> None:
            _local(billing).confirm_payment_setup(setup_id, payment_method)

        return confirm

    @pytest.fixture
    def complete_payment_action(self, billing: Billing) -> CompletePaymentAction:
        def complete(action: PaymentAction) -> None:
            _local(billing).complete_payment_action(action.invoice_id)

        return complete

    @pytest.fixture
    def webhook_deliveries(self, billing: Billing) -> WebhookDeliveries:
        """The local outbox, drained as an in-process queue."""
        webhooks = _local(billing).webhooks
        return lambda: [(d.headers, d.body) for d in webhooks.drain()]

    @pytest.fixture
    def webhook_signer(self, billing: Billing) -> WebhookSigner:
        secret = _local(billing).webhooks.secret.reveal()
        other = "whsec_" + base64.b64encode(b"not the database's own secret").decode()

        def sign(delivery: WebhookDelivery, timestamp: int, wrong_secret: bool) -> WebhookDelivery:
            headers, body = delivery
            signature = standardwebhooks.Webhook(other if wrong_secret else secret).sign(
                headers["webhook-id"], datetime.fromtimestamp(timestamp, tz=UTC), body.decode()
            )
            return {**headers, "webhook-timestamp": str(timestamp), "webhook-signature": signature}, body

        return sign

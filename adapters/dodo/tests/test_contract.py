"""The shared prorata contract suite, run against the Dodo emulator (real SDK, strict)."""

from __future__ import annotations

import base64
import json
import urllib.request
from collections.abc import Iterator

import dodopayments
import pytest

from prorata import Billing
from prorata.provider import PaymentAction, TimeControl
from prorata_contract import (
    CONTRACT_AMOUNT_COUPONS,
    CONTRACT_COUPON,
    CompletePaymentAction,
    ContractSuite,
    CustomerFactory,
    DeclinePayments,
    WebhookDeliveries,
    WebhookDelivery,
    WebhookSigner,
    contract_catalog,
)
from prorata_dodo import create_catalog_objects, create_discount_codes
from prorata_emulators.dodo import DodoEmulator, sign

from .conftest import make_billing


class TestDodoContract(ContractSuite):
    """Every standard area; unsupported capabilities are skipped by the suite itself."""

    contract_xfail: dict[str, str] = {}

    @pytest.fixture
    def billing(self, emulator: DodoEmulator, sdk: dodopayments.DodoPayments) -> Iterator[Billing]:
        catalog = contract_catalog(create_catalog_objects(sdk, contract_catalog()))
        create_discount_codes(sdk, [CONTRACT_COUPON, *CONTRACT_AMOUNT_COUPONS], preserve_on_plan_change=True)
        with make_billing(emulator, catalog) as built:
            yield built

    @pytest.fixture
    def time_control(self, billing: Billing) -> TimeControl | None:
        return billing.provider.time_control()

    @pytest.fixture
    def customer_factory(self, billing: Billing) -> CustomerFactory:
        counter = iter(range(1, 100_000))
        return lambda: billing.create_customer(f"contract{next(counter)}@example.com")

    @pytest.fixture
    def decline_payments(self, emulator: DodoEmulator) -> DeclinePayments:
        """The emulator's control route ``POST /_emulator/customers/{id}/card {"declines": true}``."""

        def decline(customer_id: str) -> None:
            answer = control(emulator, f"/_emulator/customers/{customer_id}/card", {"declines": True})
            assert answer == {"declines": True}

        return decline

    @pytest.fixture
    def webhook_deliveries(self, emulator: DodoEmulator) -> WebhookDeliveries:
        """The emulator's signed deliveries (``GET /_emulator/webhooks``), new ones each call."""
        taken = len(emulator.events())

        def take() -> list[WebhookDelivery]:
            nonlocal taken
            events = emulator.events()
            new, taken = events[taken:], len(events)
            return [(dict(e["headers"]), e["body"].encode()) for e in new]

        return take

    @pytest.fixture
    def webhook_signer(self, emulator: DodoEmulator) -> WebhookSigner:
        other = "whsec_" + base64.b64encode(b"not the endpoint's secret").decode()

        def resign(delivery: WebhookDelivery, timestamp: int, wrong_secret: bool) -> WebhookDelivery:
            headers, body = delivery
            key = other if wrong_secret else emulator.webhook_secret
            signature = sign(key, headers["webhook-id"], timestamp, body.decode())
            return {**headers, "webhook-timestamp": str(timestamp), "webhook-signature": signature}, body

        return resign

    @pytest.fixture
    def complete_payment_action(self, emulator: DodoEmulator) -> CompletePaymentAction:
        """The customer pays on Dodo's checkout: ``POST /_emulator/payments/{id}/complete``."""

        def complete(action: PaymentAction) -> None:
            complete_checkout(emulator, action.invoice_id)

        return complete


def control(emulator: DodoEmulator, path: str, body: dict[str, object]) -> dict[str, object]:
    """POST to one of the emulator's control routes."""
    request = urllib.request.Request(
        f"{emulator.url.rstrip('/')}{path}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def complete_checkout(
    emulator: DodoEmulator, payment_id: str, outcome: str = "succeeded"
) -> dict[str, object]:
    """The customer pays (or fails to pay) a waiting payment on Dodo's checkout."""
    return control(emulator, f"/_emulator/payments/{payment_id}/complete", {"outcome": outcome})

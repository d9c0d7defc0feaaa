"""The shared prorata contract suite against the Stripe adapter on the emulator.

The contract mixins declare ``billing``, ``time_control``, ``customer_factory`` and
``decline_payments`` on the class, so the class hands over conftest.py's emulator-backed
fixtures (the customer factory accepts ``payment_method=``, so the suite asks it for
customers with other test cards).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import stripe

from prorata import Billing, Customer
from prorata.provider import TimeControl
from prorata_contract import ContractSuite, DeclinePayments

DECLINING_CARD = "pm_card_chargeCustomerFail"
"""Stripe's test card that attaches to a customer and then fails every charge."""


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

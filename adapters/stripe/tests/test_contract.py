"""The shared prorata contract suite against the Stripe adapter on the emulator.

The contract mixins declare ``billing``, ``time_control`` and ``customer_factory`` on the
class, so the class hands over conftest.py's emulator-backed fixtures.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from prorata import Billing, Customer, TimeControl
from prorata_contract import ContractSuite


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

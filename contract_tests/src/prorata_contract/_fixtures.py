"""The fixtures base of every contract mixin: what an adapter must provide, and the gate."""

from __future__ import annotations

from typing import NoReturn

import pytest
from hypothesis import HealthCheck, Phase, settings

from prorata import Billing, Catalog
from prorata.provider import Capabilities, TimeControl
from prorata_contract._harness import (
    CompletePaymentAction,
    ConfirmPaymentSetup,
    Contract,
    CustomerFactory,
    DeclinePayments,
    WebhookDeliveries,
    WebhookSigner,
)
from prorata_contract._report import PROVIDER_KEY
from prorata_contract._requirements import requirement_of

__all__ = ["ContractFixtures", "default_property_settings"]


def _missing(name: str, what: str) -> NoReturn:
    pytest.fail(
        f"prorata-contract: the test class composing the contract mixins must provide the "
        f"`{name}` fixture ({what}). See 'Writing a provider plugin' in the prorata docs.",
        pytrace=False,
    )


def default_property_settings() -> settings:
    """Bounded, reproducible property runs.

    Remote providers are slow: few examples, no deadline, no shrinking (each shrink step is
    more API calls; the drawn scenarios are small anyway), and the same examples on every
    run so a provider's tally is stable in CI. Override the ``property_settings`` fixture
    to tune them, e.g. ``settings(default_property_settings(), max_examples=50)``.
    """
    return settings(
        max_examples=10,
        deadline=None,
        derandomize=True,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        print_blob=True,
    )


class ContractFixtures:
    """Base of every contract mixin.

    Required fixtures (override them in the composed class or its conftest):

    - ``billing``: a :class:`prorata.Billing` on the provider under test, billing the
      contract catalog (:func:`prorata_contract.contract_catalog`).
    - ``time_control``: the provider's :class:`prorata.provider.TimeControl`, or None when it has none.
    - ``customer_factory``: a callable returning a new :class:`prorata.Customer` that can pay.

    Optional, with defaults derived from those: ``catalog``, ``capabilities``,
    ``property_settings``, ``decline_payments`` (None: tests that need a declining card
    are skipped), ``webhook_deliveries`` and ``webhook_signer`` (None: the webhooks area
    is skipped) and ``contract`` (the helper the standard tests use).
    """

    contract_xfail: dict[str, str] = {}
    """Standard tests expected to fail on this provider: ``{test name: reason}`` (strict xfail)."""

    @pytest.fixture
    def billing(self) -> Billing:
        _missing("billing", "a prorata.Billing on the provider under test, with the contract catalog")

    @pytest.fixture
    def time_control(self) -> TimeControl | None:
        _missing("time_control", "the provider's TimeControl, or None when it cannot move time")

    @pytest.fixture
    def customer_factory(self) -> CustomerFactory:
        _missing("customer_factory", "a callable returning a new prorata.Customer that can pay")

    @pytest.fixture
    def catalog(self, billing: Billing) -> Catalog:
        return billing.catalog

    @pytest.fixture
    def capabilities(self, billing: Billing) -> Capabilities:
        return billing.provider.capabilities

    @pytest.fixture
    def property_settings(self) -> settings:
        """Hypothesis settings of the property tests; override to tune them per provider."""
        return default_property_settings()

    @pytest.fixture
    def decline_payments(self) -> DeclinePayments | None:
        """``(customer_id) -> None`` making that customer's further charges decline, or None.

        The provider interface has no portable way to change an existing customer's card,
        so the composition provides it (local: ``set_payment_method``; an emulator's
        control route; a sandbox's declining test card). None skips the tests that need it.
        """
        return None

    @pytest.fixture
    def confirm_payment_setup(self) -> ConfirmPaymentSetup | None:
        """``(setup_id, payment_method) -> None`` standing in for the browser, or None.

        Confirming a setup happens in the customer's browser (Stripe.js, a hosted page), so the
        composition provides it (local: ``confirm_payment_setup``; an emulator's test route).
        None skips the tests that need it.
        """
        return None

    @pytest.fixture
    def complete_payment_action(self) -> CompletePaymentAction | None:
        """``(PaymentAction) -> None``: the browser completes 3-D Secure, or None (skips)."""
        return None

    @pytest.fixture
    def webhook_deliveries(self) -> WebhookDeliveries | None:
        """``() -> [(headers, body), ...]``: the webhooks sent since the last call, or None (skips).

        The composition receives them as an endpoint would (an HTTP receiver, the emulator's
        list, the local outbox) and configures ``billing``'s provider with their secret.
        """
        return None

    @pytest.fixture
    def webhook_signer(self) -> WebhookSigner | None:
        """``(delivery, timestamp, wrong_secret) -> delivery`` signed again, or None (skips)."""
        return None

    @pytest.fixture
    def contract(
        self,
        billing: Billing,
        time_control: TimeControl | None,
        customer_factory: CustomerFactory,
        decline_payments: DeclinePayments | None,
        confirm_payment_setup: ConfirmPaymentSetup | None,
        complete_payment_action: CompletePaymentAction | None,
        webhook_deliveries: WebhookDeliveries | None,
        webhook_signer: WebhookSigner | None,
    ) -> Contract:
        return Contract(
            billing=billing,
            time_control=time_control,
            customer_factory=customer_factory,
            decline_payments=decline_payments,
            confirm_payment_setup=confirm_payment_setup,
            complete_payment_action=complete_payment_action,
            webhook_deliveries=webhook_deliveries,
            webhook_signer=webhook_signer,
        )

    @pytest.fixture(autouse=True)
    def _prorata_contract_gate(
        self, request: pytest.FixtureRequest, billing: Billing, capabilities: Capabilities
    ) -> None:
        """Record the provider for the summary and skip what it declares unsupported."""
        name = billing.provider.name
        request.node.stash[PROVIDER_KEY] = name
        requirement = requirement_of(request.node)  # pyright: ignore[reportArgumentType]
        unmet = requirement.unmet(capabilities)
        if requirement.time_control and not unmet and request.getfixturevalue("time_control") is None:
            unmet.append("time control (the time_control fixture is None)")
        if requirement.decline_payments and request.getfixturevalue("decline_payments") is None:
            unmet.append("declining a customer's charges (the decline_payments fixture is None)")
        if (
            "payment_setup" in requirement.payments
            and request.getfixturevalue("confirm_payment_setup") is None
        ):
            unmet.append("confirming a payment setup (the confirm_payment_setup fixture is None)")
        if (
            "payment_actions" in requirement.payments
            and request.getfixturevalue("complete_payment_action") is None
        ):
            unmet.append("completing a payment action (the complete_payment_action fixture is None)")
        if requirement.events and not unmet and request.getfixturevalue("webhook_deliveries") is None:
            unmet.append("delivering webhooks (the webhook_deliveries fixture is None)")
        if requirement.webhook_signer and request.getfixturevalue("webhook_signer") is None:
            unmet.append("signing webhooks again (the webhook_signer fixture is None)")
        if unmet:
            pytest.skip(f"provider {name!r} does not declare: {', '.join(unmet)}")

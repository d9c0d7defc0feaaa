"""prorata-contract: the shared contract-test suite every prorata provider must pass.

Compose the mixins in a test class of your adapter and provide three fixtures
(``billing``, ``time_control``, ``customer_factory``; optionally ``decline_payments``)::

    class TestAcmeContract(prorata_contract.ContractSuite):
        @pytest.fixture
        def billing(self): ...

The pytest plugin (entry point ``pytest11``) skips what the provider declares
unsupported, guards against silently dropped standard tests and prints, per provider,
how many contract tests passed, failed and were skipped.
"""

import pytest

# Helper modules hold the suite's assertions: rewrite them before they are imported.
pytest.register_assert_rewrite(
    "prorata_contract._checks",
    "prorata_contract._reference",
    "prorata_contract._harness",
    "prorata_contract._lifecycle",
    "prorata_contract._preview",
    "prorata_contract._apply",
    "prorata_contract._scheduling",
    "prorata_contract._multi_item",
    "prorata_contract._errors_area",
    "prorata_contract._payments",
    "prorata_contract._properties",
    "prorata_contract._webhooks",
    "prorata_contract._figures_area",
)

from prorata_contract import strategies  # noqa: E402
from prorata_contract._apply import ApplyTests  # noqa: E402
from prorata_contract._busy import BUSY_TIMEOUT, SQLiteBusy, local_busy_workers  # noqa: E402
from prorata_contract._catalog import CONTRACT_PLANS, contract_catalog, contract_plans_config  # noqa: E402
from prorata_contract._counting import CountingProvider  # noqa: E402
from prorata_contract._errors_area import ErrorTests  # noqa: E402
from prorata_contract._figures_area import (  # noqa: E402
    CONTRACT_AMOUNT_COUPONS,
    CONTRACT_INCLUSIVE_TAX_RATE,
    FiguresTests,
)
from prorata_contract._fixtures import ContractFixtures, default_property_settings  # noqa: E402
from prorata_contract._guard import override, standard_tests, violations  # noqa: E402
from prorata_contract._harness import (  # noqa: E402
    CompletePaymentAction,
    ConfirmPaymentSetup,
    Contract,
    CustomerFactory,
    DeclinePayments,
    WebhookDeliveries,
    WebhookDelivery,
    WebhookSigner,
)
from prorata_contract._lifecycle import LifecycleTests  # noqa: E402
from prorata_contract._listing_area import ListingTests  # noqa: E402
from prorata_contract._multi_item import MultiItemTests  # noqa: E402
from prorata_contract._payments import PaymentCollectionTests, PaymentTests  # noqa: E402
from prorata_contract._preview import CONTRACT_COUPON, CONTRACT_TAX_RATE, PreviewTests  # noqa: E402
from prorata_contract._properties import PropertyTests  # noqa: E402
from prorata_contract._races import RaceOutcome, race_seat_changes  # noqa: E402
from prorata_contract._requirements import Requirement, requires  # noqa: E402
from prorata_contract._scheduling import SchedulingTests  # noqa: E402
from prorata_contract._soak import SoakReport, soak_new_subscription, soak_seat_changes  # noqa: E402
from prorata_contract._suite import ALL_AREAS, ContractSuite  # noqa: E402
from prorata_contract._webhooks import PORTABLE_EVENT_TYPES, WebhookTests  # noqa: E402

__all__ = [
    "ALL_AREAS",
    "BUSY_TIMEOUT",
    "CONTRACT_AMOUNT_COUPONS",
    "CONTRACT_COUPON",
    "CONTRACT_INCLUSIVE_TAX_RATE",
    "CONTRACT_PLANS",
    "CONTRACT_TAX_RATE",
    "PORTABLE_EVENT_TYPES",
    "ApplyTests",
    "CompletePaymentAction",
    "ConfirmPaymentSetup",
    "Contract",
    "ContractFixtures",
    "ContractSuite",
    "CountingProvider",
    "CustomerFactory",
    "DeclinePayments",
    "ErrorTests",
    "FiguresTests",
    "LifecycleTests",
    "ListingTests",
    "MultiItemTests",
    "PaymentCollectionTests",
    "PaymentTests",
    "PreviewTests",
    "PropertyTests",
    "RaceOutcome",
    "Requirement",
    "SQLiteBusy",
    "SchedulingTests",
    "SoakReport",
    "WebhookDeliveries",
    "WebhookDelivery",
    "WebhookSigner",
    "WebhookTests",
    "contract_catalog",
    "contract_plans_config",
    "default_property_settings",
    "local_busy_workers",
    "override",
    "race_seat_changes",
    "requires",
    "soak_new_subscription",
    "soak_seat_changes",
    "standard_tests",
    "strategies",
    "violations",
]

"""Every standard area in one class, for adapters that run the whole contract."""

from __future__ import annotations

from prorata_contract._apply import ApplyTests
from prorata_contract._errors_area import ErrorTests
from prorata_contract._figures_area import FiguresTests
from prorata_contract._lifecycle import LifecycleTests
from prorata_contract._listing_area import ListingTests
from prorata_contract._multi_item import MultiItemTests
from prorata_contract._payments import PaymentCollectionTests, PaymentTests
from prorata_contract._preview import PreviewTests
from prorata_contract._properties import PropertyTests
from prorata_contract._scheduling import SchedulingTests
from prorata_contract._webhooks import WebhookTests

__all__ = ["ALL_AREAS", "ContractSuite"]

ALL_AREAS: tuple[type, ...] = (
    LifecycleTests,
    PreviewTests,
    ApplyTests,
    SchedulingTests,
    MultiItemTests,
    ErrorTests,
    PaymentTests,
    PaymentCollectionTests,
    PropertyTests,
    WebhookTests,
    FiguresTests,
    ListingTests,
)
"""The standard areas, in the order the suite reports them."""


class ContractSuite(
    LifecycleTests,
    PreviewTests,
    ApplyTests,
    SchedulingTests,
    MultiItemTests,
    ErrorTests,
    PaymentTests,
    PaymentCollectionTests,
    PropertyTests,
    WebhookTests,
    FiguresTests,
    ListingTests,
):
    """All standard areas: subclass it (named ``Test...``) and provide the fixtures."""

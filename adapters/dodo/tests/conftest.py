"""Fixtures: a fresh emulator per test, the real SDK over loopback with strict validation.

``billing``, ``time_control`` and ``customer_factory`` are the fixtures the shared contract
suite (prorata_contract) consumes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import dodopayments
import pytest

from prorata import Billing, Catalog, Customer, Interval, Money, Plan
from prorata.journal import Journal
from prorata.provider import TEST_CARD_SUCCEEDS, ProviderSettings, Secret, TimeControl
from prorata_contract import contract_catalog
from prorata_dodo import Attempts, DodoProvider, create_catalog_objects
from prorata_emulators.dodo import DodoEmulator

START = datetime(2026, 3, 1, tzinfo=UTC)
API_KEY = "sk_test_emulator_fixture_secret_value"


@pytest.fixture
def emulator() -> Iterator[DodoEmulator]:
    with DodoEmulator(now=START) as server:
        yield server


@pytest.fixture
def sdk(emulator: DodoEmulator) -> Iterator[dodopayments.DodoPayments]:
    client = dodopayments.DodoPayments(
        bearer_token=API_KEY, base_url=emulator.url, _strict_response_validation=True, max_retries=0
    )
    yield client
    client.close()


def make_billing(emulator: DodoEmulator, catalog: Catalog) -> Billing:
    settings = ProviderSettings(
        name="dodo",
        catalog=catalog,
        options={"base_url": emulator.url, "strict": True},
        secrets={
            "api_key": Secret(API_KEY, source="env:DODO_PAYMENTS_TEST_API_KEY"),
            "webhook_secret": Secret(emulator.webhook_secret, source="env:DODO_PAYMENTS_WEBHOOK_KEY"),
        },
    )
    provider = DodoProvider.from_settings(settings)
    provider._attempts = Attempts(sleep=lambda _: None)  # pyright: ignore[reportPrivateUsage]  # no real waits in tests
    return Billing(provider=provider, catalog=catalog)


@pytest.fixture
def catalog(sdk: dodopayments.DodoPayments) -> Catalog:
    return contract_catalog(create_catalog_objects(sdk, contract_catalog()))


@pytest.fixture
def billing(emulator: DodoEmulator, catalog: Catalog) -> Iterator[Billing]:
    with make_billing(emulator, catalog) as built:
        yield built


@pytest.fixture
def time_control(billing: Billing) -> TimeControl:
    return billing.time_control()


CustomerFactory = Callable[..., Customer]


@pytest.fixture
def customer_factory(billing: Billing) -> CustomerFactory:
    counter = iter(range(1, 10_000))

    def make(
        payment_method: str = TEST_CARD_SUCCEEDS, email: str | None = None, name: str | None = None
    ) -> Customer:
        return billing.create_customer(
            email or f"customer{next(counter)}@example.com", name=name, payment_method=payment_method
        )

    return make


SEED_PLANS = (
    ("starter", "Starter", 3000, False),
    ("growth", "Growth", 8000, False),
    ("extra", "Extra add-on", 500, True),
    ("backup", "Backup add-on", 200, True),
)
"""Seed 002's worked example: $30 -> $80, with add-ons."""


@pytest.fixture
def seed_billing(emulator: DodoEmulator, sdk: dodopayments.DodoPayments) -> Iterator[Billing]:
    plans = [
        Plan(key=k, name=n, price=Money.of(a, "USD"), interval=Interval.monthly(), addon=addon)
        for k, n, a, addon in SEED_PLANS
    ]
    refs = create_catalog_objects(sdk, plans)
    catalog = Catalog(
        plans=[
            Plan(key=p.key, name=p.name, price=p.price, interval=p.interval, addon=p.addon, refs=refs[p.key])
            for p in plans
        ]
    )
    with make_billing(emulator, catalog) as built:
        yield built


@pytest.fixture
def journal_workers(emulator: DodoEmulator, catalog: Catalog, tmp_path: Path) -> Callable[[], Billing]:
    """Billings that stand for separate worker processes: each its own SDK client, without SDK
    retries or waits (the caller retries, as a host app does), all on one SQLite change journal."""
    journal = str(tmp_path / "journal.sqlite3")

    def worker() -> Billing:
        client = dodopayments.DodoPayments(bearer_token=API_KEY, base_url=emulator.url, max_retries=0)
        provider = DodoProvider(client, catalog, attempts=Attempts(sleep=lambda _: None))
        return Billing(provider=provider, catalog=catalog, journal=Journal.open(journal))

    return worker

"""Fixtures: a fresh Stripe emulator per test, reached by the real SDK over loopback HTTP.

``billing``, ``time_control`` and ``customer_factory`` are the fixtures the shared contract
suite (prorata_contract) consumes; ``recorded`` collects every request the adapter sends.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import stripe

from prorata import Billing, Catalog, Customer
from prorata.journal import Journal
from prorata.provider import TimeControl
from prorata_contract import contract_catalog
from prorata_emulators.stripe import StripeEmulator, running
from prorata_stripe import StripeProvider, create_catalog_prices
from prorata_stripe.conformance import check_error, check_request, check_response

START = datetime(2026, 1, 31, 9, 30, tzinfo=UTC)
"""Frozen time of the test clock: a month-end start exercises month-end clamping."""

Recorded = list[tuple[type, Mapping[str, Any]]]


def response_problems(observed: list[tuple[str, int, bytes]]) -> list[str]:
    """Every emulator answer checked against the SDK's resource classes (or ErrorObject)."""
    problems: list[str] = []
    for request, status, body in observed:
        payload = json.loads(body)
        found = check_response(payload) if status == 200 else check_error(payload)
        problems.extend(f"{request} -> {status}: {problem}" for problem in found)
    return problems


def request_problems(recorded: Recorded) -> list[str]:
    """Every request the adapter sent checked against the SDK's params TypedDicts."""
    return [problem for kind, params in recorded for problem in check_request(params, kind, kind.__name__)]


@pytest.fixture
def emulator() -> Iterator[StripeEmulator]:
    """A fresh emulator; at teardown every response it gave is checked against the SDK's types."""
    with running() as server:
        server.app.observed = []
        yield server
        problems = response_problems(server.app.observed)
        assert not problems, "emulator responses that do not match the stripe SDK's types:\n" + "\n".join(
            problems[:20]
        )


@pytest.fixture
def stripe_client(emulator: StripeEmulator) -> stripe.StripeClient:
    return stripe.StripeClient(
        "sk_test_emulator", base_addresses={"api": emulator.url}, max_network_retries=2
    )


def create_prices(client: stripe.StripeClient) -> dict[str, dict[str, str]]:
    """One product and monthly price per contract plan; returns ``{plan: {"stripe": price_id}}``."""
    return create_catalog_prices(client, contract_catalog().plans)


@pytest.fixture
def stripe_catalog(stripe_client: stripe.StripeClient) -> Catalog:
    return contract_catalog(create_prices(stripe_client))


@pytest.fixture
def recorded() -> Recorded:
    return []


@pytest.fixture
def provider(
    stripe_client: stripe.StripeClient, stripe_catalog: Catalog, recorded: Recorded
) -> Iterator[StripeProvider]:
    """The adapter; at teardown every request it sent is checked against the SDK's params types."""
    yield StripeProvider(
        client=stripe_client,
        catalog=stripe_catalog,
        create_test_clock=True,
        frozen_time=int(START.timestamp()),
        recorder=lambda kind, params: recorded.append((kind, params)),
    )
    problems = request_problems(recorded)
    assert not problems, "adapter requests that do not match the stripe SDK's params:\n" + "\n".join(
        problems[:20]
    )


@pytest.fixture
def emulator_billing(provider: StripeProvider, stripe_catalog: Catalog) -> Iterator[Billing]:
    with Billing(provider=provider, catalog=stripe_catalog) as billing:
        yield billing


@pytest.fixture
def emulator_time_control(emulator_billing: Billing) -> TimeControl:
    return emulator_billing.time_control()


@pytest.fixture
def emulator_customer_factory(emulator_billing: Billing) -> Callable[..., Customer]:
    numbers = itertools.count(1)

    def create(payment_method: str | None = None) -> Customer:
        options = {} if payment_method is None else {"payment_method": payment_method}
        return emulator_billing.create_customer(f"customer-{next(numbers)}@example.test", **options)

    return create


# The names the shared contract suite consumes (prorata_contract.ContractFixtures).


@pytest.fixture
def billing(emulator_billing: Billing) -> Billing:
    return emulator_billing


@pytest.fixture
def time_control(emulator_time_control: TimeControl) -> TimeControl:
    return emulator_time_control


@pytest.fixture
def customer_factory(emulator_customer_factory: Callable[..., Customer]) -> Callable[..., Customer]:
    return emulator_customer_factory


@pytest.fixture
def journal_workers(
    emulator: StripeEmulator, stripe_catalog: Catalog, tmp_path: Path
) -> Callable[[], Billing]:
    """Billings that stand for separate worker processes: each its own SDK client, without SDK
    retries (the caller retries, as a host app does), all on one SQLite change journal."""
    journal = str(tmp_path / "journal.sqlite3")

    def worker() -> Billing:
        client = stripe.StripeClient(
            "sk_test_worker", base_addresses={"api": emulator.url}, max_network_retries=0
        )
        provider = StripeProvider(client=client, catalog=stripe_catalog)
        return Billing(provider=provider, catalog=stripe_catalog, journal=Journal.open(journal))

    return worker

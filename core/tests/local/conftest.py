"""Fixtures for the local provider's tests: a Billing on a fresh in-memory engine."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from prorata import Billing, Catalog, Interval, IntervalUnit, Money, Plan
from prorata.local import LocalProvider

START = datetime(2024, 1, 1, tzinfo=UTC)


def make_catalog() -> Catalog:
    def plan(
        key: str,
        amount: int,
        currency: str = "USD",
        unit: IntervalUnit = IntervalUnit.MONTH,
        count: int = 1,
        **kw: object,
    ) -> Plan:
        return Plan(
            key=key,
            name=key.title(),
            price=Money.of(amount, currency),
            interval=Interval(unit=unit, count=count),
            **kw,
        )  # pyright: ignore[reportArgumentType]

    return Catalog(
        plans=[
            plan("basic", 1000),
            plan("pro", 2000),
            plan("premium", 3000),
            plan("seat", 1000),
            plan("addon", 500, addon=True),
            plan("formula", 500),
            plan("d100", 10000, unit=IntervalUnit.DAY, count=30),
            plan("d200", 20000, unit=IntervalUnit.DAY, count=30),
            plan("gold-jpy", 5000, "JPY"),
            plan("silver-jpy", 3000, "JPY"),
            plan("dodo30", 3000, unit=IntervalUnit.DAY, count=30),
            plan("dodo80", 8000, unit=IntervalUnit.DAY, count=30),
            plan("trial-pro", 2000, trial_days=14),
        ]
    )


@pytest.fixture
def provider() -> Iterator[LocalProvider]:
    local = LocalProvider(make_catalog(), start=START)
    yield local
    local.close()


@pytest.fixture
def billing(provider: LocalProvider) -> Billing:
    return Billing(provider=provider, catalog=provider.catalog)

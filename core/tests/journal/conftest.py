"""Journal stores under test: a SQLite file always, PostgreSQL when a server is given.

CI starts a real PostgreSQL server and sets ``PRORATA_TEST_POSTGRES_URL``; without it the
PostgreSQL cases skip and say why.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from prorata.errors import ProviderUnavailableError
from prorata.journal import Journal

T = TypeVar("T")

POSTGRES_ENV = "PRORATA_TEST_POSTGRES_URL"


def postgres_url() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_ENV} is not set (CI starts a PostgreSQL server and sets it)")
    return url


def reset_postgres(url: str) -> None:
    """Empty the journal tables so each test starts from nothing."""
    journal = Journal.open(url)
    try:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("TRUNCATE prorata_journal, prorata_events, prorata_values")
    finally:
        journal.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def journal_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a journal lives: a SQLite file in ``tmp_path`` or the test PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "journal.sqlite3")
    url = postgres_url()
    reset_postgres(url)
    return url


@pytest.fixture
def journal(journal_url: str) -> Iterator[Journal]:
    opened = Journal.open(journal_url)
    yield opened
    opened.close()


class Faulty:
    """A provider wrapper that loses responses: the write happens, the caller gets a 5xx-like error.

    ``drop`` counts how many of the next writes lose their response; ``refuse`` how many fail
    before reaching the provider (nothing applied). Everything else is passed through.
    """

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.drop = 0
        self.refuse = 0
        self.writes = 0

    WRITES = frozenset(
        {
            "apply_change",
            "create_subscription",
            "cancel_now",
            "cancel_scheduled_change",
            "refund",
            "pay_invoice",
            "void_invoice",
            "set_payment_method",
            "start_payment_setup",
        }
    )
    """The provider writes whose answers ``drop`` loses (or ``refuse`` refuses)."""

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._inner, name)
        if name not in self.WRITES:
            return found
        return lambda *args, **kw: self._write(lambda: found(*args, **kw))

    def _write(self, call: Callable[[], T]) -> T:
        if self.refuse:
            self.refuse -= 1
            raise ProviderUnavailableError("injected 503 before the write", provider="local", http_status=503)
        result = call()
        self.writes += 1
        if self.drop:
            self.drop -= 1
            raise ProviderUnavailableError("injected: response lost after commit", provider="local")
        return result


CATALOG_CODE = """
from prorata import Catalog, Money, Plan
CATALOG = Catalog(plans=[
    Plan(key="basic", name="Basic", price=Money.of(1000, "USD")),
    Plan(key="pro", name="Pro", price=Money.of(2000, "USD")),
    Plan(key="addon", name="Add-on", price=Money.of(500, "USD"), addon=True),
])
"""
"""The catalog of these tests, as code a child process can run too."""


def make_catalog() -> Any:
    scope: dict[str, Any] = {}
    exec(CATALOG_CODE, scope)
    return scope["CATALOG"]


@pytest.fixture
def local_db(tmp_path: Path) -> Path:
    return tmp_path / "billing.sqlite3"


@pytest.fixture
def open_billing(local_db: Path, journal_url: str) -> Iterator[Callable[[], Any]]:
    """Opens a Billing on one local database and one journal, as a fresh process would;
    its provider is a :class:`Faulty` wrapper (``billing.provider.drop = 3`` loses responses)."""
    from datetime import UTC, datetime

    from prorata import Billing
    from prorata.local import LocalProvider

    opened: list[Any] = []

    def make() -> Any:
        local = LocalProvider(make_catalog(), database=local_db, start=datetime(2024, 1, 1, tzinfo=UTC))
        billing = Billing(provider=Faulty(local), catalog=local.catalog, journal=Journal.open(journal_url))  # pyright: ignore[reportArgumentType]
        opened.append(billing)
        return billing

    yield make
    for billing in opened:
        billing.close()

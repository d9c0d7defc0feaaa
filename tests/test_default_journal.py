"""The change journal a configuration without ``journal`` gets, on Stripe and Dodo.

A SQLite file in the data directory (``$PRORATA_DATA_DIR``, here a temporary folder), so a
retry from a new process (a new ``Billing``) finds the record of a change an earlier one
made; its records are kept per provider account, so two emulators (two accounts) sharing the
file never answer each other's keys; and no API key is ever written into it.
"""

from __future__ import annotations

from collections.abc import Generator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dodopayments
import pytest
import stripe

from prorata import Billing, PlanChange, ProrationMode
from prorata.journal import DATA_DIR_ENV
from prorata_contract import contract_catalog, contract_plans_config
from prorata_dodo import create_catalog_objects
from prorata_emulators.dodo import DodoEmulator
from prorata_emulators.kit import Emulator
from prorata_emulators.stripe import running
from prorata_stripe import create_catalog_prices

STRIPE_KEY = "sk_test_51DefaultJournalSecret0123456789abcdef"
DODO_KEY = "dodo-default-journal-secret-0123456789abcdef"
ENVIRON = {"DJ_STRIPE_KEY": STRIPE_KEY + "\n", "DJ_DODO_KEY": DODO_KEY + "\n"}
UPGRADE = PlanChange.swap("basic", "pro", proration=ProrationMode.PRORATE_NOW)


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    return tmp_path


@contextmanager
def _emulator(provider: str) -> Generator[tuple[Emulator, dict[str, Any]]]:
    """A fresh emulator (a new account) and the configuration that points at it."""
    if provider == "stripe":
        with running() as server:
            setup = stripe.StripeClient(STRIPE_KEY, base_addresses={"api": server.url})
            refs = create_catalog_prices(setup, contract_catalog().plans)
            yield server, _config("stripe", server.url, refs)
    else:
        with DodoEmulator() as server:
            sdk = dodopayments.DodoPayments(bearer_token=DODO_KEY, base_url=server.url)
            refs = create_catalog_objects(sdk, contract_catalog())
            yield server, _config("dodo", server.url, refs)


def _config(provider: str, url: str, refs: Any) -> dict[str, Any]:
    env = {"stripe": "DJ_STRIPE_KEY", "dodo": "DJ_DODO_KEY"}[provider]
    return {
        "provider": provider,
        "providers": {provider: {"api_key_env": env, "base_url": url}},
        "plans": contract_plans_config(refs),
    }


def _writes(server: Emulator) -> dict[str, int]:
    return {name: n for name, n in server.request_counts().items() if not name.startswith(("GET", "total"))}


def _upgraded(config: dict[str, Any], key: str) -> str:
    """A new subscription upgraded with idempotency key ``key``; returns its id."""
    with Billing.from_config(config, environ=ENVIRON) as billing:
        sub = billing.subscribe(billing.create_customer("journal@example.com").id, "basic")
        result = billing.apply(sub.id, UPGRADE, idempotency_key=key)
        assert result.replayed is False
        return sub.id


@pytest.mark.parametrize("provider", ["stripe", "dodo"])
def test_a_retry_from_a_new_process_finds_the_record(provider: str, data_dir: Path) -> None:
    with _emulator(provider) as (server, config):
        sub_id = _upgraded(config, "order-1")
        server.reset_counts()
        with Billing.from_config(config, environ=ENVIRON) as restarted:  # another process
            assert restarted.journal.url == f"sqlite:{data_dir / 'journal.sqlite3'}"
            again = restarted.apply(sub_id, UPGRADE, idempotency_key="order-1")
        assert again.replayed is True
        assert again.subscription.plan_quantities == {"pro": 1}
        assert _writes(server) == {}  # recognised from the journal: nothing sent again


@pytest.mark.parametrize("provider", ["stripe", "dodo"])
def test_two_emulators_sharing_the_file_never_answer_each_others_keys(provider: str) -> None:
    with _emulator(provider) as (_, config):
        _upgraded(config, "order-1")
    with _emulator(provider) as (server, config):  # restarted: another account, same key
        server.reset_counts()
        sub_id = _upgraded(config, "order-1")  # asserts it was applied, not replayed
        assert sum(_writes(server).values()) >= 3  # customer, subscription, the change
        with Billing.from_config(config, environ=ENVIRON) as billing:
            assert billing.get(sub_id).plan_quantities == {"pro": 1}


@pytest.mark.parametrize("provider", ["stripe", "dodo"])
def test_no_key_is_written_into_the_journal_file(provider: str, data_dir: Path) -> None:
    with _emulator(provider) as (_, config):
        sub_id = _upgraded(config, "order-1")
        with Billing.from_config(config, environ=ENVIRON) as billing:
            billing.cancel_now(sub_id)
            assert billing.journal.namespace.startswith(f"{provider}:")
    stored = b"".join(path.read_bytes() for path in data_dir.iterdir() if path.is_file())
    assert b"order-1" in stored  # the file holds the records read here
    for secret in (STRIPE_KEY, DODO_KEY):
        for fragment in (secret, secret[:-5], secret[8:24]):
            assert fragment.encode() not in stored

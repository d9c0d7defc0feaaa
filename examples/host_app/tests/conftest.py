"""The host app on each provider: local, the Stripe emulator and the Dodo emulator.

The app itself is built the same way for all three (``create_app(billing)``); only these
fixtures, standing in for the outside world, know the provider: how the browser confirms a
card setup, where the webhooks come from, and how time passes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import attrs
import dodopayments
import httpx
import pytest
import stripe
import uvicorn
from fastapi import FastAPI

from host_app import create_app
from prorata import Billing, Catalog, Interval, Money, Plan
from prorata.local import LocalProvider
from prorata.provider import Feed, ProviderSettings, Secret, TimeControl
from prorata_dodo import DodoProvider, create_catalog_objects
from prorata_emulators.dodo import DodoEmulator
from prorata_emulators.stripe import running
from prorata_stripe import StripeProvider

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

PLANS = (
    ("vip-trial", "VIP (7-day trial)", 1000, 7),
    ("vip", "VIP", 1000, 0),
    ("vip-plus", "VIP Plus", 3000, 0),
)


def plans(refs: dict[str, dict[str, str]] | None = None) -> Catalog:
    return Catalog(
        plans=[
            Plan(
                key=key,
                name=name,
                price=Money.of(amount, "USD"),
                interval=Interval.monthly(),
                trial_days=trial,
                refs=(refs or {}).get(key, {}),
            )
            for key, name, amount, trial in PLANS
        ]
    )


ConfirmSetup = Callable[[str], None]


@attrs.frozen(kw_only=True)
class World:
    """The app under test and what stands in for the customer's browser and the provider."""

    billing: Billing
    client: httpx.Client
    """Talks to the app over loopback HTTP (uvicorn in a thread)."""
    clock: TimeControl
    webhooks: Feed
    confirm_setup: ConfirmSetup | None
    """The browser confirming a card setup (Stripe.js ``confirmSetup``), or None without setups."""


def _local() -> Iterator[tuple[Billing, ConfirmSetup | None]]:
    catalog = plans()
    provider = LocalProvider(catalog, start=START)

    def confirm(setup_id: str) -> None:
        provider.confirm_payment_setup(setup_id)

    with Billing(provider=provider, catalog=catalog) as billing:
        yield billing, confirm


def _stripe() -> Iterator[tuple[Billing, ConfirmSetup | None]]:
    with running() as server:
        client = stripe.StripeClient("sk_test_host_app", base_addresses={"api": server.url})
        refs: dict[str, dict[str, str]] = {}
        for key, name, amount, _trial in PLANS:
            product = client.v1.products.create({"name": name})
            price = client.v1.prices.create(
                {
                    "product": product.id,
                    "currency": "usd",
                    "unit_amount": amount,
                    "recurring": {"interval": "month"},
                }
            )
            refs[key] = {"stripe": price.id}
        catalog = plans(refs)
        provider = StripeProvider(
            client=client, catalog=catalog, create_test_clock=True, frozen_time=int(START.timestamp())
        )

        def confirm(setup_id: str) -> None:
            client.v1.setup_intents.confirm(setup_id, {"payment_method": "pm_card_visa"})

        with Billing(provider=provider, catalog=catalog) as billing:
            yield billing, confirm


def _dodo() -> Iterator[tuple[Billing, ConfirmSetup | None]]:
    with DodoEmulator(now=START) as emulator:
        sdk = dodopayments.DodoPayments(bearer_token="sk_test_host_app", base_url=emulator.url, max_retries=0)
        catalog = plans(create_catalog_objects(sdk, plans()))
        sdk.close()
        settings = ProviderSettings(
            name="dodo",
            catalog=catalog,
            options={"base_url": emulator.url, "strict": True},
            secrets={
                "api_key": Secret("sk_test_host_app"),
                "webhook_secret": Secret(emulator.webhook_secret),
            },
        )
        with Billing(provider=DodoProvider.from_settings(settings), catalog=catalog) as billing:
            yield billing, None


@contextmanager
def serving(app: FastAPI) -> Generator[httpx.Client]:
    """Serve ``app`` with uvicorn on a free loopback port; an httpx client for it."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive(), "the app did not start"
        assert time.monotonic() < deadline, "the app did not start in time"
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(params=["local", "stripe", "dodo"])
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    make = {"local": _local, "stripe": _stripe, "dodo": _dodo}[request.param]
    for billing, confirm in make():
        feed = billing.event_feed()
        with serving(create_app(billing)) as client:
            yield World(
                billing=billing,
                client=client,
                clock=billing.time_control(),
                webhooks=feed,
                confirm_setup=confirm if billing.provider.capabilities.payment_setup else None,
            )

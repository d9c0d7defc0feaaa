"""One story, three providers, the same money: subscribe, upgrade, downgrade with a credit, renew.

Each step's figure (what the customer pays or is credited) is read on local, on the Stripe
emulator and on the Dodo emulator through the same public API, and printed as a table. Every
provider starts on 2026-03-01 00:00 UTC on the contract catalog (basic 10.00, pro 20.00,
premium 30.00 USD a month).

Allowed differences are named in ``ALLOWED`` with the reason; everything else must agree to
the cent.
"""

from __future__ import annotations

from collections.abc import Generator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import dodopayments
import pytest
import stripe

from prorata import Billing, Money, PlanChange, ProrationMode
from prorata.local import LocalProvider
from prorata.provider import TEST_CARD_SUCCEEDS, ProviderSettings, Secret, TimeControl
from prorata_contract import contract_catalog
from prorata_dodo import DodoProvider, create_catalog_objects
from prorata_emulators.dodo import DodoEmulator
from prorata_emulators.stripe import running
from prorata_stripe import StripeProvider, create_catalog_prices

START = datetime(2026, 3, 1, tzinfo=UTC)
PROVIDERS = ("local", "stripe", "dodo")

ALLOWED: dict[str, str] = {}
"""Step -> why providers may differ there (none today)."""


@contextmanager
def _local() -> Generator[Billing]:
    catalog = contract_catalog()
    provider = LocalProvider(catalog, start=START)
    with Billing(provider=provider, catalog=catalog) as billing:
        yield billing


@contextmanager
def _stripe() -> Generator[Billing]:
    with running() as server:
        client = stripe.StripeClient("sk_test_story", base_addresses={"api": server.url})
        refs = create_catalog_prices(client, contract_catalog().plans)
        catalog = contract_catalog(refs)
        provider = StripeProvider(
            client=client, catalog=catalog, create_test_clock=True, frozen_time=int(START.timestamp())
        )
        with Billing(provider=provider, catalog=catalog) as billing:
            yield billing


@contextmanager
def _dodo() -> Generator[Billing]:
    with DodoEmulator(now=START) as emulator:
        setup = dodopayments.DodoPayments(bearer_token="story", base_url=emulator.url)
        catalog = contract_catalog(create_catalog_objects(setup, contract_catalog()))
        settings = ProviderSettings(
            name="dodo",
            catalog=catalog,
            options={"base_url": emulator.url},
            secrets={"api_key": Secret("story-key", source="env:DODO_STORY")},
        )
        with Billing(provider=DodoProvider.from_settings(settings), catalog=catalog) as billing:
            yield billing


def _story(billing: Billing) -> dict[str, Money]:
    """The story's figures, by step."""
    clock = billing.time_control()
    assert isinstance(clock, TimeControl)
    figures: dict[str, Money] = {}
    customer = billing.create_customer("story@example.com", payment_method=TEST_CARD_SUCCEEDS)
    subscription = billing.subscribe(customer.id, "basic")
    (first,) = billing.invoices(subscription.id)
    figures["1 subscribe basic: first invoice"] = first.totals.total

    clock.advance(START + timedelta(days=10))
    upgrade = PlanChange.swap("basic", "premium", proration=ProrationMode.PRORATE_NOW)
    preview = billing.preview(subscription.id, upgrade)
    figures["2 day 10, upgrade to premium: preview due now"] = preview.totals.amount_due
    result = billing.apply(subscription.id, upgrade, preview=preview)
    assert result.matches_preview, result
    assert result.invoice is not None
    figures["2 day 10, upgrade to premium: charged"] = result.invoice.totals.amount_due

    clock.advance(START + timedelta(days=20))
    downgrade = PlanChange.swap("premium", "pro", proration=ProrationMode.PRORATE_NOW)
    preview = billing.preview(subscription.id, downgrade)
    figures["3 day 20, downgrade to pro: preview total"] = preview.totals.total
    billing.apply(subscription.id, downgrade, preview=preview)
    figures["3 day 20, downgrade to pro: credit balance"] = billing.balance(customer.id, currency="USD")

    # Another customer: the first one's credit would pay this subscription's first invoice on
    # local and Stripe, while the Dodo emulator keeps a wallet credit for renewals only.
    other = billing.create_customer("seats@example.com", payment_method=TEST_CARD_SUCCEEDS)
    seats = billing.subscribe(other.id, "seat")
    seat_change = PlanChange.set_quantity("seat", 3, proration=ProrationMode.PRORATE_NOW)
    figures["3 day 20, a second subscription: 1 -> 3 seats, due now"] = billing.preview(
        seats.id, seat_change
    ).totals.amount_due

    trial = billing.subscribe(other.id, "basic", trial_days=14)
    clock.advance(START + timedelta(days=25))
    during = billing.apply(trial.id, PlanChange.swap("basic", "premium", proration=ProrationMode.PRORATE_NOW))
    figures["4 day 25, upgrade during a 14-day trial: charged"] = (
        during.invoice.totals.amount_due if during.invoice is not None else Money.zero("USD")
    )

    current = billing.get(subscription.id)
    next_payment = billing.sync(subscription.id).next_payment
    assert next_payment is not None
    figures["5 next payment (sync): amount"] = next_payment.amount
    clock.advance(current.current_period_end + timedelta(hours=1))
    renewal = billing.invoices(subscription.id)[-1]
    figures["5 renewal on April 1: total"] = renewal.totals.total
    figures["5 renewal on April 1: due after the credit"] = renewal.totals.amount_due
    clock.advance(trial.trial_end + timedelta(hours=1) if trial.trial_end else START)
    after_trial = billing.invoices(trial.id)[-1]
    figures["6 the trial ends: first invoice"] = after_trial.totals.total
    return figures


@pytest.fixture(scope="module")
def figures() -> dict[str, dict[str, Money]]:
    found: dict[str, dict[str, Money]] = {}
    for name, factory in (("local", _local), ("stripe", _stripe), ("dodo", _dodo)):
        with factory() as billing:
            found[name] = _story(billing)
    steps = list(found["local"])
    width = max(len(step) for step in steps)
    print()
    print(f"{'step':<{width}} " + " ".join(f"{name:>12}" for name in PROVIDERS))
    for step in steps:
        cells = [found[name].get(step) for name in PROVIDERS]
        print(f"{step:<{width}} " + " ".join(f"{(c.format() if c is not None else '-'):>12}" for c in cells))
    return found


def test_every_step_shows_the_same_money_on_every_provider(figures: dict[str, dict[str, Money]]) -> None:
    differing = {
        step: {name: figures[name].get(step) for name in PROVIDERS}
        for step in figures["local"]
        if len({figures[name].get(step) for name in PROVIDERS}) > 1 and step not in ALLOWED
    }
    assert differing == {}
